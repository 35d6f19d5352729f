import { useEffect, useState } from "react";
import { stepAt, upcomingSteps, type JamSession, type JamState } from "@jam/client";
import { playNote } from "../audio";
import { useLatest } from "../useJamSession";
import type { PanelProps } from "./RoomView";

/** How far ahead the pattern is handed to Web Audio, ms. */
const LOOKAHEAD_MS = 120;

/** The step sounding now, from the synced clock, redrawn every frame (not from state patches). */
function usePlayhead(session: JamSession, latest: { readonly current: JamState }): number {
  const [step, setStep] = useState(() => stepAt(latest.current, session.serverNow()));
  useEffect(() => {
    let frame = requestAnimationFrame(function tick() {
      setStep(stepAt(latest.current, session.serverNow()));
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [session, latest]);
  return step;
}

/** Plays the shared pattern: every step about to start is scheduled at its server time. */
function usePatternPlayer(session: JamSession, latest: { readonly current: JamState }): void {
  useEffect(() => {
    let until = session.serverNow();
    const timer = setInterval(() => {
      const now = session.serverNow();
      const from = Math.max(until, now);
      until = now + LOOKAHEAD_MS;
      for (const { step, at } of upcomingSteps(latest.current, from, until)) {
        for (const track of latest.current.tracks.values()) {
          const cell = track.steps[step];
          if (cell?.on) playNote(track.instrument, cell.note, cell.velocity, at - now);
        }
      }
    }, 25);
    return () => clearInterval(timer);
  }, [session, latest]);
}

export function StepGrid({ session, state }: PanelProps) {
  const latest = useLatest(state);
  const playhead = usePlayhead(session, latest);
  usePatternPlayer(session, latest);
  const { loopSteps, isPlaying } = state;
  const steps = Array.from({ length: loopSteps }, (_, i) => i);
  const tracks = Array.from(state.tracks.values());
  const instrument = state.participants.get(session.sessionId)?.instrument ?? "keys";
  const columns = { gridTemplateColumns: `6rem repeat(${loopSteps}, 1fr) 2rem` };
  // A listener sees the pattern and its playhead; the server would refuse its edits.
  const readOnly = session.isListener;

  return (
    <section className="panel">
      <h2>Pattern</h2>
      <div className="grid" style={columns} data-playhead={playhead} data-playing={isPlaying}>
        <span />
        {steps.map((step) => (
          <span key={step} className={`step-number${step === playhead ? " playhead" : ""}`}>
            {step + 1}
          </span>
        ))}
        <span />
        {tracks.map((track) => [
          <span key={`${track.id}-name`} className="track-name">
            {track.instrument}
          </span>,
          ...steps.map((step) => {
            const on = track.steps[step]?.on === true;
            return (
              <button
                type="button"
                key={`${track.id}-${step}`}
                className={`cell${on ? " on" : ""}${step === playhead ? " playhead" : ""}${step % 4 === 0 ? " beat" : ""}`}
                aria-pressed={on}
                aria-label={`${track.instrument} step ${step + 1}`}
                disabled={readOnly}
                onClick={() => session.setStep({ track: track.id, step, on: !on })}
              />
            );
          }),
          readOnly ? (
            <span key={`${track.id}-remove`} />
          ) : (
            <button
              type="button"
              key={`${track.id}-remove`}
              aria-label={`Remove the ${track.instrument} track`}
              onClick={() => session.removeTrack(track.id)}
            >
              ×
            </button>
          ),
        ])}
      </div>
      {!readOnly && (
        <button type="button" onClick={() => session.addTrack(instrument)}>
          Add a {instrument} track
        </button>
      )}
    </section>
  );
}
