/**
 * What a listener hears and may say: every note, event, chat line and state change of the jam;
 * `chat` and `ping` of its own, and NOT_ALLOWED for every other message type the room knows.
 */
import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import { CloseCode } from "../../src/protocol/codes";
import { MESSAGE_TYPES, type MessageType } from "../../src/protocol/messages";
import type { ErrorReply } from "../../src/protocol/serverMessages";
import { LISTENER_MESSAGE_TYPES } from "../../src/rules/roles";
import type { JamState } from "../../src/schema/JamState";
import { firstMessage, nextLeave, nextMessage, recordMessages, stateWhere, synced, type ReceivedMessage } from "../../support/clients";
import { listen } from "../helpers/jam";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

type Jam = Room<JamState>;

/** A message as compared here: its type, and for an `error` its code and rejected type. */
function codeAndType(received: ReceivedMessage): { type: string | number; code?: string; errorType?: string } {
  if (received.type !== "error") return { type: received.type };
  const { code, type } = received.message as ErrorReply;
  return { type: "error", code, errorType: type };
}

/**
 * A payload a musician could send of each type, so a refusal can only be the listener rule's. A
 * type added to the protocol later is sent `{}`: the rule answers before the payload is read.
 */
function musicianPayload(type: MessageType, other: string): unknown {
  const payloads: Partial<Record<MessageType, unknown>> = {
    note: { note: 60 },
    event: { eventName: "cue" },
    instrument: { instrument: "bass" },
    mute: { muted: true },
    tempo: { tempo: 90 },
    play: {},
    pause: {},
    stop: {},
    seek: { step: 1 },
    transferHost: { to: other },
    kick: { sessionId: other },
    addTrack: { id: "lead", instrument: "synth" },
    setStep: { track: "beat", step: 0, on: true },
    clearTrack: { track: "beat" },
    removeTrack: { track: "beat" },
    signal: { to: other, kind: "offer", data: { sdp: "v=0" } },
  };
  return payloads[type] ?? {};
}

const NOT_FOR_LISTENERS = MESSAGE_TYPES.filter((type) => !LISTENER_MESSAGE_TYPES.has(type));

