/**
 * fast-check generators of what a client can put on the wire: payloads for every message type of
 * the contract, each field mostly at or just past a boundary of its rule, and hostile values
 * (prototype keys, deep nesting, strings around every limit, bigints, typed arrays …).
 */
import fc from "fast-check";
import type { MessageType } from "../../../src/protocol/messages";
import { MAX_FRAME } from "./server";

/** A short, safe rendering of any payload (bigints, typed arrays, 100 KB strings) for messages. */
export function preview(value: unknown, max = 160): string {
  let text: string;
  try {
    text = fc.stringify(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

export const typeLabel = (type: string | number) => (typeof type === "string" ? JSON.stringify(preview(type, 40)) : String(type));

/** An object whose keys are all own properties (`{ __proto__: x }` would set the prototype instead). */
export function ownKeys(entries: Array<[string, unknown]>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

export const EXOTIC_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__defineGetter__",
  "isPrototypeOf",
  "then",
  "toJSON",
];
export const POLLUTION_MARK = "polluted";

export const near = <T>(...values: T[]) => fc.constantFrom(...values);
/** Values of mixed types (the right type and near misses of another). */
export const mixed = (...values: unknown[]): fc.Arbitrary<unknown> => fc.constantFrom(...values);

const hugeNumbers = near(
  NaN,
  Infinity,
  -Infinity,
  -0,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.EPSILON,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  2 ** 32 - 1,
  2 ** 53,
  2 ** 63,
  2 ** 64,
  1e308,
  -1e308,
  5e-324,
);

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  hugeNumbers,
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: false }),
  fc.uint8Array({ maxLength: 48 }),
);

/** Objects/arrays nested `depth` levels (the JSON limit is 32; 500 and more for the decoder). */
const deepNest: fc.Arbitrary<unknown> = fc
  .record({ depth: near(31, 32, 33, 34, 100, 500, 1000, 3000), asArray: fc.boolean(), leaf: scalar })
  .map(({ depth, asArray, leaf }) => {
    let value: unknown = leaf;
    for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
    return value;
  });

/** Strings around every limit: 32/33, 64/65, 500/501, 2 KB, 12 KB, just under and over the 16 KB frame, 100 KB. */
export const longString: fc.Arbitrary<string> = fc
  .tuple(
    near(
      32,
      33,
      64,
      65,
      500,
      501,
      2046,
      2047,
      2048,
      2049,
      12 * 1024 - 2,
      12 * 1024 + 1,
      MAX_FRAME - 120,
      MAX_FRAME - 40,
      MAX_FRAME - 12,
      MAX_FRAME + 1,
      100 * 1024,
    ),
    near("x", "é", "😀", " ", "\u0000"),
  )
  .map(([length, unit]) => unit.repeat(unit.length === 2 ? Math.ceil(length / 4) : length));

/** `__proto__`/`constructor`/`prototype` and friends as own keys, nested 1–6 deep. */
export const pollution: fc.Arbitrary<Record<string, unknown>> = fc
  .array(fc.constantFrom(...EXOTIC_KEYS), { minLength: 1, maxLength: 6 })
  .map((path) =>
    path.reduceRight<Record<string, unknown>>(
      (inner, key) =>
        ownKeys([
          [key, inner],
          [POLLUTION_MARK, "yes"],
        ]),
      ownKeys([
        [POLLUTION_MARK, "yes"],
        ["prototype", ownKeys([[POLLUTION_MARK, "yes"]])],
      ]),
    ),
  );

/** Anything that is not what a field wants. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  {
    weight: 2,
    arbitrary: fc.anything({
      maxDepth: 3,
      withBigInt: true,
      withDate: true,
      // colyseus.js encodes a Map with non-string keys as a msgpackr record that the server's decoder
      // refuses ("Invalid property type for record") and closes with 4002: a client/framework
      // mismatch the room never sees, so Maps are left out of the payloads.
      withMap: false,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withBoxedValues: true,
      withUnicodeString: true,
    }),
  },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: pollution },
  { weight: 1, arbitrary: deepNest },
  { weight: 1, arbitrary: longString },
);

/** A field: mostly a value at or just past a boundary of its rule, sometimes something else entirely. */
export const field = (valid: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: hostile });

/** Live session ids, read when a value is generated: targets of kick/transferHost/signal. */
export const pools = { fuzzers: [] as string[], everyone: [] as string[] };
const livePick = (pool: () => string[]) => fc.nat().map((i) => pool()[i % Math.max(1, pool().length)] ?? "nobody");
const sessionTarget = (pool: () => string[]) =>
  fc.oneof(
    livePick(pool),
    near("", "x".repeat(64), "x".repeat(65), "__proto__", "constructor", "toString", "*", "nobody"),
    fc.string({ maxLength: 12 }),
  );

