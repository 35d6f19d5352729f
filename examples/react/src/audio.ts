/**
 * A tiny Web Audio synth. The AudioContext is made on the first click (browsers only let sound
 * start after a gesture); until then notes are silent.
 */
let context: AudioContext | undefined;

/** Call from a click handler. */
export function unlockAudio(): void {
  try {
    context ??= new AudioContext();
    if (context.state === "suspended") void context.resume();
  } catch {
    // No audio here (a headless browser without an output): the app works silently.
  }
}

/** Audio time (s) of a local wall-clock moment `delayMs` from now. */
function audioTime(delayMs: number): number {
  return (context?.currentTime ?? 0) + Math.max(0, delayMs) / 1000;
}

const frequency = (note: number): number => 440 * 2 ** ((note - 69) / 12);

/** Plays `note` (MIDI) on `instrument`, `delayMs` from now. */
export function playNote(instrument: string, note: number, velocity = 100, delayMs = 0): void {
  if (context === undefined || context.state !== "running") return;
  const start = audioTime(delayMs);
  const osc = context.createOscillator();
  const gain = context.createGain();
  const peak = (velocity / 127) * 0.3;
  let length = 0.4;
  switch (instrument) {
    case "bass":
      osc.type = "sawtooth";
      osc.frequency.setValueAtTime(frequency(note - 24), start);
      break;
    case "synth":
      osc.type = "square";
      osc.frequency.setValueAtTime(frequency(note + 12), start);
      length = 0.25;
      break;
    case "drums": // a kick: a sine falling fast
      osc.type = "sine";
      osc.frequency.setValueAtTime(frequency(note - 12), start);
      osc.frequency.exponentialRampToValueAtTime(40, start + 0.15);
      length = 0.2;
      break;
    default:
      osc.type = "triangle";
      osc.frequency.setValueAtTime(frequency(note), start);
  }
  gain.gain.setValueAtTime(peak, start);
  gain.gain.exponentialRampToValueAtTime(0.001, start + length);
  osc.connect(gain).connect(context.destination);
  osc.start(start);
  osc.stop(start + length);
}
