import { useEffect, useState } from "react";
import type { JamSession, JamState } from "@jam/client";
import { navigate } from "../router";
import type { Jam } from "../useJamSession";
import { describeDisconnect } from "../words";
import { Chat } from "./Chat";
import { Pads } from "./Pads";
import { Participants } from "./Participants";
import { Recordings } from "./Recordings";
import { RoomHeader } from "./RoomHeader";
import { StepGrid } from "./StepGrid";
import { Transport } from "./Transport";
import { Versions } from "./Versions";

/** What every panel gets: the session to send through, the synced state to show. */
export interface PanelProps {
  session: JamSession;
  state: JamState;
}

export function RoomView({ jam, session, state }: PanelProps & { jam: Jam }) {
  const leave = () => {
    jam.leave();
    navigate("/");
  };
  return (
    <div className="room">
      <RoomHeader jam={jam} session={session} state={state} />
      {jam.status === "reconnecting" && (
        <p role="status" className="banner">
          {jam.detail?.reopening === true ? "The server went away: opening the jam again…" : "Reconnecting…"}
        </p>
      )}
      {jam.status === "disconnected" && (
        <p role="alert" className="banner error">
          {describeDisconnect(jam.detail?.reason)}{" "}
          <button type="button" onClick={leave}>
            Back home
          </button>
        </p>
      )}
      <ServerErrors session={session} />
      <div className="columns">
        <aside>
          <Participants session={session} state={state} />
          <Chat session={session} />
          <Versions session={session} state={state} />
        </aside>
        <section>
          <Transport session={session} state={state} />
          <Recordings session={session} state={state} />
          <StepGrid session={session} state={state} />
          <Pads session={session} state={state} />
        </section>
      </div>
    </div>
  );
}

/** The server's answer to a message it refused (e.g. not the host), shown for a few seconds. */
function ServerErrors({ session }: { session: JamSession }) {
  const [message, setMessage] = useState<string>();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = session.on("error", (error) => {
      setMessage(error.code === "RATE_LIMITED" ? "Slow down a little: some of that was dropped." : error.message);
      clearTimeout(timer);
      timer = setTimeout(() => setMessage(undefined), 4000);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [session]);
  return message === undefined ? null : (
    <p role="alert" className="banner">
      {message}
    </p>
  );
}
