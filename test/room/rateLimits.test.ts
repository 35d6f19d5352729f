import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import type { JamState } from "../../src/schema/JamState";
import { collect, messageWhere, nextMessage, stateWhere } from "../../support/clients";
import { openJam } from "../helpers/jam";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

/**
 * The server clock stands still unless a test moves it, so the token buckets refill only when a
 * test says so: "within the first second" is exact, however slow the machine.
 */
describe("JamRoom", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now });

  const trio = () => openJam(server, { name: "Ann" }, { name: "Bob" }, { name: "Cy" });

  /** Resolves once the server has handled everything `room` sent before (a ping is answered in order). */
  async function settled(room: Room<JamState>): Promise<void> {
    const pong = nextMessage(room, "pong");
    room.send("ping", { t: clock.time });
    await pong;
  }

  /**
   * Resolves once `receivers` have got everything `sender` sent before: the sender sends an event
   * (its own budget), relayed in order after everything it sent earlier.
   */
  async function delivered(sender: Room<JamState>, receivers: Room<JamState>[], mark: string): Promise<void> {
    const arrivals = receivers.map((room) => messageWhere(room, "event", (event) => event.eventName === mark));
    sender.send("event", { eventName: mark });
    await Promise.all(arrivals);
  }

  const seqsFrom = (notes: { senderId: string; seq?: number }[], sender: Room<JamState>) =>
    notes.filter((note) => note.senderId === sender.sessionId).map((note) => note.seq);
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

  describe("rate limit of note (50/s, burst 100)", () => {
    it("drops a flooder's excess with exactly one RATE_LIMITED, while another client's notes still arrive", async () => {
      const [ann, bob, cy] = await trio();
      const annErrors = collect(ann, "error");
      const bobErrors = collect(bob, "error");
      const annNotes = collect(ann, "note");
      const bobNotes = collect(bob, "note");
      const cyNotes = collect(cy, "note");

      for (let seq = 0; seq < 150; seq++) ann.send("note", { note: 60, seq });
      for (let seq = 1000; seq < 1010; seq++) bob.send("note", { note: 64, seq });

      await Promise.all([settled(ann), settled(bob)]);
      await Promise.all([delivered(ann, [bob, cy], "ann-done"), delivered(bob, [ann, cy], "bob-done")]);
      // The first 100 (the burst) went through, the other 50 were dropped.
      assert.deepEqual(seqsFrom(bobNotes, ann), range(0, 100));
      assert.deepEqual(seqsFrom(cyNotes, ann), range(0, 100));
      assert.equal(annErrors.length, 1);
      assert.deepEqual({ code: annErrors[0]?.code, type: annErrors[0]?.type }, { code: "RATE_LIMITED", type: "note" });
      // Bob was not slowed by Ann's flood.
      assert.deepEqual(seqsFrom(annNotes, bob), range(1000, 10));
      assert.deepEqual(seqsFrom(cyNotes, bob), range(1000, 10));
      assert.deepEqual(bobErrors, []);
    });

    it("refills at 50 notes a second and tells the flooder at most once a second", async () => {
      const [ann, bob] = await trio();
      const annErrors = collect(ann, "error");
      const bobNotes = collect(bob, "note");

      for (let seq = 0; seq < 150; seq++) ann.send("note", { note: 60, seq });
      await settled(ann);
      assert.equal(annErrors.length, 1);

      clock.advance(500); // 25 notes' worth
      for (let seq = 200; seq < 230; seq++) ann.send("note", { note: 60, seq });
      await settled(ann);
      assert.equal(annErrors.length, 1, "a second RATE_LIMITED within the same second");

      clock.advance(500); // 25 more, and a second since the notice
      for (let seq = 300; seq < 330; seq++) ann.send("note", { note: 60, seq });
      await settled(ann);
      await delivered(ann, [bob], "ann-done");

      assert.deepEqual(seqsFrom(bobNotes, ann), [...range(0, 100), ...range(200, 25), ...range(300, 25)]);
      assert.deepEqual(
        annErrors.map(({ code, type }) => ({ code, type })),
        [
          { code: "RATE_LIMITED", type: "note" },
          { code: "RATE_LIMITED", type: "note" },
        ],
      );
    });
  });

  describe("rate limit of chat (5/s, burst 5)", () => {
    it("drops a flooder's excess with exactly one RATE_LIMITED, while another client's chat still arrives", async () => {
      const [ann, bob, cy] = await trio();
      const annErrors = collect(ann, "error");
      const bobErrors = collect(bob, "error");
      const chats = [ann, bob, cy].map((room) => collect(room, "chat"));

      for (let i = 0; i < 8; i++) ann.send("chat", { text: `ann ${i}` });
      await settled(ann);
      // Everything Ann's chats caused has gone out; Bob's line comes after it for everyone.
      const bobLine = [ann, bob, cy].map((room) => messageWhere(room, "chat", (line) => line.text === "bob 0"));
      bob.send("chat", { text: "bob 0" });
      await Promise.all(bobLine);
      await settled(bob);

      for (const received of chats) {
        assert.deepEqual(
          received.map((line) => line.text),
          ["ann 0", "ann 1", "ann 2", "ann 3", "ann 4", "bob 0"],
        );
      }
      assert.deepEqual(
        annErrors.map(({ code, type }) => ({ code, type })),
        [{ code: "RATE_LIMITED", type: "chat" }],
      );
      assert.deepEqual(bobErrors, []);
    });

    it("lets the flooder chat again once the bucket refills", async () => {
      const [ann, bob] = await trio();
      const annErrors = collect(ann, "error");
      const bobChats = collect(bob, "chat");

      for (let i = 0; i < 6; i++) ann.send("chat", { text: `first ${i}` });
      await settled(ann);
      clock.advance(200); // one chat's worth
      ann.send("chat", { text: "second 0" });
      ann.send("chat", { text: "second 1" });
      await settled(ann);
      const last = messageWhere(bob, "chat", (line) => line.text === "third");
      clock.advance(1000);
      ann.send("chat", { text: "third" });
      await last;

      assert.deepEqual(
        bobChats.map((line) => line.text),
        ["first 0", "first 1", "first 2", "first 3", "first 4", "second 0", "third"],
      );
      assert.deepEqual(
        annErrors.map(({ code, type }) => ({ code, type })),
        [{ code: "RATE_LIMITED", type: "chat" }],
      );
    });
  });

  describe("the other budgets of the contract", () => {
    it("event: 20 at once, then RATE_LIMITED", async () => {
      const [ann, bob] = await trio();
      const annErrors = collect(ann, "error");
      const bobEvents = collect(bob, "event");

      for (let i = 0; i < 25; i++) ann.send("event", { eventName: `e${i}` });
      await settled(ann);
      // Ann's next note (its own budget) is relayed after every event she got through.
      const marker = messageWhere(bob, "note", () => true);
      ann.send("note", { note: 60 });
      await marker;

      assert.deepEqual(
        bobEvents.map((event) => event.eventName),
        range(0, 20).map((i) => `e${i}`),
      );
      assert.deepEqual(
        annErrors.map(({ code, type }) => ({ code, type })),
        [{ code: "RATE_LIMITED", type: "event" }],
      );
    });

    it("ping: a burst of 20, then RATE_LIMITED", async () => {
      const [ann] = await trio();
      const annErrors = collect(ann, "error");
      const pongs = collect(ann, "pong");

      for (let t = 0; t < 25; t++) ann.send("ping", { t });
      // Chat has its own budget and is answered in order, after every pong.
      const chat = nextMessage(ann, "chat");
      ann.send("chat", { text: "done" });
      await chat;

      assert.deepEqual(
        pongs.map((pong) => pong.t),
        range(0, 20),
      );
      assert.deepEqual(
        annErrors.map(({ code, type }) => ({ code, type })),
        [{ code: "RATE_LIMITED", type: "ping" }],
      );
    });

    it("signal: 50 at once, then RATE_LIMITED", async () => {
      const [ann, bob] = await trio();
      const annErrors = collect(ann, "error");
      const signals = collect(bob, "signal");

      for (let i = 0; i < 55; i++) ann.send("signal", { to: bob.sessionId, kind: "ice", data: i });
      await settled(ann);
      await delivered(ann, [bob], "ann-done");

      assert.deepEqual(
        signals.map((signal) => signal.data),
        range(0, 50),
      );
      assert.deepEqual(
        annErrors.map(({ code, type }) => ({ code, type })),
        [{ code: "RATE_LIMITED", type: "signal" }],
      );
    });

    it("transport: 10 at once, then RATE_LIMITED", async () => {
      const [ann, bob] = await trio();
      const annErrors = collect(ann, "error");

      for (let i = 0; i < 15; i++) ann.send("tempo", { tempo: 100 + i });
      await settled(ann);

      assert.equal(server.colyseus.getRoomById<JamState>(ann.roomId).state.tempo, 109);
      await stateWhere(bob, (state) => state.tempo === 109);
      assert.deepEqual(
        annErrors.map(({ code, type }) => ({ code, type })),
        [{ code: "RATE_LIMITED", type: "tempo" }],
      );
    });

    it("pattern edits: a burst of 60, then RATE_LIMITED", async () => {
      const [ann] = await trio();
      const annErrors = collect(ann, "error");

      ann.send("addTrack", { id: "t1", instrument: "kick" });
      for (let i = 0; i < 65; i++) ann.send("setStep", { track: "t1", step: i % 16, on: true, note: i });
      await settled(ann);

      // The addTrack and setSteps 0–58 went through; 59–64 were dropped.
      const steps = server.colyseus.getRoomById<JamState>(ann.roomId).state.tracks.get("t1")?.steps;
      assert.deepEqual(
        steps?.map((step) => step.note),
        range(0, 16).map((s) => Math.max(...range(0, 59).filter((i) => i % 16 === s))),
      );
      assert.deepEqual(
        annErrors.map(({ code, type }) => ({ code, type })),
        [{ code: "RATE_LIMITED", type: "setStep" }],
      );
    });
  });

  it("unknown message types: a burst of 10 answered with BAD_REQUEST, then one RATE_LIMITED and silence", async () => {
    const [ann] = await trio();
    const annErrors = collect(ann, "error");

    for (let i = 0; i < 30; i++) ann.send("nonsense", {});
    await settled(ann);

    assert.deepEqual(
      annErrors.map(({ code, type }) => ({ code, type })),
      [...Array.from({ length: 10 }, () => ({ code: "BAD_REQUEST", type: "nonsense" })), { code: "RATE_LIMITED", type: "nonsense" }],
    );
  });
});