describe("JamRoom > listeners > messages", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now });

  /**
   * Ann (host) and Bob play, Lee listens. Transport is "everyone" and the pattern has a track with
   * a step on, so whatever a listener is refused is refused for being a listener.
   */
  async function band(): Promise<{ ann: Jam; bob: Jam; lee: Jam }> {
    const ann = await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann", transport: "everyone" }));
    ann.onMessage("*", () => undefined);
    ann.send("addTrack", { id: "beat", instrument: "drums" });
    ann.send("setStep", { track: "beat", step: 2, on: true });
    await stateWhere(ann, (s) => s.tracks.get("beat")?.steps[2]?.on === true);
    const bob = await synced(await server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "Bob", instrument: "bass" }));
    bob.onMessage("*", () => undefined);
    const lee = await listen(server, ann.roomId, "Lee");
    await stateWhere(ann, (s) => s.listeners.has(lee.sessionId) && s.participants.size === 2);
    return { ann, bob, lee };
  }

  it("a listener hears the musicians' notes and events as the musicians do", async () => {
    const { ann, bob, lee } = await band();
    const bobHears = nextMessage(bob, "note");
    const leeHears = nextMessage(lee, "note");
    ann.send("note", { note: 64, velocity: 90, step: 3, seq: 7 });
    const expected = { note: 64, velocity: 90, on: true, step: 3, seq: 7, senderId: ann.sessionId, instrument: "piano" };
    assert.deepEqual(await bobHears, expected);
    assert.deepEqual(await leeHears, expected);
    const event = nextMessage(lee, "event");
    bob.send("event", { eventName: "cue:drop", payload: { bar: 4 } });
    assert.deepEqual(await event, { eventName: "cue:drop", payload: { bar: 4 }, senderId: bob.sessionId });
  });

  it("a listener sees every change of the state: pattern, tempo, transport, musicians", async () => {
    const { ann, bob, lee } = await band();
    assert.equal(lee.state.tracks.get("beat")?.steps[2]?.on, true);
    ann.send("addTrack", { id: "lead", instrument: "synth" });
    bob.send("tempo", { tempo: 100 });
    bob.send("play", {});
    await stateWhere(lee, (s) => s.tracks.has("lead") && s.tempo === 100 && s.isPlaying);
    ann.send("mute", { muted: true });
    await stateWhere(lee, (s) => s.participants.get(ann.sessionId)?.muted === true);
  });

  it("a listener chats under its name: everyone, the listener too, gets the line; it gets the musicians' lines", async () => {
    const { ann, bob, lee } = await band();
    const lines = [ann, bob, lee].map((room) => nextMessage(room, "chat"));
    lee.send("chat", { text: "great groove", name: "Ann", senderId: ann.sessionId });
    for (const line of await Promise.all(lines)) {
      assert.deepEqual(line, { senderId: lee.sessionId, name: "Lee", text: "great groove", at: clock.time });
    }
    const reply = nextMessage(lee, "chat");
    ann.send("chat", { text: "thanks" });
    assert.equal((await reply).name, "Ann");
  });

  it("a listener pings and gets pong, to it alone", async () => {
    const { bob, lee } = await band();
    const bobGets = firstMessage(bob);
    const pong = nextMessage(lee, "pong");
    lee.send("ping", { t: 42 });
    assert.deepEqual(await pong, { t: 42, serverTime: clock.time });
    lee.send("chat", { text: "marker" });
    assert.equal((await bobGets).type, "chat");
  });

  for (const type of NOT_FOR_LISTENERS) {
    it(`answers a listener's ${type} with NOT_ALLOWED naming the type; nothing changes, nothing is relayed`, async () => {
      const { ann, bob, lee } = await band();
      const room = server.colyseus.getRoomById<JamState>(ann.roomId);
      const before = room.state.toJSON();
      const leeGets = recordMessages(lee);
      const annGets = firstMessage(ann);
      const bobGets = firstMessage(bob);
      const error = nextMessage(lee, "error");

      lee.send(type, musicianPayload(type, bob.sessionId));
      lee.send("ping", { t: 1 });
      await nextMessage(lee, "pong");

      assert.deepEqual(leeGets.map(codeAndType), [{ type: "error", code: "NOT_ALLOWED", errorType: type }, { type: "pong" }]);
      assert.match((await error).message, /listener/);
      assert.deepEqual(room.state.toJSON(), before);
      ann.send("note", { note: 72, seq: 1 });
      bob.send("note", { note: 72, seq: 2 });
      assert.deepEqual(codeAndType(await bobGets), { type: "note" });
      assert.equal(((await bobGets).message as { senderId: string }).senderId, ann.sessionId);
      assert.equal(((await annGets).message as { senderId: string }).senderId, bob.sessionId);
      assert.equal(lee.connection.isOpen, true);
    });
  }

  it("answers a listener's unknown message type with BAD_REQUEST, as anyone's", async () => {
    const { lee } = await band();
    const error = nextMessage(lee, "error");
    lee.send("dance", {});
    assert.deepEqual(await error, { code: "BAD_REQUEST", message: 'unknown message type "dance"', type: "dance" });
  });

  describe("kick", () => {
    it("the host kicks a listener: closed with 4001, gone from listeners at once, its token no longer works", async () => {
      const { ann, bob, lee } = await band();
      const token = lee.reconnectionToken;
      const closed = nextLeave(lee);
      ann.send("kick", { sessionId: lee.sessionId });
      assert.equal(await closed, CloseCode.KICKED);
      await stateWhere(bob, (s) => !s.listeners.has(lee.sessionId));
      await assert.rejects(server.colyseus.sdk.reconnect(token));
      assert.equal(server.colyseus.getRoomById<JamState>(ann.roomId).state.listeners.size, 0);
    });

    it("a musician who is not host cannot kick a listener", async () => {
      const { bob, lee } = await band();
      const error = nextMessage(bob, "error");
      bob.send("kick", { sessionId: lee.sessionId });
      assert.equal((await error).code, "NOT_ALLOWED");
      assert.equal(lee.connection.isOpen, true);
    });
  });
});
