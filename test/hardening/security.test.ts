/**
 * Hardening: what a participant must not be able to do to the others — drive the transport
 * without the right, pass for someone else, kick or promote without being host, come back after
 * a kick, reach into another room, or keep flooding after it has been thrown out.
 *
 * The server clock is a ManualClock: token buckets and flood windows move only when a test moves
 * them, so "5 seconds of 2000 notes a second" is exact however slow the machine.
 */
import { CloseCode } from "../../src/protocol/codes";
import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import type { ErrorReply } from "../../src/protocol/serverMessages";
import type { JamState } from "../../src/schema/JamState";
import { collect, firstMessage, messageWhere, nextLeave, nextMessage, recordMessages, stateWhere } from "../../support/clients";
import { openJam as openJamWith, type Profile } from "../helpers/jam";
import { clientLeft, drop } from "../helpers/lifecycle";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

const codeAndType = ({ code, type }: ErrorReply) => ({ code, type });

describe("JamRoom security", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now });

  const openJam = (...profiles: [Profile, ...Profile[]]) => openJamWith(server, ...profiles);
  /** Ann creates (and hosts) the room; the transport policy is "host", the default. */
  const trio = () => openJam({ name: "Ann", instrument: "bass" }, { name: "Bob", instrument: "drums" }, { name: "Cy", instrument: "keys" });
  const serverState = (room: Room<JamState>) => server.colyseus.getRoomById<JamState>(room.roomId).state;

  /** Resolves once the server has handled everything `room` sent before (a ping is answered in order). */
  async function settled(room: Room<JamState>): Promise<void> {
    const pong = nextMessage(room, "pong");
    room.send("ping", { t: clock.time });
    await pong;
  }

  describe('the transport under the "host" policy', () => {
    const cases: Array<{ type: "tempo" | "play" | "pause" | "stop" | "seek"; payload: object; before: "stopped" | "playing" }> = [
      { type: "tempo", payload: { tempo: 200 }, before: "playing" },
      { type: "play", payload: { step: 5 }, before: "stopped" },
      { type: "pause", payload: {}, before: "playing" },
      { type: "stop", payload: {}, before: "playing" },
      { type: "seek", payload: { step: 7 }, before: "stopped" },
    ];

    for (const { type, payload, before } of cases) {
      it(`refuses ${type} from a non-host with NOT_ALLOWED, changes nothing, and takes the same ${type} from the host`, async () => {
        const [ann, bob, cy] = await trio();
        if (before === "playing") {
          ann.send("play", { step: 3 });
          await stateWhere(bob, (state) => state.isPlaying);
        }
        const stateBefore = serverState(ann).toJSON();
        const bobSaw = recordMessages(bob);
        const cySaw = recordMessages(cy);

        bob.send(type, payload);
        await settled(bob);

        assert.deepEqual(
          bobSaw.map(({ type: t, message }) => (t === "error" ? { error: codeAndType(message as ErrorReply) } : t)),
          [{ error: { code: "NOT_ALLOWED", type } }, "pong"],
        );
        assert.deepEqual(serverState(ann).toJSON(), stateBefore);
        assert.deepEqual(cySaw, []);
        // The payload was fine: from the host it does change the transport.
        ann.send(type, payload);
        await settled(ann);
        assert.notDeepEqual(serverState(ann).toJSON(), stateBefore);
      });
    }

    it("takes the transport away from a host that handed the role over", async () => {
      const [ann, bob] = await trio();
      ann.send("transferHost", { to: bob.sessionId });
      await stateWhere(ann, (state) => state.host === bob.sessionId);
      const annError = nextMessage(ann, "error");

      ann.send("tempo", { tempo: 90 });

      assert.deepEqual(codeAndType(await annError), { code: "NOT_ALLOWED", type: "tempo" });
      bob.send("tempo", { tempo: 91 });
      await stateWhere(ann, (state) => state.tempo === 91);
    });
  });

  describe("identity fields come from the connection, never from the payload", () => {
    it("note: senderId and instrument are the sender's", async () => {
      const [ann, bob, cy] = await trio();
      const cyGets = nextMessage(cy, "note");

      bob.send("note", { note: 60, seq: 1, senderId: ann.sessionId, instrument: "bass", name: "Ann", from: ann.sessionId });

      assert.deepEqual(await cyGets, { note: 60, velocity: 100, on: true, seq: 1, senderId: bob.sessionId, instrument: "drums" });
    });

    it("event: senderId is the sender's", async () => {
      const [ann, bob, cy] = await trio();
      const cyGets = nextMessage(cy, "event");

      bob.send("event", { eventName: "cue", payload: { senderId: ann.sessionId }, senderId: ann.sessionId, from: ann.sessionId });

      assert.deepEqual(await cyGets, { eventName: "cue", payload: { senderId: ann.sessionId }, senderId: bob.sessionId });
    });

    it("signal: from is the sender's, and only the addressee gets it", async () => {
      const [ann, bob, cy] = await trio();
      const annSaw = recordMessages(ann);
      const cyGets = nextMessage(cy, "signal");

      bob.send("signal", { to: cy.sessionId, kind: "offer", data: { sdp: "v=0" }, from: ann.sessionId, senderId: ann.sessionId });

      assert.deepEqual(await cyGets, { from: bob.sessionId, kind: "offer", data: { sdp: "v=0" } });
      await settled(ann);
      assert.deepEqual(
        annSaw.map(({ type }) => type),
        ["pong"],
      );
    });

    it("chat: name and senderId are the sender's, and at is the server's time", async () => {
      const [ann, bob, cy] = await trio();
      const gets = [ann, bob, cy].map((room) => nextMessage(room, "chat"));

      bob.send("chat", { text: "it's me, Ann", name: "Ann", senderId: ann.sessionId, at: 1 });

      for (const line of await Promise.all(gets)) {
        assert.deepEqual(line, { senderId: bob.sessionId, name: "Bob", text: "it's me, Ann", at: clock.time });
      }
    });
  });

  describe("host-only actions", () => {
    it("refuses kick from a non-host with NOT_ALLOWED; the target stays, connected", async () => {
      const [ann, bob, cy] = await trio();
      const bobError = nextMessage(bob, "error");
      let cyClosed: number | undefined;
      cy.onLeave((code) => (cyClosed = code));

      bob.send("kick", { sessionId: cy.sessionId });

      assert.deepEqual(codeAndType(await bobError), { code: "NOT_ALLOWED", type: "kick" });
      // A kick would have closed Cy before anything Cy sends afterwards reached Ann.
      const annHears = messageWhere(ann, "note", (note) => note.senderId === cy.sessionId);
      cy.send("note", { note: 60 });
      await annHears;
      assert.equal(cyClosed, undefined);
      assert.equal(serverState(ann).participants.get(cy.sessionId)?.connected, true);
    });

    it("refuses a non-host's kick of the host with NOT_ALLOWED", async () => {
      const [ann, bob] = await trio();
      const bobError = nextMessage(bob, "error");

      bob.send("kick", { sessionId: ann.sessionId });

      assert.deepEqual(codeAndType(await bobError), { code: "NOT_ALLOWED", type: "kick" });
      await settled(ann);
      assert.equal(serverState(ann).host, ann.sessionId);
      assert.equal(ann.connection.isOpen, true);
    });

    for (const target of ["self", "other"] as const) {
      it(`refuses transferHost from a non-host (to ${target === "self" ? "itself" : "someone else"}) with NOT_ALLOWED; the host stays`, async () => {
        const [ann, bob, cy] = await trio();
        const stateBefore = serverState(ann).toJSON();
        const bobError = nextMessage(bob, "error");

        bob.send("transferHost", { to: target === "self" ? bob.sessionId : cy.sessionId });

        assert.deepEqual(codeAndType(await bobError), { code: "NOT_ALLOWED", type: "transferHost" });
        await settled(bob);
        assert.deepEqual(serverState(ann).toJSON(), stateBefore);
        assert.equal(serverState(ann).participants.get(ann.sessionId)?.isHost, true);
      });
    }

    it("answers the host's kick and transferHost aimed at another room's participant with NOT_FOUND; that room is untouched", async () => {
      const [ann] = await trio();
      const [zed, yan] = await openJam({ name: "Zed" }, { name: "Yan" });
      const otherBefore = serverState(zed).toJSON();
      const annErrors = collect(ann, "error");
      let yanClosed: number | undefined;
      yan.onLeave((code) => (yanClosed = code));

      ann.send("kick", { sessionId: yan.sessionId });
      ann.send("transferHost", { to: yan.sessionId });
      ann.send("transferHost", { to: zed.sessionId });
      await settled(ann);

      assert.deepEqual(annErrors.map(codeAndType), [
        { code: "NOT_FOUND", type: "kick" },
        { code: "NOT_FOUND", type: "transferHost" },
        { code: "NOT_FOUND", type: "transferHost" },
      ]);
      const zedHears = messageWhere(zed, "note", (note) => note.senderId === yan.sessionId);
      yan.send("note", { note: 60 });
      await zedHears;
      assert.equal(yanClosed, undefined);
      assert.deepEqual(serverState(zed).toJSON(), otherBefore);
      assert.equal(serverState(ann).host, ann.sessionId);
    });

    it('answers targets named like Object.prototype members ("__proto__", "constructor", "toString") with NOT_FOUND', async () => {
      const [ann] = await trio();
      const stateBefore = serverState(ann).toJSON();
      const annErrors = collect(ann, "error");

      for (const name of ["__proto__", "constructor", "toString"]) {
        ann.send("kick", { sessionId: name });
        ann.send("transferHost", { to: name });
        ann.send("signal", { to: name, kind: "ice", data: null });
      }
      await settled(ann);

      assert.deepEqual(
        annErrors.map(codeAndType),
        ["__proto__", "constructor", "toString"].flatMap(() => [
          { code: "NOT_FOUND", type: "kick" },
          { code: "NOT_FOUND", type: "transferHost" },
          { code: "NOT_FOUND", type: "signal" },
        ]),
      );
      assert.deepEqual(serverState(ann).toJSON(), stateBefore);
    });
  });

  describe("kicked participants", () => {
    it("closes a kicked client with 4001, removes it at once and refuses its reconnection token", async () => {
      const [ann, , cy] = await trio();
      const token = cy.reconnectionToken;
      const cyClosed = nextLeave(cy);

      ann.send("kick", { sessionId: cy.sessionId });

      assert.equal(await cyClosed, CloseCode.KICKED);
      assert.equal(serverState(ann).participants.has(cy.sessionId), false);
      await assert.rejects(server.colyseus.sdk.reconnect<JamState>(token));
      await settled(ann);
      assert.equal(serverState(ann).participants.has(cy.sessionId), false);
      assert.equal(serverState(ann).participants.size, 2);
    });

    it("refuses the token of a client kicked while within its reconnection grace", async () => {
      const [ann, , cy] = await trio();
      const token = cy.reconnectionToken;
      await drop(cy);
      await stateWhere(ann, (state) => state.participants.get(cy.sessionId)?.connected === false);

      ann.send("kick", { sessionId: cy.sessionId });
      await stateWhere(ann, (state) => !state.participants.has(cy.sessionId));

      await assert.rejects(server.colyseus.sdk.reconnect<JamState>(token));
      await settled(ann);
      assert.equal(serverState(ann).participants.has(cy.sessionId), false);
    });
  });

  describe("signal across rooms", () => {
    it("refuses a signal to a participant of another room with NOT_FOUND and never delivers it", async () => {
      const [, bob] = await trio();
      const [zed, yan] = await openJam({ name: "Zed" }, { name: "Yan" });
      const zedFirst = firstMessage(zed);
      const bobError = nextMessage(bob, "error");

      bob.send("signal", { to: zed.sessionId, kind: "offer", data: { sdp: "v=0" } });

      assert.deepEqual(codeAndType(await bobError), { code: "NOT_FOUND", type: "signal" });
      // The first thing Zed hears is Yan's note, sent after Bob's signal was refused.
      yan.send("note", { note: 60, seq: 7 });
      assert.deepEqual(await zedFirst, {
        type: "note",
        message: { note: 60, velocity: 100, on: true, seq: 7, senderId: yan.sessionId, instrument: "piano" },
      });
    });
  });

  describe("flooding", () => {
    /** Ticks of 100 ms on the server clock; in each the flooder sends `burst` messages, Bea one note Ben must hear. */
    async function flood(kind: "note" | "event", burst: number) {
      const [, flooder, bea, ben] = await openJam({ name: "Host" }, { name: "Flo", instrument: "kazoo" }, { name: "Bea" }, { name: "Ben" });
      const serverRoom = server.colyseus.getRoomById<JamState>(flooder.roomId);
      const floodId = flooder.sessionId;
      const token = flooder.reconnectionToken;
      const benNotes = collect(ben, "note");
      const benEvents = collect(ben, "event");
      const leaveHandled = clientLeft(serverRoom, floodId, 30_000);
      let closeCode: number | undefined;
      let inStateAtClose: boolean | undefined;
      const closed = new Promise<void>((resolve) =>
        flooder.onLeave((code) => {
          closeCode = code;
          inStateAtClose = serverRoom.state.participants.has(floodId);
          resolve();
        }),
      );

      const start = clock.time;
      let ticks = 0;
      for (; closeCode === undefined && ticks < 100; ticks++) {
        for (let i = 0; i < burst; i++) {
          if (kind === "note") flooder.send("note", { note: 60, seq: ticks * burst + i });
          else flooder.send("event", { eventName: "spam", payload: ticks * burst + i });
        }
        const pong = nextMessage(flooder, "pong", 2000).catch(() => undefined);
        flooder.send("ping", { t: ticks });
        await Promise.race([pong, closed]);
        const heard = messageWhere(ben, "note", (note) => note.senderId === bea.sessionId && note.seq === ticks);
        bea.send("note", { note: 64, seq: ticks });
        await heard;
        clock.advance(100);
      }
      await leaveHandled;
      // Everything the server relayed before Bea's last note has reached Ben.
      const last = messageWhere(ben, "note", (note) => note.senderId === bea.sessionId && note.seq === 999);
      bea.send("note", { note: 64, seq: 999 });
      await last;
      const floodedMs = clock.time - start;
      return { flooder, bea, ben, floodId, token, closeCode, inStateAtClose, ticks, floodedMs, benNotes, benEvents };
    }

    it("disconnects a client sending 2000 notes/s for seconds with 4029, removes it at once and refuses its token; the others play on", async () => {
      const run = await flood("note", 200);

      assert.equal(run.closeCode, CloseCode.FLOODING);
      assert.equal(run.inStateAtClose, false, "still a participant (in grace?) when its connection closed");
      // Five flooded one-second windows in a row trip it (default policy): within the fifth second.
      assert.ok(run.floodedMs > 4000 && run.floodedMs <= 5000, `disconnected after ${run.floodedMs} ms of flooding`);
      await stateWhere(run.ben, (state) => !state.participants.has(run.floodId), 1000);
      await assert.rejects(server.colyseus.sdk.reconnect<JamState>(run.token));
      // Ben heard every one of Bea's notes, in order, throughout.
      assert.deepEqual(
        run.benNotes.filter((note) => note.senderId === run.bea.sessionId).map((note) => note.seq),
        [...Array.from({ length: run.ticks }, (_, i) => i), 999],
      );
      // Of the flood, no more than the budget (burst 100, 50/s) reached Ben.
      const fromFlooder = run.benNotes.filter((note) => note.senderId === run.floodId).length;
      assert.ok(fromFlooder <= 100 + (50 * run.floodedMs) / 1000, `${fromFlooder} of the flooder's notes reached Ben`);
    });

    it("relays nothing the flooder had already sent when it was removed: what reaches the others stays within its budget", async () => {
      // 3000 events/s against a budget of 20/s: tripped (5 windows over 200) in the middle of a
      // burst, with the rest of that burst already on its way to the server.
      const run = await flood("event", 300);

      assert.equal(run.closeCode, CloseCode.FLOODING);
      assert.equal(run.inStateAtClose, false);
      const fromFlooder = run.benEvents.filter((event) => event.senderId === run.floodId).length;
      const budget = 20 + (20 * run.floodedMs) / 1000;
      assert.ok(
        fromFlooder <= budget,
        `${fromFlooder} events from the flooder reached Ben in ${run.floodedMs} ms; its budget (burst 20, 20/s) allows ${budget}: ` +
          "the messages it sent before its connection closed were relayed after it was removed, with no rate limit",
      );
    });
  });
});
