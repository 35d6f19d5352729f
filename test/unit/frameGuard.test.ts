import { Protocol } from "@colyseus/core";
import assert from "node:assert/strict";
import { pack } from "@colyseus/msgpackr";
import { encode } from "@colyseus/schema";
import { isPlausibleMsgpack } from "../../src/protocol/frameGuard";
import { isUsableTrackId } from "../../src/rules/pattern";

const ROOM_DATA = Protocol.ROOM_DATA;

/** A message frame as colyseus.js sends it: ROOM_DATA, the type, the msgpack payload. */
function frame(type: string, payload?: unknown): Uint8Array {
  const head = Buffer.alloc(300);
  head[0] = ROOM_DATA;
  const it = { offset: 1 };
  encode.string(head, type, it);
  const body = payload === undefined ? Buffer.alloc(0) : Buffer.from(pack(payload));
  return Buffer.concat([head.subarray(0, it.offset), body]);
}

describe("frameGuard > isPlausibleMsgpack", () => {
  const valid: [string, unknown][] = [
    ["note", { note: 60, velocity: 100, seq: 2 ** 32 - 1, at: 1_795_333_167_918.5 }],
    ["event", { eventName: "x", payload: { a: [1, 2, { b: null, c: true, d: -5, e: "héllo", f: 1.5 }], big: "x".repeat(300) } }],
    ["stop", undefined],
    ["signal", { to: "abc", kind: "offer", data: { sdp: "v=0".repeat(3000) } }],
    ["many", { values: Array.from({ length: 70_000 }, (_, i) => i % 3) }],
    ["binary", { bytes: new Uint8Array(300) }],
    ["date", { at: new Date(0) }],
  ];
  for (const [type, payload] of valid) {
    it(`lets a well-formed "${type}" frame through`, () => {
      assert.equal(isPlausibleMsgpack(frame(type, payload), 1), true);
    });
  }

  it("refuses 16 KB of nested array headers each claiming 56,540 elements", () => {
    const bomb = Buffer.alloc(16 * 1024, 0xdc);
    bomb[0] = ROOM_DATA;
    assert.equal(isPlausibleMsgpack(bomb, 1), false);
  });

  it("refuses a map claiming more entries than bytes are left", () => {
    assert.equal(isPlausibleMsgpack(Uint8Array.from([ROOM_DATA, 0xa1, 0x78, 0xde, 0xff, 0xff, 0x01]), 1), false);
  });

  it("refuses a truncated frame and the never-used byte 0xc1", () => {
    const whole = frame("note", { note: 60 });
    assert.equal(isPlausibleMsgpack(whole.subarray(0, whole.length - 2), 1), false);
    assert.equal(isPlausibleMsgpack(Uint8Array.from([ROOM_DATA, 0xa1, 0x78, 0xc1]), 1), false);
  });
});

describe("pattern > isUsableTrackId", () => {
  it("accepts ids of a-z, 0-9, _ and -", () => {
    assert.equal(isUsableTrackId("kick_1-a"), true);
  });

  it("refuses names that Object.prototype already has, which would break the state encoder", () => {
    assert.equal(isUsableTrackId("constructor"), false);
    assert.equal(isUsableTrackId("__proto__"), false);
  });
});
