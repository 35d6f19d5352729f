/**
 * The typed senders of a session, one per client → server message of the contract, over its
 * `send` (false when not connected: nothing is queued, music does not wait).
 */
import type { JsonValue, MessageType, NotePayload, OutgoingMessage, SetStepPayload, SignalKind } from "./types";

export abstract class SessionSenders {
  /** Sends any client → server message of the contract. */
  abstract send<T extends MessageType>(type: T, payload: OutgoingMessage<T>): boolean;

  /** A note for the others (`at`: the server time it should sound; `step`: the sequencer step). */
  note(note: NotePayload): boolean {
    return this.send("note", note);
  }

  /** An app-defined event relayed to the others. */
  event(eventName: string, payload?: JsonValue): boolean {
    return this.send("event", payload === undefined ? { eventName } : { eventName, payload });
  }

  chat(text: string): boolean {
    return this.send("chat", { text });
  }

  tempo(tempo: number): boolean {
    return this.send("tempo", { tempo });
  }

  /** Starts the transport (from `step`, default where it is) after the server's lead-in. */
  play(step?: number): boolean {
    return this.send("play", step === undefined ? {} : { step });
  }

  pause(): boolean {
    return this.send("pause", {});
  }

  stop(): boolean {
    return this.send("stop", {});
  }

  seek(step: number): boolean {
    return this.send("seek", { step });
  }

  /** Sets this musician's instrument. */
  instrument(instrument: string): boolean {
    return this.send("instrument", { instrument });
  }

  mute(muted: boolean): boolean {
    return this.send("mute", { muted });
  }

  /** Host only: hands the host role to `to`. */
  transferHost(to: string): boolean {
    return this.send("transferHost", { to });
  }

  /** Host only: removes `sessionId` from the room. */
  kick(sessionId: string): boolean {
    return this.send("kick", { sessionId });
  }

  /** WebRTC signalling to one participant. */
  signal(to: string, kind: SignalKind, data?: JsonValue): boolean {
    return this.send("signal", { to, kind, data });
  }

  addTrack(instrument: string, id?: string): boolean {
    return this.send("addTrack", id === undefined ? { instrument } : { instrument, id });
  }

  setStep(step: SetStepPayload): boolean {
    return this.send("setStep", step);
  }

  clearTrack(track: string): boolean {
    return this.send("clearTrack", { track });
  }

  removeTrack(track: string): boolean {
    return this.send("removeTrack", { track });
  }

  /** Starts (`true`) or stops recording; whoever may drive the transport. */
  record(on: boolean): boolean {
    return this.send("record", { on });
  }

  /** Host only: brings back that version's pattern and tempo for everyone (undoable: the state before is kept as a version). */
  restoreVersion(version: number): boolean {
    return this.send("restoreVersion", { version });
  }
}
