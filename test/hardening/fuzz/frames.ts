/**
 * Raw WebSocket frames for `room.connection.send`: hand-made msgpack no colyseus.js client
 * produces (self-references, extension types, lying lengths, nesting past the decoder's stack),
 * and a generator of random and half-valid frames.
 */
import { Protocol } from "@colyseus/core";
import fc from "fast-check";
import { MESSAGE_TYPES } from "../../../src/protocol/messages";
import { near, POLLUTION_MARK } from "./arbitraries";
import { MAX_FRAME } from "./server";

export const ROOM_DATA = Protocol.ROOM_DATA;
/** Colyseus 0.16 numbers ROOM_DATA_BYTES 17; 14 is ROOM_STATE (server → client), which the server ignores. Both are fuzzed. */
const ROOM_STATE = 14;
const ROOM_DATA_BYTES = 17;
export const LEAVE_ROOM = 12;

/** msgpack str header + bytes, the way colyseus.js encodes a message type. */
function mpString(text: string): number[] {
  const bytes = [...Buffer.from(text, "utf8")];
  if (bytes.length < 32) return [0xa0 | bytes.length, ...bytes];
  if (bytes.length < 256) return [0xd9, bytes.length, ...bytes];
  return [0xda, bytes.length >> 8, bytes.length & 0xff, ...bytes];
}
const dataFrame = (type: string, ...payload: number[]) => Uint8Array.from([ROOM_DATA, ...mpString(type), ...payload]);