const midi = mixed(0, 1, 60, 126, 127, -1, 128, 60.5, 127.0001, "60");
const velocity = near(1, 2, 100, 126, 127, 0, 128, 99.5, -1);
const loopStep = fc.oneof(fc.integer({ min: -2, max: 70 }), near(0, 3, 4, 15, 16, 63, 64, 65, 1.5, -0));
export const label = fc.oneof(
  near(
    "x",
    "i".repeat(32),
    "i".repeat(33),
    " padded ",
    "   ",
    "",
    "\u0000x",
    "a\u0007b",
    "a\u2028b",
    "\u0085",
    "😀".repeat(32),
    "😀".repeat(33),
    "e\u0301".repeat(16),
    "__proto__",
    "constructor",
    "\u202egnp",
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
);
const trackId = fc.oneof(
  fc.stringMatching(/^[a-z0-9_-]{1,32}$/),
  near(
    "t1",
    "t2",
    "t3",
    "a",
    "z".repeat(32),
    "z".repeat(33),
    "T1",
    "",
    "../t1",
    "t 1",
    "__proto__",
    "constructor",
    "prototype",
    "tostring",
    "valueof",
    "hasownproperty",
    "length",
    "0",
    "-",
    "_",
  ),
);
const jsonPayload = (maxBytes: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    // JSON bytes of a string are its length + 2: exactly at the limit, and one over.
    {
      weight: 2,
      arbitrary: mixed("p".repeat(maxBytes - 2), "p".repeat(maxBytes - 1), "é".repeat(maxBytes / 2), { s: "p".repeat(maxBytes - 8) }),
    },
    { weight: 1, arbitrary: deepNest },
    { weight: 1, arbitrary: pollution },
    { weight: 1, arbitrary: mixed(NaN, Infinity, -0, 2n ** 60n, new Uint8Array([1, 2, 3]), new Date(0), [1, NaN], { a: undefined }) },
  );

const FIELDS: Record<MessageType, Record<string, fc.Arbitrary<unknown>>> = {
  note: {
    note: field(midi),
    velocity: field(velocity),
    on: field(mixed(true, false, 0, 1, "true")),
    step: field(near(0, 1, 1000, 2 ** 31, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, -1, 0.5)),
    at: field(near(0, -5, 1_800_000_000_000, 1.5, 1e308, -0, Number.MAX_VALUE)),
    seq: field(near(0, 1, 2 ** 32 - 1, 2 ** 32, -1, 1.5)),
  },
  event: {
    eventName: field(
      fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9:_.-]{1,64}$/),
        near("a", "Az09:_.-".repeat(8), "e".repeat(65), "", "drop the bass", "café", "__proto__", "constructor"),
      ),
    ),
    payload: field(jsonPayload(2048)),
  },
  chat: {
    text: field(
      fc.oneof(
        near("", "k", "w".repeat(500), "w".repeat(501), "😀".repeat(250), "😀".repeat(251), "\u0000", "\u202eevil"),
        fc.string({ unit: "binary", maxLength: 600 }),
      ),
    ),
  },
  instrument: { instrument: field(label) },
  mute: { muted: field(mixed(true, false, 0, 1, "false")) },
  tempo: { tempo: field(near(20, 300, 19.999999, 300.000001, 120, 20.5, 299.99, 0, -120, 1e6)) },
  play: { step: field(loopStep) },
  pause: {},
  stop: {},
  seek: { step: field(loopStep) },
  transferHost: { to: field(sessionTarget(() => pools.fuzzers)) },
  kick: { sessionId: field(sessionTarget(() => pools.fuzzers)) },
  addTrack: { id: field(trackId), instrument: field(label) },
  setStep: { track: field(trackId), step: field(loopStep), on: field(mixed(true, false, 1)), note: field(midi), velocity: field(velocity) },
  clearTrack: { track: field(trackId) },
  removeTrack: { track: field(trackId) },
  record: { on: field(mixed(true, false, 0, 1, "true", null)) },
  restoreVersion: { version: field(near<unknown>(1, 2, 50, 0, -1, 1.5, 2 ** 31, Number.MAX_SAFE_INTEGER + 2, "1")) },
  ping: { t: field(near(0, -1, 1.5, 1_800_000_000_000, Number.MAX_VALUE, -0)) },
  signal: {
    to: field(sessionTarget(() => pools.everyone)),
    kind: field(near("offer", "answer", "ice", "OFFER", "", "candidate", "__proto__")),
    data: field(jsonPayload(12 * 1024)),
  },
};

/** The fields of `type` (each maybe missing), plus maybe spoofing and prototype keys on top. */
export function shaped(type: MessageType): fc.Arbitrary<unknown> {
  const extraKey = fc.oneof(
    fc.constantFrom(...EXOTIC_KEYS, "senderId", "from", "name", "instrument", "type", "at"),
    fc.string({ maxLength: 8 }),
  );
  return fc
    .tuple(fc.record(FIELDS[type], { requiredKeys: [] }), fc.array(fc.tuple(extraKey, hostile), { maxLength: 3 }))
    .map(([fields, extras]) => (extras.length === 0 ? fields : ownKeys([...Object.entries(fields), ...extras])));
}

export function payloadFor(type: MessageType): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: shaped(type) },
    // Wrong types at the top: numbers, strings, null, arrays, maps, dates …
    { weight: 3, arbitrary: hostile },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: deepNest },
    { weight: 1, arbitrary: pollution },
    // Arrays where an object is expected.
    { weight: 1, arbitrary: fc.array(shaped(type), { maxLength: 3 }) },
    // Every field of the right type but a string near (or over) the frame limit somewhere.
    {
      weight: 1,
      arbitrary: fc.tuple(shaped(type), longString).map(([fields, long]) => ({ ...(typeof fields === "object" ? fields : {}), pad: long })),
    },
  );
}

export const utf8RoundTrips = (s: string) => Buffer.from(s, "utf8").toString("utf8") === s;
