import { useEffect, useState, type FormEvent } from "react";
import { RoomNotFound, InvalidRoomCode, type RoomInfo, type SavedJamInfo } from "@jam/client";
import { jamClient } from "../config";
import { loadProfile, saveProfile } from "../profile";
import { navigate, roomPath } from "../router";
import type { Jam } from "../useJamSession";
import { describeError, timeAgo } from "../words";
import { ProfileFields } from "./ProfileFields";

/** Whichever answered: a live room, or (nobody in it) the saved jam. */
type Found = { live: RoomInfo } | { saved: SavedJamInfo };

/** Asks for the room, and when no room has the code, for the saved jam. */
async function lookUp(code: string): Promise<Found> {
  try {
    return { live: await jamClient.roomInfo(code) };
  } catch (error) {
    if (!(error instanceof RoomNotFound)) throw error;
    return { saved: await jamClient.savedJam(code) };
  }
}

/**
 * A shared link, opened: says what the room is, asks for a name, joins — or, when nobody is in the
 * jam, opens it again from where it was saved. A listen link joins as a listener, and only joins:
 * a listener cannot open a jam nobody is in.
 */
export function JoinForm({ code, listen, jam }: { code: string; listen: boolean; jam: Jam }) {
  const [profile, setProfile] = useState(loadProfile);
  const [found, setFound] = useState<Found>();
  const [lookup, setLookup] = useState<{ message: string; final: boolean }>();

  useEffect(() => {
    let gone = false;
    lookUp(code).then(
      (answer) => !gone && setFound(answer),
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
    const session = await jam.open(code, { ...profile, name, listener: listen });
    if (session !== undefined && session.code !== code) navigate(roomPath(session.code, listen));
  };

  const error = jam.error ?? lookup?.message;
  const saved = found !== undefined && "saved" in found;
  return (
    <main className="home">
      <h1>
        {listen ? "Listen to room" : saved ? "Open jam" : "Join room"} {code.toUpperCase()}
      </h1>
      {found !== undefined && "live" in found && (
        <p>
          {found.live.participants} of {found.live.maxParticipants} musicians · {found.live.tempo} BPM
          {found.live.isPlaying ? " · playing" : ""}
        </p>
      )}
      {found !== undefined && "saved" in found && (
        <p>
          Nobody is playing in this jam now. Saved {timeAgo(found.saved.savedAt)} · {found.saved.tempo} BPM · {found.saved.tracks} tracks ·
          with {found.saved.musicians.join(", ") || "nobody yet"}.
        </p>
      )}
      {listen && saved && <p>You can listen once a musician opens it again.</p>}
      {lookup?.final !== true && !(listen && saved) && (
        <form onSubmit={(e) => void join(e)}>
          <ProfileFields profile={profile} onChange={setProfile} listener={listen} />
          <button type="submit" disabled={jam.busy || profile.name.trim() === ""}>
            {listen ? "Listen" : saved ? "Open it again" : "Join"}
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