/** Hand-made frames: valid msgpack that no colyseus.js client produces, and broken msgpack. */
export const CRAFTED: Uint8Array[] = [
  // event.payload that refers to itself (msgpackr's structured-clone extensions 0x69/0x70).
  dataFrame(
    "event",
    0x82,
    ...mpString("eventName"),
    ...mpString("x"),
    ...mpString("payload"),
    0xd6,
    0x69,
    0,
    0,
    0,
    1,
    0x81,
    ...mpString("self"),
    0xd6,
    0x70,
    0,
    0,
    0,
    1,
  ),
  dataFrame(
    "signal",
    0x83,
    ...mpString("to"),
    ...mpString("nobody"),
    ...mpString("kind"),
    ...mpString("ice"),
    ...mpString("data"),
    0xd6,
    0x69,
    0,
    0,
    0,
    2,
    0x91,
    0xd6,
    0x70,
    0,
    0,
    0,
    2,
  ),
  dataFrame("*", 0xd6, 0x69, 0, 0, 0, 3, 0x91, 0xd6, 0x70, 0, 0, 0, 3),
  dataFrame("nonsense", 0xd6, 0x69, 0, 0, 0, 4, 0x81, ...mpString("toString"), 0xd6, 0x70, 0, 0, 0, 4),
  // A pointer to nothing.
  dataFrame("event", 0xd6, 0x70, 0, 0, 0, 9),
  // Error extension (0x65) naming "constructor" and "__proto__" as the error class.
  dataFrame(
    "event",
    0x82,
    ...mpString("eventName"),
    ...mpString("x"),
    ...mpString("payload"),
    0xd4,
    0x65,
    0,
    0x93,
    ...mpString("constructor"),
    ...mpString("m"),
    0xc0,
  ),
  dataFrame("chat", 0x81, ...mpString("text"), 0xd4, 0x65, 0, 0x93, ...mpString("__proto__"), ...mpString("m"), 0xc0),
  // A map with a literal "__proto__" key, at the top and nested.
  dataFrame("note", 0x82, ...mpString("__proto__"), 0x81, ...mpString(POLLUTION_MARK), 0xc3, ...mpString("note"), 60),
  dataFrame(
    "event",
    0x82,
    ...mpString("eventName"),
    ...mpString("p"),
    ...mpString("payload"),
    0x81,
    ...mpString("__proto__"),
    0x81,
    ...mpString(POLLUTION_MARK),
    0xc3,
  ),
  dataFrame("addTrack", 0x82, ...mpString("id"), ...mpString("__proto__"), ...mpString("instrument"), ...mpString("x")),
  // bigint extension, 16 bytes; 64-bit ints where numbers are expected.
  dataFrame("note", 0x81, ...mpString("note"), 0xd8, 0x42, ...Array<number>(16).fill(0xff)),
  dataFrame("tempo", 0x81, ...mpString("tempo"), 0xcf, 0, 0, 0, 0, 0, 0, 0, 120),
  dataFrame("seek", 0x81, ...mpString("step"), 0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
  // RegExp extension: a catastrophic pattern, and an invalid one.
  dataFrame(
    "event",
    0x82,
    ...mpString("eventName"),
    ...mpString("r"),
    ...mpString("payload"),
    0xd4,
    0x78,
    0,
    0x92,
    ...mpString("(a+)+$"),
    ...mpString(""),
  ),
  dataFrame("event", 0xd4, 0x78, 0, 0x92, ...mpString("("), ...mpString("")),
  // Typed-array extension with a length that does not fit the type; Set and Date extensions.
  dataFrame("signal", 0x81, ...mpString("data"), 0xc7, 8, 0x74, 10, 1, 2, 3, 4, 5, 6, 7),
  dataFrame("event", 0x82, ...mpString("eventName"), ...mpString("s"), ...mpString("payload"), 0xd4, 0x73, 0, 0x92, 1, 2),
  dataFrame("ping", 0x81, ...mpString("t"), 0xd6, 0xff, 0x7f, 0xff, 0xff, 0xff),
  dataFrame("ping", 0x81, ...mpString("t"), 0xc7, 3, 0xff, 1, 2, 3),
  // Bundled-strings extension with absurd sizes.
  dataFrame("chat", 0xd6, 0x62, 0x7f, 0xff, 0xff, 0xff, 0xc0),
  // Lengths that promise far more than the frame holds.
  dataFrame("chat", 0x81, ...mpString("text"), 0xdb, 0xff, 0xff, 0xff, 0xff, 0x78),
  dataFrame("note", 0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0),
  dataFrame("note", 0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0),
  // The never-used byte, a truncated float, trailing bytes after a complete value.
  dataFrame("note", 0xc1),
  dataFrame("tempo", 0x81, ...mpString("tempo"), 0xcb, 0x40),
  dataFrame("pause", 0x80, 0x80, 0x80),
  // CESU-8 surrogates and overlong encodings in strings the state keeps.
  dataFrame("instrument", 0x81, ...mpString("instrument"), 0xa3, 0xed, 0xa0, 0x80),
  dataFrame("instrument", 0x81, ...mpString("instrument"), 0xa2, 0xc0, 0x80),
  // array16 headers all the way down: 56540 slots preallocated per level, thousands of levels.
  Uint8Array.from([ROOM_DATA, ...Array<number>(MAX_FRAME - 1).fill(0xdc)]),
  // Nesting deeper than the decoder's stack (and deep but under the frame limit).
  Uint8Array.from([ROOM_DATA, ...mpString("event"), ...Array<number>(MAX_FRAME - 16).fill(0x91), 0xc0]),
  Uint8Array.from([
    ROOM_DATA,
    ...mpString("event"),
    0x82,
    ...mpString("eventName"),
    ...mpString("d"),
    ...mpString("payload"),
    ...Array<number>(5000).fill(0x91),
    0xc0,
  ]),
  // Message types: only the code, NaN as a float64 type, an empty fixstr, a type that is not a string or number.
  Uint8Array.from([ROOM_DATA]),
  Uint8Array.from([ROOM_DATA, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0, 0x80]),
  Uint8Array.from([ROOM_DATA, 0xa0, 0x80]),
  Uint8Array.from([ROOM_DATA, 0xc0, 0x80]),
  Uint8Array.from([ROOM_DATA, 0xd9, 0xff, 0x41]),
  Uint8Array.from([ROOM_DATA_BYTES]),
  Uint8Array.from([ROOM_DATA_BYTES, ...mpString("pause")]),
  Uint8Array.from([ROOM_DATA_BYTES, ...mpString("__no_message_handler"), 1, 2, 3]),
  Uint8Array.from([ROOM_DATA_BYTES, ...mpString("note"), 60, 100]),
  Uint8Array.from([ROOM_DATA_BYTES, ...mpString("signal"), ...Array<number>(64).fill(0xff)]),
  Uint8Array.from([ROOM_DATA_BYTES, 0x64, 1, 2]),
  Uint8Array.from([ROOM_STATE, ...mpString("note"), 0x81, ...mpString("note"), 60]),
  // Other protocol codes: JOIN_ROOM again, an empty frame.
  Uint8Array.from([10]),
  Uint8Array.from([10, 0xff, 0xff]),
  new Uint8Array(0),
];

export const rawFrame: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(near(ROOM_DATA, ROOM_DATA_BYTES, ROOM_STATE), fc.uint8Array({ maxLength: 64 }))
      .map(([code, junk]) => Uint8Array.from([code, ...junk])),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        near(ROOM_DATA, ROOM_DATA_BYTES, ROOM_STATE),
        fc.constantFrom<string>(...MESSAGE_TYPES, "*", "__proto__", "__no_message_handler"),
        fc.uint8Array({ maxLength: 48 }),
      )
      .map(([code, type, junk]) => Uint8Array.from([code, ...mpString(type), ...junk])),
  },
  { weight: 3, arbitrary: fc.constantFrom(...CRAFTED) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(near(LEAVE_ROOM, 10, 11, 15, 16, 0, 255), fc.uint8Array({ maxLength: 16 }))
      .map(([code, rest]) => Uint8Array.from([code, ...rest])),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(near(MAX_FRAME - 8, MAX_FRAME, MAX_FRAME + 1, 100 * 1024), fc.integer({ min: 0, max: 255 }))
      .map(([size, fill]) => Uint8Array.from({ length: size }, (_, i) => (i === 0 ? ROOM_DATA : fill))),
  },
);

/** A frame as hex, cut at 40 bytes, for reports. */
export const hex = (frame: Uint8Array) =>
  `<${Buffer.from(frame.subarray(0, 40)).toString("hex")}${frame.byteLength > 40 ? `… ${frame.byteLength} bytes` : ""}>`;
