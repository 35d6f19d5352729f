/** Malformed or refused messages the soak sends, each with the `error` the contract says it gets. */
import { isRecord, LOOP_STEPS, TRACK_ID } from "./messages";
import { bump, example, stats } from "./stats";

export interface ExpectedError {
  code: string;
  type: string;
}

export interface BadPayload {
  label: string;
  type: string | number;
  payload: unknown;
  expect: ExpectedError;
}

function deeplyNested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { v: value };
  return value;
}

/** Who sends the payloads, as far as the expected answers depend on it. */
export interface Sender {
  isHost: boolean;
  sessionId: string;
  /** A connected roommate's session, if any. */
  otherSessionId: string | undefined;
}

/** Every payload a client may send now, with the answer each must get. */
export function badPayloads(me: Sender): BadPayload[] {
  const bad = (label: string, type: string | number, payload: unknown, code = "BAD_REQUEST", expectedType = String(type)): BadPayload => ({
    label,
    type,
    payload,
    expect: { code, type: expectedType },
  });
  const isHost = me.isHost;
  const other = me.otherSessionId ?? "nobody-here";
  return [
    bad("note: string note", "note", { note: "C4" }),
    bad("note: note 128", "note", { note: 128 }),
    bad("note: velocity 0", "note", { note: 60, velocity: 0 }),
    bad("note: fractional note", "note", { note: 60.5 }),
    bad("note: negative seq", "note", { note: 60, seq: -5 }),
    bad("note: seq over uint32", "note", { note: 60, seq: 2 ** 32 }),
    bad("note: at is a string", "note", { note: 60, at: "soon" }),
    bad("note: payload is a string", "note", "C4"),
    bad("note: payload is an array", "note", [60, 100]),
    bad("note: payload is null", "note", null),
    bad("tempo: 1000", "tempo", { tempo: 1000 }),
    bad("tempo: string", "tempo", { tempo: "fast" }),
    bad("tempo: NaN", "tempo", { tempo: Number.NaN }),
    bad("seek: step 99", "seek", { step: 99 }),
    bad("play: step -1", "play", { step: -1 }),
    bad("chat: empty", "chat", { text: "" }),
    bad("chat: 501 chars", "chat", { text: "x".repeat(501) }),
    bad("mute: string", "mute", { muted: "yes" }),
    bad("instrument: empty", "instrument", { instrument: "" }),
    bad("setStep: bad track id", "setStep", { track: "Bad Id!", step: 0, on: true }),
    bad("setStep: step 16", "setStep", { track: TRACK_ID, step: LOOP_STEPS, on: true }),
    bad("setStep: unknown track", "setStep", { track: "no-such-track", step: 0, on: true }, "NOT_FOUND"),
    bad("addTrack: duplicate id", "addTrack", { id: TRACK_ID, instrument: "drums" }),
    bad("kick: unknown / not host", "kick", { sessionId: "nobody-here" }, isHost ? "NOT_FOUND" : "NOT_ALLOWED"),
    bad("transferHost: unknown / not host", "transferHost", { to: "nobody-here" }, isHost ? "NOT_FOUND" : "NOT_ALLOWED"),
    bad("event: bad name", "event", { eventName: "bad name!" }),
    bad("event: 40 levels deep", "event", { eventName: "deep", payload: deeplyNested(40) }),
    bad("event: payload over 2 KB", "event", { eventName: "big", payload: "x".repeat(3000) }),
    bad("signal: to self", "signal", { to: me.sessionId, kind: "ice", data: {} }),
    bad("signal: to nobody", "signal", { to: "nobody-here", kind: "ice", data: {} }, "NOT_FOUND"),
    bad("signal: bad kind", "signal", { to: other, kind: "carrier-pigeon", data: {} }),
    bad("ping: t is a string", "ping", { t: "now" }),
    bad("unknown type", "teleport", { x: 1 }),
    bad("unknown type __proto__", "__proto__", { x: 1 }),
    bad("unknown type constructor", "constructor", {}),
    bad("unknown type toString", "toString", {}),
    bad("unknown type __no_message_handler", "__no_message_handler", {}),
    bad("unknown type *", "*", { x: 1 }),
    bad("unknown numeric type", 42, { x: 1 }),
  ];
}

/**
 * Counts an `error` message a client got: a rate limit (expected only in its own flood), or the
 * answer to the oldest malformed payload still unanswered (`expected`, oldest first).
 */
export function countErrorAnswer(
  message: unknown,
  receiver: { name: string; isHost: boolean; flooding: boolean },
  expected: ExpectedError[],
): void {
  if (!isRecord(message) || typeof message.code !== "string") {
    stats.unexpectedErrors++;
    example("unexpectedError", `malformed error message: ${JSON.stringify(message)}`);
    return;
  }
  const code = message.code;
  const type = String(message.type);
  bump(stats.errorsByCode, code);
  if (code === "RATE_LIMITED") {
    if (receiver.flooding && type === "note") stats.rateLimitedInFlood++;
    else {
      stats.rateLimitedOutsideFlood++;
      example("rateLimitedOutsideFlood", `${receiver.name}: ${JSON.stringify(message)}`);
    }
    return;
  }
  const answered = expected.shift();
  if (answered === undefined) {
    stats.unexpectedErrors++;
    example("unexpectedError", `${receiver.name} (host: ${receiver.isHost}): ${JSON.stringify(message)}`);
  } else if (answered.code === code && answered.type === type) {
    stats.badAnswered++;
  } else if (answered.code === code && answered.type === "*") {
    // Known server quirk: a message of type "*" reaches the room's "*" handler with the payload
    // where the type should be, so `type` in the answer is String(payload).
    stats.badAnswered++;
    stats.starTypeQuirk++;
    example("starTypeQuirk", `sent type "*", answered ${JSON.stringify(message).slice(0, 200)}`);
  } else {
    stats.badWrongAnswer++;
    example("wrongAnswer", `${receiver.name}: expected ${answered.code}/${answered.type}, got ${JSON.stringify(message).slice(0, 300)}`);
  }
}
