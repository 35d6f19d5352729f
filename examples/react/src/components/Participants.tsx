import type { ReactNode } from "react";
import type { PanelProps } from "./RoomView";
import { ShareLinks } from "./ShareLinks";

export function Participants({ session, state }: PanelProps) {
  const people = Array.from(state.participants.values()).sort((a, b) => a.joinedAt - b.joinedAt);
  const me = state.participants.get(session.sessionId);
  const iAmHost = state.host === session.sessionId;

  return (
    <section className="panel">
      <h2>Musicians</h2>
      <ul className="participants" aria-label="Participants">
        {people.map((p) => (
          <Person key={p.id} person={p} me={session.sessionId}>
            {p.isHost && <span className="badge">host</span>}
            <span className="instrument">{p.instrument}</span>
            {p.muted && <span className="badge muted">muted</span>}
            {!p.connected && <span className="badge away">reconnecting…</span>}
            {iAmHost && p.id !== session.sessionId && (
              <span className="actions">
                <button type="button" onClick={() => session.transferHost(p.id)}>
                  make host
                </button>
                <button type="button" onClick={() => session.kick(p.id)}>
                  remove
                </button>
              </span>
            )}
          </Person>
        ))}
      </ul>
      <Listeners session={session} state={state} />
      <ShareLinks code={session.code} />
      {me !== undefined && (
        <label className="row">
          <input type="checkbox" checked={me.muted} onChange={(e) => session.mute(e.target.checked)} />
          Mute me
        </label>
      )}
    </section>
  );
}

/** Who follows the jam without playing: listed apart from the musicians. */
function Listeners({ session, state }: PanelProps) {
  const listeners = Array.from(state.listeners.values()).sort((a, b) => a.joinedAt - b.joinedAt);
  if (listeners.length === 0) return null;
  return (
    <>
      <h3>Listening</h3>
      <ul className="participants" aria-label="Listeners">
        {listeners.map((l) => (
          <Person key={l.id} person={l} me={session.sessionId} />
        ))}
      </ul>
    </>
  );
}

/** One person's row: online or not, name, and whatever the list adds. */
function Person({ person, me, children }: { person: { id: string; name: string; connected: boolean }; me: string; children?: ReactNode }) {
  return (
    <li className={person.connected ? "" : "away"}>
      <span role="img" className={`dot${person.connected ? " online" : ""}`} aria-label={person.connected ? "online" : "offline"} />
      <strong>{person.name}</strong>
      {person.id === me && " (you)"}
      {children}
    </li>
  );
}
