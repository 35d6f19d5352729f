/** A running recording's waiting events, kept in columns: given back in order, as the store keeps them. */
import assert from "node:assert/strict";
import { PendingEvents } from "../../src/rooms/pendingEvents";
import type { RecordedEvent } from "../../src/storage/jamStore";

const T = 1_800_000_000_000.5;

describe("recording > pending events", () => {
  it("gives back notes, tempo and transport changes in the order they came, then nothing", () => {
    const pending = new PendingEvents();
    pending.pushNote(T, T + 120.25, "Zoë 🎛️", "drums", 36, 127, true);
    pending.pushTempo(T + 1, 97.5);
    pending.pushNote(T + 2, undefined, "Ann", "keys", 60, 1, false);
    pending.pushTransport(T + 3, false, 7);
    const expected: RecordedEvent[] = [
      { kind: "note", receivedAt: T, at: T + 120.25, musician: "Zoë 🎛️", instrument: "drums", note: 36, velocity: 127, on: true },
      { kind: "tempo", at: T + 1, tempo: 97.5 },
      { kind: "note", receivedAt: T + 2, musician: "Ann", instrument: "keys", note: 60, velocity: 1, on: false },
      { kind: "transport", at: T + 3, isPlaying: false, step: 7 },
    ];
    assert.deepEqual(pending.take(), expected);
    assert.deepEqual([pending.length, pending.take()], [0, []]);
  });

  it("grows past its first columns and keeps every event after being emptied", () => {
    const pending = new PendingEvents();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 1000; i++) pending.pushNote(T + i, undefined, `m${i % 9}`, "keys", i % 128, 1 + (i % 127), i % 2 === 0);
      const events = pending.take();
      assert.equal(events.length, 1000);
      assert.deepEqual(events[999], {
        kind: "note",
        receivedAt: T + 999,
        musician: "m0",
        instrument: "keys",
        note: 999 % 128,
        velocity: 1 + (999 % 127),
        on: false,
      });
    }
  });

  it("keeps only the newest events over its limit, counting what it dropped", () => {
    const pending = new PendingEvents(5);
    for (let i = 0; i < 200; i++) pending.pushTempo(T + i, 20 + i);
    assert.equal(pending.dropped, 195);
    assert.deepEqual(
      pending.take().map((event) => (event.kind === "tempo" ? event.tempo : 0)),
      [215, 216, 217, 218, 219],
    );
  });
});
