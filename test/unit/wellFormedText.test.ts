/**
 * Text a client sends that reaches other clients (the state, chat, event and signal payloads) must
 * be well-formed Unicode: a lone surrogate passes msgpack on the way in but is broken UTF-8 on the
 * way out, and every recipient then decodes the message or the state wrongly.
 */
import assert from "node:assert/strict";
import { messageSchemas, parseMessage, type MessageType } from "../../src/protocol/messages";
import { checkJson } from "../../src/rules/jsonValue";

const schemas = messageSchemas(16);

function refused(type: MessageType, payload: unknown): string {
  const result = parseMessage(schemas, type, payload);
  assert.equal(result.ok, false, `${type} accepted ${JSON.stringify(payload)}`);
  return result.ok ? "" : result.reason;
}

function accepted(type: MessageType, payload: unknown): void {
  const result = parseMessage(schemas, type, payload);
  assert.ok(result.ok, result.ok ? "" : `${type} refused: ${result.reason}`);
}

describe("messages > well-formed text", () => {
  it("refuses chat text with a lone surrogate, anywhere in it", () => {
    for (const text of ["hi \uD83D", "\uDE00 hi", "h\uD800i"]) {
      assert.match(refused("chat", { text }), /^text: .*well-formed Unicode/, JSON.stringify(text));
    }
    accepted("chat", { text: "hi 😀 👨‍👩‍👧‍👦" });
  });

  it("refuses an event or signal payload with a lone surrogate in a string or a key", () => {
    assert.match(refused("event", { eventName: "cue", payload: { label: "drop\uD800" } }), /^payload: .*well-formed/);
    assert.match(refused("event", { eventName: "cue", payload: ["ok", ["\uDC00"]] }), /^payload: .*well-formed/);
    assert.match(refused("event", { eventName: "cue", payload: { "k\uD800": 1 } }), /^payload: .*well-formed/);
    assert.match(refused("signal", { to: "abc", kind: "offer", data: { sdp: "v=0\uD800" } }), /^data: .*well-formed/);
    accepted("event", { eventName: "cue", payload: { label: "drop 🎛️" } });
  });

  it("refuses an event name outside its ASCII alphabet, lone surrogates included", () => {
    refused("event", { eventName: "cue\uD800" });
  });

  for (const type of ["instrument", "addTrack"] as const) {
    it(`refuses an ill-formed, reordering or invisible instrument in "${type}"`, () => {
      const bad = ["bass\uD800", "\uDFFFbass", "bass\u202E", "\u2066bass\u2069", "\u200B\u200B", "\u3164", "\u0301"];
      for (const instrument of bad) {
        assert.match(refused(type, { instrument }), /^instrument: /, JSON.stringify(instrument));
      }
      accepted(type, { instrument: "🎹 keys" });
    });
  }
});

describe("jsonValue > checkJson > well-formed strings", () => {
  it("refuses lone surrogates in values and keys at any depth", () => {
    for (const input of ["\uD800", { a: { b: ["\uDBFF"] } }, { "\uDC00": true }]) {
      const check = checkJson(input, 1_000_000);
      assert.equal(check.ok, false, JSON.stringify(input));
      assert.match(check.ok ? "" : check.reason, /well-formed Unicode/);
    }
  });

  it("accepts surrogate pairs (emoji)", () => {
    assert.equal(checkJson({ "🎹": "🥁" }, 1_000).ok, true);
  });
});
