import { useEffect, useState } from "react";
import { StepScheduler, stepAt, type JamSession, type JamState } from "@jam/client";
import { playNote } from "../audio";
import { useLatest } from "../useJamSession";
import type { PanelProps } from "./RoomView";

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

/**
 * Plays the shared pattern: every step about to start is handed to Web Audio at its server time by
 * the client library's scheduler (its lookahead is short enough that a tempo change, which lands a
 * lead-in after the server takes it, is never pre-empted by steps already committed at the old tempo).
 */
function usePatternPlayer(session: JamSession, latest: { readonly current: JamState }): void {
  useEffect(() => {
    const source = {
      get state() {
        return latest.current;
      },
      serverNow: () => session.serverNow(),
    };
    const scheduler = new StepScheduler(source, ({ step, at }) => {
      const delay = at - session.serverNow();
      for (const track of latest.current.tracks.values()) {
        const cell = track.steps[step];
        if (cell?.on) playNote(track.instrument, cell.note, cell.velocity, delay);
      }
    });
    // Not before the clock's first estimate: until then "server time" is this device's own.
    let live = true;
    void session.clock.ready().then(() => live && scheduler.start());
    return () => {
      live = false;
      scheduler.stop();
    };
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
