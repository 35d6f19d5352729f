import { useState, type FormEvent } from "react";
import { loadProfile, saveProfile } from "../profile";
import { navigate, roomPath } from "../router";
import type { Jam } from "../useJamSession";
import { PlayedJams } from "./PlayedJams";
import { ProfileFields } from "./ProfileFields";

export function Home({ jam }: { jam: Jam }) {
  const [profile, setProfile] = useState(loadProfile);
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<string>();

  const go = async (event: FormEvent, action: "create" | "join") => {
    event.preventDefault();
    const name = profile.name.trim();
    if (name === "") return setProblem("Enter your name first.");
    if (action === "join" && code.trim() === "") return setProblem("Enter the room code you were given.");
    setProblem(undefined);
    saveProfile({ ...profile, name });
    const session = action === "create" ? await jam.create({ ...profile, name }) : await jam.join(code, { ...profile, name });
    if (session !== undefined) navigate(roomPath(session.code));
  };

  return (
    <main className="home">
      <h1>Jam</h1>
      <p>Play music together: open a room, share its link, and everyone plays on one clock.</p>
      {jam.session !== undefined && (
        <p className="notice">
          You are in room {jam.session.code}.{" "}
          <button type="button" onClick={() => navigate(roomPath(jam.session?.code ?? ""))}>
            Back to the room
          </button>{" "}
          <button type="button" onClick={jam.leave}>
            Leave it
          </button>
        </p>
      )}
      <ProfileFields profile={profile} onChange={setProfile} />
      <form onSubmit={(e) => void go(e, "create")}>
        <button type="submit" disabled={jam.busy}>
          Create room
        </button>
      </form>
      <form className="join" onSubmit={(e) => void go(e, "join")}>
        <label>
          Room code
          <input value={code} placeholder="K7QF2M" maxLength={12} onChange={(e) => setCode(e.target.value)} />
        </label>
        <button type="submit" disabled={jam.busy}>
          Join
        </button>
      </form>
      {(problem ?? jam.error) !== undefined && (
        <p role="alert" className="error">
          {problem ?? jam.error}
        </p>
      )}
      <PlayedJams />
    </main>
  );
}
