/**
 * The relay's own WebSocket frames: byte for byte what ws frames for the same payload, and written
 * directly only where ws would write at once.
 */
import assert from "node:assert/strict";
import { ClientState, Protocol, getMessageBytes, type Client } from "@colyseus/core";
import * as ws from "ws";
import { binaryFrame, directSocketOf, messageOf, roomMessageFrame } from "../../src/rooms/relayFrames";

/** ws exports its Sender; @types/ws does not declare it. */
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): (Buffer | string)[] };
};

/** What ws writes for `payload` sent as binary from a server (header and payload, joined). */
function wsFrame(payload: Buffer): Buffer {
  const parts = Sender.frame(payload, { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false });
  return Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : part)));
}

const socket = { cork: () => undefined, uncork: () => undefined, write: () => true };

function clientWith(ref: unknown, state: ClientState = ClientState.JOINED): Client {
  return { state, ref } as unknown as Client;
}

const idleWs = (over: Record<string, unknown> = {}) => ({ readyState: 1, _sender: { _state: 0, _queue: [] }, _socket: socket, ...over });

describe("relay frames", () => {
  for (const length of [0, 1, 125, 126, 127, 65535, 65536, 70000]) {
    it(`frames a ${length}-byte payload exactly as ws does`, () => {
      const payload = Buffer.alloc(length, 0xa5);
      assert.deepEqual(binaryFrame(payload), wsFrame(payload));
    });
  }

  it("writes directly to an open connection whose sender is idle", () => {
    assert.equal(directSocketOf(clientWith(idleWs())), socket);
  });

  it("leaves to ws or Colyseus a joining client, a closing connection, a busy sender, an unknown shape", () => {
    assert.equal(directSocketOf(clientWith(idleWs(), ClientState.JOINING)), undefined);
    assert.equal(directSocketOf(clientWith(idleWs({ readyState: 2 }))), undefined);
    assert.equal(directSocketOf(clientWith(idleWs({ _sender: { _state: 1, _queue: [] } }))), undefined);
    assert.equal(directSocketOf(clientWith(idleWs({ _sender: { _state: 0, _queue: [{}] } }))), undefined);
    assert.equal(directSocketOf(clientWith(idleWs({ _sender: undefined }))), undefined);
    assert.equal(directSocketOf(clientWith(idleWs({ _socket: { cork: 1 } }))), undefined);
    assert.equal(directSocketOf(clientWith({})), undefined);
  });

  const messages: Array<[string, unknown]> = [
    ["note", { note: 60, velocity: 100, on: true, senderId: "abc123", instrument: "keys", step: 3, at: 1764489600123.5, seq: 7 }],
    ["event", { eventName: "wave", senderId: "s" }],
    ["event", { eventName: "big", payload: { text: "x".repeat(100) }, senderId: "s" }],
    ["chat", { text: "é".repeat(40_000), from: "s" }],
    ["a-type-name-long-enough-for-a-str8-header-xxxxxxxxxx", [1, -2, 3.5, null, false]],
  ];
  for (const [type, message] of messages) {
    it(`encodes "${type}" into the frame Colyseus' broadcast would have ws write`, () => {
      const colyseusBytes = getMessageBytes.raw(Protocol.ROOM_DATA, type, message);
      const frame = roomMessageFrame(type, message);
      assert.deepEqual(frame, binaryFrame(colyseusBytes));
      assert.deepEqual(messageOf(frame), colyseusBytes);
    });
  }
});
