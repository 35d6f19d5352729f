import { useState } from "react";
import { roomLink } from "../router";
import type { PanelProps } from "./RoomView";

export function Participants({ session, state }: PanelProps) {
  const [copied, setCopied] = useState(false);
  const link = roomLink(session.code);
  const people = Array.from(state.participants.values()).sort((a, b) => a.joinedAt - b.joinedAt);
  const me = state.participants.get(session.sessionId);
  const iAmHost = state.host === session.sessionId;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      window.prompt("Copy this link:", link);
    }
  };

  return (
    <section className="panel">
      <h2>Musicians</h2>
      <ul className="participants" aria-label="Participants">
        {people.map((p) => (
          <li key={p.id} className={p.connected ? "" : "away"}>
            <span role="img" className={`dot${p.connected ? " online" : ""}`} aria-label={p.connected ? "online" : "offline"} />
            <strong>{p.name}</strong>
            {p.id === session.sessionId && " (you)"}
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
          </li>
        ))}
      </ul>
      <div className="row">
        <input readOnly value={link} aria-label="Room link" onFocus={(e) => e.target.select()} />
        <button type="button" onClick={() => void copy()}>
          {copied ? "Copied!" : "Copy link"}
        </button>
      </div>
      {me !== undefined && (
        <label className="row">
          <input type="checkbox" checked={me.muted} onChange={(e) => session.mute(e.target.checked)} />
          Mute me
        </label>
      )}
    </section>
  );
}
