/**
 * Tracks of events at absolute ticks → the bytes of a format 1 Standard MIDI File. midifile-ts
 * encodes each event (status bytes, meta events, variable-length delta times); the two chunk
 * headers are framed here rather than by its `write`, so a long track is written in slices
 * (see timeSlices.ts) instead of in one call.
 */
import { type AnyEvent, serialize } from "midifile-ts";
import { type Sliced, timeToYield } from "../timeSlices";
import { TICKS_PER_QUARTER } from "./tempoMap";

export type TrackEvent =
  | { tick: number; type: "tempo"; microsecondsPerQuarter: number }
  | { tick: number; type: "noteOn" | "noteOff"; channel: number; note: number; velocity: number };

export interface MidiTrack {
  name?: string;
  /** In the order they are to be played: by tick, and at one tick in the order given. */
  events: TrackEvent[];
  /** Where the track ends (its last event's tick at least). */
  endTick: number;
}

const FORMAT_MULTI_TRACK = 1;

/** The bytes of a format 1 file, 480 ticks per quarter, one MTrk per track in the order given. */
export function* standardMidiFile(tracks: readonly MidiTrack[]): Sliced<Uint8Array> {
  const out = new ByteSink();
  out.chunk("MThd", () => {
    out.uint16(FORMAT_MULTI_TRACK);
    out.uint16(tracks.length);
    out.uint16(TICKS_PER_QUARTER);
  });
  for (const track of tracks) {
    const start = out.openChunk("MTrk");
    let last = 0;
    const delta = (tick: number): number => {
      const deltaTime = tick - last;
      if (!Number.isInteger(deltaTime) || deltaTime < 0) throw new RangeError(`track events out of order at tick ${tick}`);
      last = tick;
      return deltaTime;
    };
    const put = (event: AnyEvent): void => out.bytes(serialize(event));
    if (track.name !== undefined) put({ deltaTime: 0, type: "meta", subtype: "trackName", text: byteString(track.name) });
    for (let i = 0; i < track.events.length; i++) {
      const event = track.events[i] as TrackEvent;
      const deltaTime = delta(event.tick);
      if (event.type === "tempo") put({ deltaTime, type: "meta", subtype: "setTempo", microsecondsPerBeat: event.microsecondsPerQuarter });
      else
        put({ deltaTime, type: "channel", subtype: event.type, channel: event.channel, noteNumber: event.note, velocity: event.velocity });
      if (timeToYield(i)) yield;
    }
    put({ deltaTime: delta(Math.max(last, track.endTick)), type: "meta", subtype: "endOfTrack" });
    out.closeChunk(start);
  }
  return out.result();
}

/**
 * midifile-ts writes a text one UTF-16 unit per byte, which mangles any name outside Latin-1; a
 * string of the UTF-8 bytes, one character each, comes out as those bytes (what readers expect).
 */
function byteString(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

/** A growing byte buffer: an hour's recording is a few MB. */
class ByteSink {
  private buffer = new Uint8Array(64 * 1024);
  private length = 0;

  bytes(values: ArrayLike<number>): void {
    this.reserve(values.length);
    this.buffer.set(values, this.length);
    this.length += values.length;
  }

  uint16(value: number): void {
    this.bytes([(value >> 8) & 0xff, value & 0xff]);
  }

  chunk(id: string, body: () => void): void {
    const start = this.openChunk(id);
    body();
    this.closeChunk(start);
  }

  /** Writes the chunk's id and room for its length; returns where its body starts. */
  openChunk(id: string): number {
    this.bytes(Buffer.from(id, "latin1"));
    this.bytes([0, 0, 0, 0]);
    return this.length;
  }

  closeChunk(bodyStart: number): void {
    new DataView(this.buffer.buffer).setUint32(bodyStart - 4, this.length - bodyStart);
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}
