import assert from "node:assert/strict";
import { checkJson, MAX_JSON_DEPTH } from "../../src/rules/jsonValue";

const BIG = 1_000_000;

function refusedReason(input: unknown, maxBytes = BIG): string {
  const check = checkJson(input, maxBytes);
  assert.equal(check.ok, false, "accepted");
  return check.ok ? "" : check.reason;
}

/** `levels` arrays nested around `inner`: nest(2, 1) is [[1]]. */
function nest(levels: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe("jsonValue > checkJson", () => {
  it("accepts every kind of plain JSON value", () => {
    for (const value of [null, true, false, 0, -1.5, 1e300, "", "text", [], {}, [1, "a", null], { a: { b: [true] } }]) {
      const check = checkJson(value, BIG);
      assert.equal(check.ok, true, JSON.stringify(value));
    }
  });

  it("gives back the same value and its size as JSON in bytes", () => {
    const value = { x: 1, y: [2, 3] };
    const check = checkJson(value, BIG);
    assert.ok(check.ok);
    assert.deepEqual(check.value, value);
    assert.equal(check.bytes, Buffer.byteLength(JSON.stringify(value)));
    assert.equal(check.bytes, 17); // {"x":1,"y":[2,3]}
  });

  it("refuses NaN and infinite numbers, also when nested", () => {
    assert.match(refusedReason(NaN), /finite/);
    assert.match(refusedReason(Infinity), /finite/);
    assert.match(refusedReason(-Infinity), /finite/);
    assert.match(refusedReason({ a: [1, NaN] }), /finite/);
  });

  it("refuses undefined at the top, in an array and in an object", () => {
    assert.match(refusedReason(undefined), /plain JSON/);
    assert.match(refusedReason([1, undefined]), /plain JSON/);
    assert.match(refusedReason({ a: undefined }), /plain JSON/);
  });

  it("refuses dates", () => {
    assert.match(refusedReason(new Date(0)), /plain JSON/);
    assert.match(refusedReason({ when: new Date(0) }), /plain JSON/);
  });

  it("refuses binary data", () => {
    assert.match(refusedReason(new Uint8Array([1, 2, 3])), /plain JSON/);
    assert.match(refusedReason(Buffer.from("hi")), /plain JSON/);
    assert.match(refusedReason({ blob: new Uint8Array(4) }), /plain JSON/);
  });

  it("refuses maps, sets, class instances, functions, bigints and symbols", () => {
    class Point {
      x = 1;
    }
    for (const bad of [new Map([["a", 1]]), new Set([1]), new Point(), () => 1, BigInt(1), Symbol("s")]) {
      assert.match(refusedReason(bad), /plain JSON/, String(typeof bad));
    }
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses ${MAX_JSON_DEPTH + 1}`, () => {
    assert.equal(MAX_JSON_DEPTH, 32);
    assert.equal(checkJson(nest(32, 1), BIG).ok, true);
    assert.match(refusedReason(nest(33, 1)), /nest at most 32/);
  });

  it("counts nesting through objects as well as arrays", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 40; i++) deep = i % 2 === 0 ? { k: deep } : [deep];
    assert.match(refusedReason(deep), /nest/);
  });

  it("refuses absurdly deep nesting without overflowing the stack", () => {
    assert.match(refusedReason(nest(100_000, 1)), /nest/);
  });

  it("accepts exactly maxBytes of JSON and refuses one byte more", () => {
    // "12345678" is 10 bytes as JSON, quotes included.
    assert.equal(checkJson("12345678", 10).ok, true);
    assert.match(refusedReason("123456789", 10), /at most 10 bytes/);
  });

  it("counts bytes as UTF-8, not characters", () => {
    // "éééé" is 4 characters but 8 bytes, 10 with the quotes.
    const ok = checkJson("éééé", 10);
    assert.ok(ok.ok);
    assert.equal(ok.bytes, 10);
    refusedReason("ééééé", 10);
  });

  it("does not let a __proto__ key change any object's prototype", () => {
    const payload: unknown = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const check = checkJson(payload, BIG);
    assert.equal(check.ok, true);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
