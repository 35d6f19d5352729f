import { useEffect, useState, type FormEvent } from "react";
import { RoomNotFound, InvalidRoomCode, type RoomInfo } from "@jam/client";
import { jamClient } from "../config";
import { loadProfile, saveProfile } from "../profile";
import { navigate, roomPath } from "../router";
import type { Jam } from "../useJamSession";
import { describeError } from "../words";
import { ProfileFields } from "./ProfileFields";

/** A shared link, opened: says what the room is, asks for a name, joins. */
export function JoinForm({ code, jam }: { code: string; jam: Jam }) {
  const [profile, setProfile] = useState(loadProfile);
  const [info, setInfo] = useState<RoomInfo>();
  const [lookup, setLookup] = useState<{ message: string; final: boolean }>();

  useEffect(() => {
    let gone = false;
    jamClient.roomInfo(code).then(
      (found) => !gone && setInfo(found),
      (error: unknown) => {
        const final = error instanceof RoomNotFound || error instanceof InvalidRoomCode;
        if (!gone) setLookup({ message: describeError(error), final });
      },
    );
    return () => {
      gone = true;
    };
  }, [code]);

  const join = async (event: FormEvent) => {
    event.preventDefault();
    const name = profile.name.trim();
    if (name === "") return;
    saveProfile({ ...profile, name });
    const session = await jam.join(code, { ...profile, name });
    if (session !== undefined && session.code !== code) navigate(roomPath(session.code));
  };

  const error = jam.error ?? lookup?.message;
  return (
    <main className="home">
      <h1>Join room {code.toUpperCase()}</h1>
      {info !== undefined && (
        <p>
          {info.participants} of {info.maxParticipants} musicians · {info.tempo} BPM{info.isPlaying ? " · playing" : ""}
        </p>
      )}
      {lookup?.final !== true && (
        <form onSubmit={(e) => void join(e)}>
          <ProfileFields profile={profile} onChange={setProfile} />
          <button type="submit" disabled={jam.busy || profile.name.trim() === ""}>
            Join
          </button>
        </form>
      )}
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <p>
        <a
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate("/");
          }}
        >
          Home
        </a>
      </p>
    </main>
  );
}
