import { useState } from "react";
import { loadProfile } from "../profile";
import { navigate, roomPath } from "../router";
import type { Jam } from "../useJamSession";
import type { PanelProps } from "./RoomView";
import { SyncQuality } from "./SyncQuality";

/** The room's name, where it was remixed from, and what takes you elsewhere: remix, leave. */
export function RoomHeader({ jam, session, state }: PanelProps & { jam: Jam }) {
  const leave = () => {
    jam.leave();
    navigate("/");
  };
  return (
    <header>
      <div>
        <h1>Room {session.code}</h1>
        {session.isListener && <span className="badge">listening</span>}
        <SyncQuality session={session} />
        {state.remixOf !== "" && (
          <p className="remixed">
            remixed from{" "}
            <a
              href={roomPath(state.remixOf)}
              onClick={(e) => {
                e.preventDefault();
                navigate(roomPath(state.remixOf));
              }}
            >
              {state.remixOf}
            </a>
          </p>
        )}
      </div>
      <div className="row">
        <Remix jam={jam} session={session} state={state} />
        <button type="button" onClick={leave}>
          Leave
        </button>
      </div>
    </header>
  );
}

/** A new jam of your own from a copy of this one (a listener too: they play in the remix). */
function Remix({ jam, session, state }: PanelProps & { jam: Jam }) {
  const [failed, setFailed] = useState(false);
  const remix = async () => {
    const name = session.me?.name ?? state.listeners.get(session.sessionId)?.name ?? loadProfile().name;
    const instrument = session.me?.instrument ?? loadProfile().instrument;
    const remixed = await jam.remix(session.code, { name, instrument });
    setFailed(remixed === undefined);
    if (remixed !== undefined) navigate(roomPath(remixed.code));
  };
  return (
    <>
      <button type="button" disabled={jam.busy} onClick={() => void remix()}>
        Remix
      </button>
      {failed && jam.error !== undefined && (
        <span role="alert" className="error">
          {jam.error}
        </span>
      )}
    </>
  );
}
