/**
 * Names and labels that would corrupt the state or deceive the others: lone surrogates (broken
 * UTF-8 for every client, late joiners too), bidi overrides, invisible names, look-alikes.
 */
import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import { JoinError } from "../../src/protocol/errors";
import type { JamState } from "../../src/schema/JamState";
import { firstMessage, stateWhere, synced, type ReceivedMessage } from "../../support/clients";
import { openJam } from "../helpers/jam";
import { refusal } from "../helpers/lifecycle";
import { useJamServer } from "../helpers/suite";

const FAMILY = "👨‍👩‍👧‍👦";

describe("JamRoom > names and labels", () => {
  const server = useJamServer();

  const joinById = (code: string, options: Record<string, unknown>) => server.colyseus.sdk.joinById<JamState>(code, options);

  /** A late joiner's view of the room: every participant decoded whole, as [name, instrument]. */
  async function seenByLateJoiner(code: string): Promise<Array<[string, string]>> {
    const late = await synced(await joinById(code, { name: "Late" }));
    const seen: Array<[string, string]> = [];
    late.state.participants.forEach((p, id) => {
      assert.equal(p.id, id, "each participant decodes with its own id");
      assert.equal(typeof p.joinedAt, "number");
      assert.equal(p.connected, true);
      if (id !== late.sessionId) seen.push([p.name, p.instrument]);
    });
    await late.leave();
    return seen.sort();
  }

  /** The code and message type of an `error` message (or of whatever else came first). */
  function errorOf(received: ReceivedMessage): { code: unknown; type: unknown } {
    assert.equal(received.type, "error", `expected an error, got ${String(received.type)}`);
    const { code, type } = received.message as { code?: unknown; type?: unknown };
    return { code, type };
  }

  describe("JamRoom > names and labels > onJoin", () => {
    const invalidNames: [string, string][] = [
      ["ending in a lone surrogate", "Ann\uD800"],
      ["with a lone surrogate in the middle", "Bo\uDC00b"],
      ["with a right-to-left override", "Bob\u202Etxt.exe"],
      ["of zero-width spaces only", "\u200B\u200B"],
      ["of the Hangul filler only", "\u3164"],
      ["of combining marks only", "\u0301\u0301"],
    ];
    for (const [what, name] of invalidNames) {
      it(`refuses a name ${what} with 4232 "invalid name"; a late joiner sees the room intact`, async () => {
        const [ann, bob] = await openJam(server, { name: "Ann", instrument: "bass" }, { name: "Bob" });
        await assert.rejects(joinById(ann.roomId, { name }), refusal(JoinError.INVALID_NAME, /invalid name/));
        assert.deepEqual(await seenByLateJoiner(ann.roomId), [
          ["Ann", "bass"],
          ["Bob", "piano"],
        ]);
        assert.equal(bob.state.participants.size, 2);
      });
    }

    const lookAlikes: [string, string][] = [
      ["in fullwidth letters", "Ａｎｎ"],
      ["in capitals", "ANN"],
      ["with a zero-width joiner after it", "Ann\u200D"],
      ["with a zero-width space inside", "A\u200Bnn"],
      ["with a Hangul filler after it", "Ann\u3164"],
    ];
    for (const [what, name] of lookAlikes) {
      it(`refuses "Ann" ${what} as 4231 "name already taken"`, async () => {
        const [ann] = await openJam(server, { name: "Ann" });
        await assert.rejects(joinById(ann.roomId, { name }), refusal(JoinError.NAME_TAKEN, /name already taken/));
      });
    }

    it("lets a name of five family emoji join, seen whole by everyone", async () => {
      const [ann] = await openJam(server, { name: "Ann" });
      const family = await synced(await joinById(ann.roomId, { name: FAMILY.repeat(5) }));
      await stateWhere(ann, (s) => s.participants.get(family.sessionId)?.name === FAMILY.repeat(5));
      assert.deepEqual(
        await seenByLateJoiner(ann.roomId),
        [
          ["Ann", "piano"],
          [FAMILY.repeat(5), "piano"],
        ].sort(),
      );
    });

    for (const instrument of ["bass\uD800", "\u202Ebass", "\u200B"]) {
      it(`refuses the join option instrument ${JSON.stringify(instrument)} with 4233 "invalid option"`, async () => {
        const [ann] = await openJam(server, { name: "Ann" });
        await assert.rejects(joinById(ann.roomId, { name: "Bob", instrument }), refusal(JoinError.INVALID_OPTION, /invalid option/));
        assert.deepEqual(await seenByLateJoiner(ann.roomId), [["Ann", "piano"]]);
      });
    }
  });

  describe("JamRoom > names and labels > messages", () => {
    /**
     * Hands `payload` to the room's handler as if it had just been decoded from `ann`'s socket. The
     * pure-JS msgpackr decoder (used where the msgpackr-extract addon is missing) turns the bytes
     * colyseus.js sends for a lone surrogate back into one; the addon loaded here replaces them with
     * U+FFFD, so a real send could not show what such a server does.
     */
    function deliverDecoded(ann: Room<JamState>, type: string, payload: unknown): void {
      const room = server.colyseus.getRoomById<JamState>(ann.roomId);
      const client = room.clients.getById(ann.sessionId);
      assert.ok(client !== undefined);
      // Every type reaches the room's one wildcard handler, as Colyseus calls it: (client, type, payload).
      const handlers = (room as unknown as { onMessageHandlers: Record<string, { callback(...args: unknown[]): void }> }).onMessageHandlers;
      const handler = handlers["*"];
      assert.ok(handler !== undefined, "no wildcard handler");
      handler.callback(client, type, payload);
    }

    /** A bad payload, then a mute: the sender is answered BAD_REQUEST, and the mute still lands. */
    async function refusedThenWorks(ann: Room<JamState>, bob: Room<JamState>, type: string, payload: unknown): Promise<void> {
      const annGets = firstMessage(ann);
      deliverDecoded(ann, type, payload);
      ann.send("mute", { muted: true });
      assert.deepEqual(errorOf(await annGets), { code: "BAD_REQUEST", type });
      await stateWhere(bob, (s) => s.participants.get(ann.sessionId)?.muted === true);
    }

    for (const instrument of ["keys\uD83D", "\u2067keys", "\u3164"]) {
      it(`answers the instrument message ${JSON.stringify(instrument)} with BAD_REQUEST; a late joiner sees the room intact`, async () => {
        const [ann, bob] = await openJam(server, { name: "Ann", instrument: "bass" }, { name: "Bob" });
        await refusedThenWorks(ann, bob, "instrument", { instrument });
        assert.deepEqual(await seenByLateJoiner(ann.roomId), [
          ["Ann", "bass"],
          ["Bob", "piano"],
        ]);
      });
    }

    it("answers addTrack with a lone surrogate in its instrument with BAD_REQUEST and adds no track", async () => {
      const [ann, bob] = await openJam(server, { name: "Ann" }, { name: "Bob" });
      await refusedThenWorks(ann, bob, "addTrack", { id: "beat", instrument: "drums\uDFFF" });
      const late = await synced(await joinById(ann.roomId, { name: "Late" }));
      assert.equal(late.state.tracks.size, 0);
    });

    it("answers chat text with a lone surrogate with BAD_REQUEST and relays nothing", async () => {
      const [ann, bob] = await openJam(server, { name: "Ann" }, { name: "Bob" });
      const bobGets = firstMessage(bob);
      await refusedThenWorks(ann, bob, "chat", { text: "hi \uD83D" });
      ann.send("chat", { text: "marker" });
      const first = await bobGets;
      assert.equal(first.type, "chat");
      assert.equal((first.message as { text?: unknown }).text, "marker");
    });
  });
});
