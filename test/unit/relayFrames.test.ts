/**
 * The relay's own WebSocket frames: byte for byte what ws frames for the same payload, and written
 * directly only where ws would write at once.
 */
import assert from "node:assert/strict";
import { ClientState, Protocol, getMessageBytes, type Client } from "@colyseus/core";
import * as ws from "ws";
import { directSocketOf, messageOf, roomMessageFrame } from "../../src/rooms/relayFrames";

/** ws exports its Sender; @types/ws does not declare it. */
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): (Buffer | string)[] };
};

/** What ws writes for `payload` sent as binary from a server (header and payload, joined). */
function wsFrame(payload: Buffer): Buffer {
  const parts = Sender.frame(payload, { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false });
  return Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : part)));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

const socket = { cork: () => undefined, uncork: () => undefined, write: () => true };

function clientWith(ref: unknown, state: ClientState = ClientState.JOINED): Client {
  return { state, ref } as unknown as Client;
}

const idleWs = (over: Record<string, unknown> = {}) => ({ readyState: 1, _sender: { _state: 0, _queue: [] }, _socket: socket, ...over });

describe("relay frames", () => {
  it("frames a message exactly as ws frames Colyseus' bytes, across every header size's edges", () => {
    // Chat texts whose frames' lengths run across 125/126 (2- to 4-byte header) and 65535/65536 (4 to 10).
    const lengths = [...range(100, 140), ...range(65_500, 65_560), 70_000];
    for (const length of lengths) {
      const message = { text: "x".repeat(length), senderId: "s" };
      const colyseusBytes = getMessageBytes.raw(Protocol.ROOM_DATA, "chat", message);
      assert.deepEqual(roomMessageFrame("chat", message), wsFrame(colyseusBytes), `text of ${length}`);
    }
  });

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

  const messages: Array<[string, object]> = [
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
      assert.deepEqual(frame, wsFrame(colyseusBytes));
      assert.deepEqual(messageOf(frame), colyseusBytes);
    });
  }
});
