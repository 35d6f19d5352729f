import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import type { ErrorReply } from "../../src/protocol/serverMessages";
import type { JamState } from "../../src/schema/JamState";
import {
  collect,
  firstMessage,
  messageWhere,
  nextMessage,
  recordMessages,
  stateWhere,
  synced,
  type ReceivedMessage,
} from "../../support/clients";
import { openJam as openJamWith, type Profile } from "../helpers/jam";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

/** `code` and `type` of an `error` message, to compare in one go. */
function codeAndType(received: ReceivedMessage): { type: string | number; code?: string; errorType?: string } {
  if (received.type !== "error") return { type: received.type };
  const { code, type } = received.message as ErrorReply;
  return { type: "error", code, errorType: type };
}

describe("JamRoom", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now });

  const openJam = (...profiles: [Profile, ...Profile[]]) => openJamWith(server, ...profiles);

  const trio = () => openJam({ name: "Ann", instrument: "bass" }, { name: "Bob", instrument: "drums" }, { name: "Cy" });

  /** The note `sender` relays when it sends `{ note: 72, seq }`, as others receive it. */
  const markerNote = (sender: Room<JamState>, instrument: string, seq: number): ReceivedMessage => ({
    type: "note",
    message: { note: 72, velocity: 100, on: true, seq, senderId: sender.sessionId, instrument },
  });

  describe('onMessage("event")', () => {
    it("relays { eventName, payload, senderId } to every other participant and not back to the sender", async () => {
      const [ann, bob, cy] = await trio();
      const annGets = firstMessage(ann);
      const bobGets = firstMessage(bob);
      const cyGets = firstMessage(cy);
      const payload = { bar: 3, fx: ["reverb", null, true, 0.5], nested: { deep: { deeper: "yes" } } };

      ann.send("event", { eventName: "cue:drop", payload });

      const expected = { type: "event", message: { eventName: "cue:drop", payload, senderId: ann.sessionId } };
      assert.deepEqual(await bobGets, expected);
      assert.deepEqual(await cyGets, expected);
      bob.send("note", { note: 72, seq: 1 });
      assert.deepEqual(await annGets, markerNote(bob, "drums", 1));
    });

    it("takes senderId from the connection and relays no extra field", async () => {
      const [ann, bob, cy] = await trio();
      const bobGets = nextMessage(bob, "event");

      ann.send("event", { eventName: "hello", payload: 1, senderId: cy.sessionId, name: "Cy", extra: "x" });

      assert.deepEqual(await bobGets, { eventName: "hello", payload: 1, senderId: ann.sessionId });
    });

    it("accepts every allowed eventName character, 64 characters, no payload, and any JSON payload up to 2 KB", async () => {
      const [ann, bob] = await trio();
      const received = collect(bob, "event");
      const longName = "Az09:_.-".repeat(8);
      const bigPayload = "x".repeat(2000 - 2); // 2000 bytes as JSON
      const sent = [
        { eventName: "a" },
        { eventName: longName, payload: null },
        { eventName: "n", payload: -1.25 },
        { eventName: "s", payload: "text" },
        { eventName: "arr", payload: [1, [2, [3]]] },
        { eventName: "big", payload: bigPayload },
      ];

      for (const event of sent) ann.send("event", event);
      await messageWhere(bob, "event", (event) => event.eventName === "big");

      assert.equal(longName.length, 64);
      assert.deepEqual(
        received.map(({ eventName, payload }) => ({ eventName, payload })),
        sent.map(({ eventName, payload }) => ({ eventName, payload })),
      );
      assert.ok(received.every((event) => event.senderId === ann.sessionId));
    });

    const invalid: Array<[string, unknown]> = [
      ["a missing eventName", { payload: 1 }],
      ["an empty eventName", { eventName: "" }],
      ["a 65-character eventName", { eventName: "e".repeat(65) }],
      ["an eventName with a space", { eventName: "drop the bass" }],
      ["an eventName with a non-ASCII letter", { eventName: "caf\u00e9" }],
      ["a numeric eventName", { eventName: 42 }],
      ["a payload over 2 KB", { eventName: "big", payload: "x".repeat(2049) }],
      ["a binary payload", { eventName: "bin", payload: new Uint8Array([1, 2, 3]) }],
      ["a non-object message", "cue:drop"],
    ];
    for (const [label, payload] of invalid) {
      it(`answers ${label} with BAD_REQUEST to the sender only and relays nothing`, async () => {
        const [ann, bob, cy] = await trio();
        const annGets = firstMessage(ann);
        const bobGets = firstMessage(bob);
        const cyGets = firstMessage(cy);

        ann.send("event", payload);
        ann.send("note", { note: 72, seq: 1 });

        assert.deepEqual(codeAndType(await annGets), { type: "error", code: "BAD_REQUEST", errorType: "event" });
        assert.deepEqual(await bobGets, markerNote(ann, "bass", 1));
        assert.deepEqual(await cyGets, markerNote(ann, "bass", 1));
        assert.equal(ann.connection.isOpen, true);
      });
    }
  });

  describe('onMessage("chat")', () => {
    it("sends { senderId, name, text, at } to everyone, sender included, stamped with the server time", async () => {
      const [ann, bob, cy] = await trio();
      clock.advance(1234);
      const gets = [ann, bob, cy].map((room) => firstMessage(room));

      ann.send("chat", { text: "hello jam" });

      const expected = { type: "chat", message: { senderId: ann.sessionId, name: "Ann", text: "hello jam", at: clock.time } };
      for (const received of await Promise.all(gets)) assert.deepEqual(received, expected);
    });

    it("takes senderId and name from the connection, not from the payload", async () => {
      const [ann, bob, cy] = await trio();
      const bobGets = nextMessage(bob, "chat");

      ann.send("chat", { text: "hi", name: "Cy", senderId: cy.sessionId, at: 1 });

      assert.deepEqual(await bobGets, { senderId: ann.sessionId, name: "Ann", text: "hi", at: clock.time });
    });

    it("accepts 1 and 500 characters", async () => {
      const [ann, bob] = await trio();
      const received = collect(bob, "chat");
      const longest = "w".repeat(500);

      ann.send("chat", { text: "k" });
      ann.send("chat", { text: longest });
      await messageWhere(bob, "chat", (line) => line.text === longest);

      assert.deepEqual(
        received.map((line) => line.text),
        ["k", longest],
      );
    });

    const invalid: Array<[string, unknown]> = [
      ["empty text", { text: "" }],
      ["501 characters", { text: "w".repeat(501) }],
      ["text as a number", { text: 42 }],
      ["a missing text", {}],
    ];
    for (const [label, payload] of invalid) {
      it(`answers ${label} with BAD_REQUEST to the sender only and sends no chat`, async () => {
        const [ann, bob, cy] = await trio();
        const annSaw = recordMessages(ann);
        const bobGets = firstMessage(bob);
        const cyGets = firstMessage(cy);
        const annGetsMarker = messageWhere(ann, "chat", (line) => line.text === "marker");

        ann.send("chat", payload);
        ann.send("chat", { text: "marker" });

        const marker = { type: "chat", message: { senderId: ann.sessionId, name: "Ann", text: "marker", at: clock.time } };
        assert.deepEqual(await bobGets, marker);
        assert.deepEqual(await cyGets, marker);
        await annGetsMarker;
        assert.deepEqual(annSaw.map(codeAndType), [{ type: "error", code: "BAD_REQUEST", errorType: "chat" }, { type: "chat" }]);
      });
    }
  });

  describe('onMessage("instrument")', () => {
    it("sets the sender's own instrument, seen by the others, and no one else's", async () => {
      const [ann, bob, cy] = await trio();

      bob.send("instrument", { instrument: "synth lead" });

      for (const room of [ann, bob, cy]) {
        await stateWhere(room, (state) => state.participants.get(bob.sessionId)?.instrument === "synth lead");
        assert.equal(room.state.participants.get(ann.sessionId)?.instrument, "bass");
        assert.equal(room.state.participants.get(cy.sessionId)?.instrument, "piano");
      }
    });

    it("accepts 32 characters", async () => {
      const [ann, bob] = await trio();
      const longest = "i".repeat(32);

      ann.send("instrument", { instrument: longest });

      await stateWhere(bob, (state) => state.participants.get(ann.sessionId)?.instrument === longest);
    });

    const invalid: Array<[string, unknown]> = [
      ["an empty instrument", { instrument: "" }],
      ["33 characters", { instrument: "i".repeat(33) }],
      ["a number", { instrument: 7 }],
      ["a missing instrument", {}],
      ["a control character", { instrument: "bass\nline" }],
    ];
    for (const [label, payload] of invalid) {
      it(`answers ${label} with BAD_REQUEST and changes nothing`, async () => {
        const [ann, bob] = await trio();
        const annGets = firstMessage(ann);

        ann.send("instrument", payload);
        ann.send("mute", { muted: true });

        assert.deepEqual(codeAndType(await annGets), { type: "error", code: "BAD_REQUEST", errorType: "instrument" });
        await stateWhere(bob, (state) => state.participants.get(ann.sessionId)?.muted === true);
        assert.equal(bob.state.participants.get(ann.sessionId)?.instrument, "bass");
      });
    }
  });

  describe('onMessage("mute")', () => {
    it("sets the sender's own muted flag, seen by the others", async () => {
      const [ann, bob, cy] = await trio();

      cy.send("mute", { muted: true });
      await stateWhere(ann, (state) => state.participants.get(cy.sessionId)?.muted === true);
      assert.equal(ann.state.participants.get(bob.sessionId)?.muted, false);

      cy.send("mute", { muted: false });
      await stateWhere(bob, (state) => state.participants.get(cy.sessionId)?.muted === false);
    });

    for (const [label, payload] of [
      ["muted as a string", { muted: "yes" }],
      ["a missing muted", {}],
    ] as Array<[string, unknown]>) {
      it(`answers ${label} with BAD_REQUEST and changes nothing`, async () => {
        const [ann, bob] = await trio();
        const annGets = firstMessage(ann);

        ann.send("mute", payload);
        ann.send("instrument", { instrument: "marker" });

        assert.deepEqual(codeAndType(await annGets), { type: "error", code: "BAD_REQUEST", errorType: "mute" });
        await stateWhere(bob, (state) => state.participants.get(ann.sessionId)?.instrument === "marker");
        assert.equal(bob.state.participants.get(ann.sessionId)?.muted, false);
      });
    }
  });

  describe('onMessage("ping")', () => {
    it("answers the sender only with pong { t, serverTime } on the server clock", async () => {
      const [ann, bob, cy] = await trio();
      const bobGets = firstMessage(bob);
      const cyGets = firstMessage(cy);
      clock.advance(777);
      const annGets = firstMessage(ann);

      ann.send("ping", { t: 123.25 });

      assert.deepEqual(await annGets, { type: "pong", message: { t: 123.25, serverTime: clock.time } });
      ann.send("note", { note: 72, seq: 1 });
      assert.deepEqual(await bobGets, markerNote(ann, "bass", 1));
      assert.deepEqual(await cyGets, markerNote(ann, "bass", 1));
    });

    it("follows the server clock from one ping to the next", async () => {
      const [ann] = await trio();
      const first = nextMessage(ann, "pong");
      ann.send("ping", { t: -1 });
      const firstPong = await first;
      clock.advance(60_000);
      const second = nextMessage(ann, "pong");
      ann.send("ping", { t: 2 });
      const secondPong = await second;

      assert.deepEqual(firstPong, { t: -1, serverTime: clock.time - 60_000 });
      assert.deepEqual(secondPong, { t: 2, serverTime: clock.time });
    });

    for (const [label, payload] of [
      ["t as a string", { t: "now" }],
      ["a missing t", {}],
    ] as Array<[string, unknown]>) {
      it(`answers ${label} with BAD_REQUEST and no pong`, async () => {
        const [ann] = await trio();
        const annSaw = recordMessages(ann);

        ann.send("ping", payload);
        ann.send("ping", { t: 5 });
        await nextMessage(ann, "pong");

        assert.deepEqual(annSaw.map(codeAndType), [{ type: "error", code: "BAD_REQUEST", errorType: "ping" }, { type: "pong" }]);
        assert.deepEqual(annSaw[1]?.message, { t: 5, serverTime: clock.time });
      });
    }
  });

  describe('onMessage("signal")', () => {
    it("delivers { from, kind, data } to `to` only", async () => {
      const [ann, bob, cy] = await trio();
      const annGets = firstMessage(ann);
      const bobGets = firstMessage(bob);
      const cyGets = firstMessage(cy);
      const data = { type: "offer", sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n" };

      ann.send("signal", { to: bob.sessionId, kind: "offer", data });

      assert.deepEqual(await bobGets, { type: "signal", message: { from: ann.sessionId, kind: "offer", data } });
      ann.send("note", { note: 72, seq: 1 });
      assert.deepEqual(await cyGets, markerNote(ann, "bass", 1));
      bob.send("note", { note: 72, seq: 2 });
      assert.deepEqual(await annGets, markerNote(bob, "drums", 2));
    });

    it("delivers every kind, in order", async () => {
      const [ann, bob] = await trio();
      const received = collect(bob, "signal");
      const sent = [
        { kind: "offer", data: { sdp: "o" } },
        { kind: "answer", data: { sdp: "a" } },
        { kind: "ice", data: { candidate: "candidate:1 1 UDP 2122252543 10.0.0.2 5000 typ host", sdpMLineIndex: 0 } },
      ] as const;

      for (const { kind, data } of sent) ann.send("signal", { to: bob.sessionId, kind, data });
      await messageWhere(bob, "signal", (signal) => signal.kind === "ice");

      assert.deepEqual(
        received,
        sent.map(({ kind, data }) => ({ from: ann.sessionId, kind, data })),
      );
    });

    it("sets `from` from the connection, never from the payload", async () => {
      const [ann, bob, cy] = await trio();
      const bobGets = nextMessage(bob, "signal");

      ann.send("signal", { to: bob.sessionId, kind: "ice", data: { c: 1 }, from: cy.sessionId, senderId: cy.sessionId });

      assert.deepEqual(await bobGets, { from: ann.sessionId, kind: "ice", data: { c: 1 } });
    });

    it("answers an unknown `to` with NOT_FOUND to the sender only", async () => {
      const [ann, bob, cy] = await trio();
      const annGets = firstMessage(ann);
      const bobGets = firstMessage(bob);
      const cyGets = firstMessage(cy);

      ann.send("signal", { to: "no-such-session", kind: "offer", data: {} });
      ann.send("note", { note: 72, seq: 1 });

      assert.deepEqual(codeAndType(await annGets), { type: "error", code: "NOT_FOUND", errorType: "signal" });
      assert.deepEqual(await bobGets, markerNote(ann, "bass", 1));
      assert.deepEqual(await cyGets, markerNote(ann, "bass", 1));
    });

    for (const [label, payload] of [
      ['kind "bye"', (to: string) => ({ to, kind: "bye", data: {} })],
      ["a missing kind", (to: string) => ({ to, data: {} })],
      ["a missing to", () => ({ kind: "offer", data: {} })],
      ["data over 12 KB", (to: string) => ({ to, kind: "offer", data: { sdp: "s".repeat(12 * 1024) } })],
    ] as Array<[string, (to: string) => unknown]>) {
      it(`answers ${label} with BAD_REQUEST and delivers nothing`, async () => {
        const [ann, bob, cy] = await trio();
        const annGets = firstMessage(ann);
        const bobGets = firstMessage(bob);
        const cyGets = firstMessage(cy);

        ann.send("signal", payload(bob.sessionId));
        ann.send("note", { note: 72, seq: 1 });

        assert.deepEqual(codeAndType(await annGets), { type: "error", code: "BAD_REQUEST", errorType: "signal" });
        assert.deepEqual(await bobGets, markerNote(ann, "bass", 1));
        assert.deepEqual(await cyGets, markerNote(ann, "bass", 1));
      });
    }
  });

  describe("an unknown message type", () => {
    for (const type of ["dance", "pong", "error", "__no_message_handler", "*", "constructor", "__proto__", "toString"]) {
      it(`answers "${type}" with BAD_REQUEST naming the type, relays nothing and keeps the connection open`, async () => {
        const [ann, bob, cy] = await trio();
        const annGets = firstMessage(ann);
        const bobGets = firstMessage(bob);
        const cyGets = firstMessage(cy);

        ann.send(type, { t: 1, code: "X", note: 60 });
        ann.send("note", { note: 72, seq: 1 });

        assert.deepEqual(codeAndType(await annGets), { type: "error", code: "BAD_REQUEST", errorType: type });
        assert.deepEqual(await bobGets, markerNote(ann, "bass", 1));
        assert.deepEqual(await cyGets, markerNote(ann, "bass", 1));
        assert.equal(ann.connection.isOpen, true);
      });
    }
  });

  describe("a message handler that throws", () => {
    it("keeps the room working for everyone, and the process alive, after a handler throws", async () => {
      const [ann, bob, cy] = await trio();
      const serverRoom = server.colyseus.getRoomById<JamState>(ann.roomId);
      // The note handler looks `relayNote` up on the instance at call time: make the next call throw.
      const patchable = serverRoom as unknown as Record<string, unknown>;
      let thrown = 0;
      patchable.relayNote = () => {
        delete patchable.relayNote;
        thrown++;
        throw new Error("boom");
      };
      const bobGets = firstMessage(bob);

      ann.send("note", { note: 60, seq: 1 });
      ann.send("note", { note: 72, seq: 2 });

      // The note whose handler threw reached no one; the next one is relayed as usual.
      assert.deepEqual(await bobGets, markerNote(ann, "bass", 2));
      assert.equal(thrown, 1);
      const chats = [ann, bob, cy].map((room) => messageWhere(room, "chat", (line) => line.text === "still here"));
      bob.send("chat", { text: "still here" });
      await Promise.all(chats);
      cy.send("mute", { muted: true });
      await stateWhere(ann, (state) => state.participants.get(cy.sessionId)?.muted === true);
      const dee = await server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "Dee" });
      dee.onMessage("*", () => undefined);
      await synced(dee);
      await stateWhere(ann, (state) => state.participants.size === 4);
      const health = await server.colyseus.http.get("/health");
      assert.equal(health.statusCode, 200);
      assert.equal((health.data as { status: string }).status, "ok");
    });
  });
});
