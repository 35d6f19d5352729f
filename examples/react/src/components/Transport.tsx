import type { FormEvent } from "react";
import type { PanelProps } from "./RoomView";

export function Transport({ session, state }: PanelProps) {
  const { tempo, isPlaying, transport } = state;
  const allowed = transport === "everyone" || state.host === session.sessionId;

  const setTempo = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = Number(new FormData(event.currentTarget).get("tempo"));
    if (Number.isFinite(value)) session.tempo(value);
  };

  return (
    <section className="panel transport">
      <h2>Transport</h2>
      <p className="tempo">
        <strong>{tempo} BPM</strong> · {isPlaying ? "playing" : "stopped"}
      </p>
      <div className="row">
        <button type="button" onClick={() => session.play()} disabled={!allowed || isPlaying}>
          ▶ Play
        </button>
        <button type="button" onClick={() => session.pause()} disabled={!allowed || !isPlaying}>
          ❚❚ Pause
        </button>
        <button type="button" onClick={() => session.stop()} disabled={!allowed}>
          ■ Stop
        </button>
        {/* `key`: a new tempo from anyone resets the field. */}
        <form key={tempo} onSubmit={setTempo} className="row">
          <input name="tempo" type="number" min={20} max={300} defaultValue={tempo} disabled={!allowed} aria-label="New tempo" />
          <button type="submit" disabled={!allowed}>
            Set tempo
          </button>
        </form>
      </div>
      {!allowed && <p className="hint">Only the host controls the transport in this room.</p>}
    </section>
  );
}
