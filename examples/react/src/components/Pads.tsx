import { useCallback, useEffect, useRef, useState, type MouseEvent } from "react";
import { playNote, unlockAudio } from "../audio";
import { NOTE_LEAD_MS } from "../config";
import { useLatest } from "../useJamSession";
import { noteName } from "../words";
import type { PanelProps } from "./RoomView";

const PAD_NOTES = [60, 62, 64, 65, 67, 69, 71, 72];

interface Heard {
  key: number;
  name: string;
  instrument: string;
  note: number;
  muted: boolean;
}

export function Pads({ session, state }: PanelProps) {
  const latest = useLatest(state);
  const [lit, setLit] = useState<ReadonlySet<number>>(new Set());
  const [heard, setHeard] = useState<Heard[]>([]);
  const counter = useRef(0);

  const light = useCallback((note: number, delayMs: number) => {
    setTimeout(
      () => {
        setLit((on) => new Set(on).add(note));
        setTimeout(() => setLit((on) => new Set([...on].filter((n) => n !== note))), 150);
      },
      Math.max(0, delayMs),
    );
  }, []);

  // The others' notes, heard at the server time they were stamped with (`at`).
  useEffect(() => {
    const stop = session.on("note", (played) => {
      if (!played.on) return;
      const sender = latest.current.participants.get(played.senderId);
      const muted = sender?.muted === true;
      const delayMs = played.at === undefined ? 0 : played.at - session.serverNow();
      if (!muted) playNote(played.instrument, played.note, played.velocity, delayMs);
      light(played.note, delayMs);
      const entry = { key: counter.current++, name: sender?.name ?? "someone", instrument: played.instrument, note: played.note, muted };
      setHeard((list) => [entry, ...list].slice(0, 8));
    });
    return () => {
      stop();
    };
  }, [session, latest, light]);

  const strike = (note: number) => {
    unlockAudio();
    playNote(state.participants.get(session.sessionId)?.instrument ?? "keys", note);
    light(note, 0);
    session.note({ note, velocity: 100, at: session.serverNow() + NOTE_LEAD_MS });
  };

  return (
    <section className="panel">
      <h2>Pads</h2>
      <div className="pads">
        {PAD_NOTES.map((note) => (
          <button
            type="button"
            key={note}
            className={`pad${lit.has(note) ? " lit" : ""}`}
            // A listener sees the others' notes light up, but plays none.
            disabled={session.isListener}
            // Sound on press, not release; a keyboard "click" (detail 0) plays too.
            onPointerDown={() => strike(note)}
            onClick={(e: MouseEvent) => {
              if (e.detail === 0) strike(note);
            }}
          >
            {noteName(note)}
          </button>
        ))}
      </div>
      <h3>Heard from the others</h3>
      <ul className="heard" aria-label="Notes from the others">
        {heard.map((h) => (
          <li key={h.key}>
            {h.name} played {noteName(h.note)} on {h.instrument}
            {h.muted && " (muted)"}
          </li>
        ))}
      </ul>
    </section>
  );
}
