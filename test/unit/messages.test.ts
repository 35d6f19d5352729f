import assert from "node:assert/strict";
import {
  CHAT_MAX_CHARS,
  EVENT_PAYLOAD_MAX_BYTES,
  MESSAGE_TYPES,
  SIGNAL_DATA_MAX_BYTES,
  messageSchemas,
  parseMessage,
  type ClientMessage,
  type MessageSchemas,
  type MessageType,
} from "../../src/protocol/messages";

const schemas = messageSchemas(16);

function accepted<T extends MessageType>(type: T, payload: unknown, within: MessageSchemas = schemas): ClientMessage<T> {
  const result = parseMessage(within, type, payload);
  if (!result.ok) assert.fail(`${type} refused ${show(payload)}: ${result.reason}`);
  return result.value;
}

function refused(type: MessageType, payload: unknown, within: MessageSchemas = schemas): string {
  const result = parseMessage(within, type, payload);
  assert.equal(result.ok, false, `${type} accepted ${show(payload)}`);
  return result.ok ? "" : result.reason;
}

function show(payload: unknown): string {
  try {
    return JSON.stringify(payload)?.slice(0, 80) ?? String(payload);
  } catch {
    return String(payload);
  }
}

/** One accepted payload per message type (16-step loop). */
const VALID: Record<MessageType, Record<string, unknown>> = {
  note: { note: 60 },
  event: { eventName: "cursor:move", payload: { x: 1, y: 2 } },
  chat: { text: "hello" },
  instrument: { instrument: "bass" },
  mute: { muted: true },
  tempo: { tempo: 128 },
  play: { step: 0 },
  pause: {},
  stop: {},
  seek: { step: 8 },
  transferHost: { to: "abc123" },
  kick: { sessionId: "abc123" },
  addTrack: { instrument: "drums" },
  setStep: { track: "kick", step: 3, on: true },
  clearTrack: { track: "kick" },
  removeTrack: { track: "kick" },
  record: { on: true },
  restoreVersion: { version: 3 },
  ping: { t: 1_700_000_000_000 },
  signal: { to: "abc123", kind: "offer", data: { sdp: "v=0" } },
};

describe("messages > MESSAGE_TYPES", () => {
  it("lists exactly the client → server messages of the contract", () => {
    assert.deepEqual([...MESSAGE_TYPES].sort(), [
      "addTrack",
      "chat",
      "clearTrack",
      "event",
      "instrument",
      "kick",
      "mute",
      "note",
      "pause",
      "ping",
      "play",
      "record",
      "removeTrack",
      "restoreVersion",
      "seek",
      "setStep",
      "signal",
      "stop",
      "tempo",
      "transferHost",
    ]);
  });
});

describe("messages > parseMessage (every type)", () => {
  for (const type of MESSAGE_TYPES) {
    it(`accepts a well-formed ${type}`, () => {
      accepted(type, VALID[type]);
    });

    it(`refuses a ${type} whose payload is not an object (string, number, boolean, array, null)`, () => {
      for (const payload of ["hello", 42, true, [], [VALID[type]], null]) {
        assert.equal(refused(type, payload), "payload must be an object", show(payload));
      }
    });

    it(`does not let a __proto__ key in a ${type} pollute objects`, () => {
      // JSON.parse makes "__proto__" an own key, as a decoded network payload would have it.
      const payload: Record<string, unknown> = JSON.parse('{"__proto__": {"polluted": "yes"}}');
      Object.assign(payload, VALID[type]);
      assert.equal(Object.hasOwn(payload, "__proto__"), true);
      const value: unknown = accepted(type, payload);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal((value as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.getPrototypeOf(value), Object.prototype);
    });
  }

  it("counts a missing payload as {} where every field is optional (pause, stop, play)", () => {
    assert.deepEqual(accepted("pause", undefined), {});
    assert.deepEqual(accepted("stop", undefined), {});
    assert.deepEqual(accepted("play", undefined), {});
  });

  it("refuses a missing payload where a field is required", () => {
    for (const type of ["note", "chat", "tempo", "seek", "ping", "signal"] as const) {
      refused(type, undefined);
    }
  });

  it("names the field that broke the rule", () => {
    assert.match(refused("tempo", { tempo: 301 }), /^tempo: /);
    assert.match(refused("setStep", { track: "kick", step: 3, on: true, velocity: 0 }), /^velocity: /);
  });

  it("does not take a field hidden under __proto__ as the field itself", () => {
    refused("note", JSON.parse('{"__proto__": {"note": 60}}'));
    refused("tempo", JSON.parse('{"__proto__": {"tempo": 100}}'));
  });

  it("drops fields the contract does not define, such as a spoofed senderId", () => {
    const value = accepted("note", { note: 60, senderId: "someone-else", instrument: "fake" });
    assert.equal(Object.hasOwn(value, "senderId"), false);
    assert.equal(Object.hasOwn(value, "instrument"), false);
    const chat = accepted("chat", { text: "hi", name: "Admin", senderId: "x" });
    assert.deepEqual(chat, { text: "hi" });
  });
});

describe("messages > note", () => {
  it("fills in velocity 100 and on = true", () => {
    assert.deepEqual(accepted("note", { note: 60 }), { note: 60, velocity: 100, on: true });
  });

  it("keeps every field it was given", () => {
    const payload = { note: 64, velocity: 90, on: false, step: 3, at: 1_700_000_000_123.5, seq: 7 };
    assert.deepEqual(accepted("note", payload), payload);
  });

  it("accepts notes 0 and 127", () => {
    assert.equal(accepted("note", { note: 0 }).note, 0);
    assert.equal(accepted("note", { note: 127 }).note, 127);
  });

  it('refuses note 128, -1, 1.5, "60" and a missing note', () => {
    for (const note of [128, -1, 1.5, "60", NaN, null]) {
      assert.match(refused("note", { note }), /^note: /, String(note));
    }
    assert.match(refused("note", {}), /^note: /);
  });

  it("accepts velocity 1 and 127 and refuses 0, 128 and 1.5", () => {
    assert.equal(accepted("note", { note: 60, velocity: 1 }).velocity, 1);
    assert.equal(accepted("note", { note: 60, velocity: 127 }).velocity, 127);
    for (const velocity of [0, 128, 1.5, "100"]) {
      assert.match(refused("note", { note: 60, velocity }), /^velocity: /, String(velocity));
    }
  });

  it("refuses an `on` that is not a boolean", () => {
    refused("note", { note: 60, on: "true" });
    refused("note", { note: 60, on: 1 });
  });

  it("accepts any step from 0 up and refuses negative or fractional steps", () => {
    assert.equal(accepted("note", { note: 60, step: 0 }).step, 0);
    assert.equal(accepted("note", { note: 60, step: 1000 }).step, 1000);
    refused("note", { note: 60, step: -1 });
    refused("note", { note: 60, step: 2.5 });
  });

  it("accepts any finite `at` and refuses one that is not a finite number", () => {
    assert.equal(accepted("note", { note: 60, at: 1_700_000_000_000.25 }).at, 1_700_000_000_000.25);
    for (const at of [NaN, Infinity, "soon"]) refused("note", { note: 60, at });
  });

  it("accepts seq from 0 to 2^32 - 1 and refuses -1, 2^32 and 1.5", () => {
    assert.equal(accepted("note", { note: 60, seq: 0 }).seq, 0);
    assert.equal(accepted("note", { note: 60, seq: 4_294_967_295 }).seq, 4_294_967_295);
    for (const seq of [-1, 4_294_967_296, 1.5]) {
      assert.match(refused("note", { note: 60, seq }), /^seq: /, String(seq));
    }
  });
});

describe("messages > event", () => {
  it("accepts names made of letters, digits, :, _, . and -", () => {
    for (const eventName of ["a", "cursor:move", "fx.reverb_on", "Take-2", "Z9"]) {
      assert.equal(accepted("event", { eventName, payload: 1 }).eventName, eventName);
    }
  });

  it("accepts a 64-character name and refuses 65", () => {
    accepted("event", { eventName: "e".repeat(64), payload: 1 });
    assert.match(refused("event", { eventName: "e".repeat(65), payload: 1 }), /^eventName: /);
  });

  it("refuses an empty name, a missing name and names with other characters", () => {
    for (const eventName of ["", "two words", "a/b", "é", "emoji🎹", "a\nb", 42]) {
      assert.match(refused("event", { eventName, payload: 1 }), /^eventName: /, String(eventName));
    }
    refused("event", { payload: 1 });
  });

  it("accepts an event without a payload (payload is optional)", () => {
    const value = accepted("event", { eventName: "ready" });
    assert.equal(value.eventName, "ready");
    assert.equal(value.payload, undefined);
  });

  it("accepts any plain JSON payload, null included", () => {
    assert.equal(accepted("event", { eventName: "x", payload: null }).payload, null);
    assert.deepEqual(accepted("event", { eventName: "x", payload: [1, "a", { b: true }] }).payload, [1, "a", { b: true }]);
  });

  it(`accepts a payload of exactly ${EVENT_PAYLOAD_MAX_BYTES} bytes as JSON and refuses one byte more`, () => {
    assert.equal(EVENT_PAYLOAD_MAX_BYTES, 2048);
    // A string of n characters is n + 2 bytes as JSON.
    accepted("event", { eventName: "x", payload: "a".repeat(2046) });
    assert.match(refused("event", { eventName: "x", payload: "a".repeat(2047) }), /^payload: .*2048 bytes/);
  });

  it("refuses payloads that are not plain JSON", () => {
    for (const payload of [NaN, new Date(0), new Uint8Array(2), new Map()]) {
      assert.match(refused("event", { eventName: "x", payload }), /^payload: /);
    }
  });
});

describe("messages > chat", () => {
  it("accepts 1 to 500 characters", () => {
    assert.equal(CHAT_MAX_CHARS, 500);
    assert.equal(accepted("chat", { text: "a" }).text, "a");
    assert.equal(accepted("chat", { text: "a".repeat(500) }).text, "a".repeat(500));
  });

  it("refuses empty text and text over 500 characters", () => {
    assert.match(refused("chat", { text: "" }), /^text: /);
    assert.match(refused("chat", { text: "a".repeat(501) }), /^text: /);
  });

  it("counts an emoji as one character", () => {
    accepted("chat", { text: "🎹".repeat(500) });
    refused("chat", { text: "🎹".repeat(501) });
  });

  it("refuses text that is not a string, or missing", () => {
    refused("chat", { text: 5 });
    refused("chat", { text: null });
    refused("chat", {});
  });
});

describe("messages > instrument", () => {
  it("accepts an instrument name, trimmed", () => {
    assert.equal(accepted("instrument", { instrument: "  bass  " }).instrument, "bass");
  });

  it("accepts 32 characters and refuses 33", () => {
    accepted("instrument", { instrument: "i".repeat(32) });
    assert.match(refused("instrument", { instrument: "i".repeat(33) }), /^instrument: /);
  });

  it("refuses empty, control characters, non-strings and a missing instrument", () => {
    for (const instrument of ["", "   ", "syn\nth", 5, null]) {
      assert.match(refused("instrument", { instrument }), /^instrument: /, String(instrument));
    }
    refused("instrument", {});
  });
});

describe("messages > mute", () => {
  it("accepts true and false", () => {
    assert.equal(accepted("mute", { muted: true }).muted, true);
    assert.equal(accepted("mute", { muted: false }).muted, false);
  });

  it("refuses anything but a boolean", () => {
    for (const muted of ["true", 1, 0, null]) refused("mute", { muted });
    refused("mute", {});
  });
});

describe("messages > tempo", () => {
  it("accepts 20 and 300 BPM and fractional tempos in between", () => {
    assert.equal(accepted("tempo", { tempo: 20 }).tempo, 20);
    assert.equal(accepted("tempo", { tempo: 300 }).tempo, 300);
    assert.equal(accepted("tempo", { tempo: 97.5 }).tempo, 97.5);
  });

  it("refuses tempos below 20 or above 300", () => {
    for (const tempo of [19.99, 0, -120, 300.01, 1000]) {
      assert.match(refused("tempo", { tempo }), /^tempo: /, String(tempo));
    }
  });

  it("refuses a tempo that is not a finite number, or missing", () => {
    for (const tempo of ["120", NaN, Infinity, null]) refused("tempo", { tempo });
    refused("tempo", {});
  });
});

describe("messages > play", () => {
  it("accepts no step, step 0 and the last step of the loop", () => {
    assert.equal(accepted("play", {}).step, undefined);
    assert.equal(accepted("play", { step: 0 }).step, 0);
    assert.equal(accepted("play", { step: 15 }).step, 15);
  });

  it("refuses a step at or past loopSteps, negative or fractional", () => {
    for (const step of [16, -1, 1.5, "3"]) {
      assert.match(refused("play", { step }), /^step: /, String(step));
    }
  });

  it("follows the room's loopSteps", () => {
    accepted("play", { step: 63 }, messageSchemas(64));
    refused("play", { step: 64 }, messageSchemas(64));
    refused("play", { step: 4 }, messageSchemas(4));
  });
});

describe("messages > pause and stop", () => {
  it("accept an empty object", () => {
    assert.deepEqual(accepted("pause", {}), {});
    assert.deepEqual(accepted("stop", {}), {});
  });

  it("ignore extra fields", () => {
    assert.deepEqual(accepted("pause", { step: 3 }), {});
    assert.deepEqual(accepted("stop", { whatever: true }), {});
  });
});

describe("messages > seek", () => {
  it("accepts step 0 to loopSteps - 1", () => {
    assert.equal(accepted("seek", { step: 0 }).step, 0);
    assert.equal(accepted("seek", { step: 15 }).step, 15);
  });

  it("refuses step loopSteps, negative, fractional or missing", () => {
    for (const step of [16, -1, 2.5, "2"]) {
      assert.match(refused("seek", { step }), /^step: /, String(step));
    }
    refused("seek", {});
  });

  it("follows the room's loopSteps", () => {
    const small = messageSchemas(4);
    accepted("seek", { step: 3 }, small);
    refused("seek", { step: 4 }, small);
    accepted("seek", { step: 63 }, messageSchemas(64));
  });
});

describe("messages > transferHost and kick", () => {
  it("accept a session id", () => {
    assert.equal(accepted("transferHost", { to: "AbC_12-x" }).to, "AbC_12-x");
    assert.equal(accepted("kick", { sessionId: "AbC_12-x" }).sessionId, "AbC_12-x");
  });

  it("accept up to 64 characters and refuse 65", () => {
    accepted("transferHost", { to: "s".repeat(64) });
    refused("transferHost", { to: "s".repeat(65) });
    accepted("kick", { sessionId: "s".repeat(64) });
    refused("kick", { sessionId: "s".repeat(65) });
  });

  it("refuse an empty, non-string or missing target", () => {
    for (const id of ["", 5, null]) {
      refused("transferHost", { to: id });
      refused("kick", { sessionId: id });
    }
    refused("transferHost", {});
    refused("kick", {});
  });
});

describe("messages > addTrack", () => {
  it("accepts a track without an id", () => {
    const value = accepted("addTrack", { instrument: "drums" });
    assert.equal(value.id, undefined);
    assert.equal(value.instrument, "drums");
  });

  it("accepts an id of 1–32 of a-z, 0-9, _ and -, and trims the instrument", () => {
    assert.deepEqual(accepted("addTrack", { id: "kick_1", instrument: " drums " }), { id: "kick_1", instrument: "drums" });
    accepted("addTrack", { id: "k".repeat(32), instrument: "drums" });
  });

  it("refuses bad ids", () => {
    for (const id of ["", "Kick", "two words", "k".repeat(33), 7]) {
      assert.match(refused("addTrack", { id, instrument: "drums" }), /^id: /, String(id));
    }
  });

  it("refuses a missing or bad instrument", () => {
    refused("addTrack", {});
    refused("addTrack", { instrument: "" });
    refused("addTrack", { instrument: "x".repeat(33) });
  });
});

describe("messages > setStep", () => {
  it("accepts a step with note and velocity at their bounds", () => {
    assert.deepEqual(accepted("setStep", { track: "kick", step: 15, on: true, note: 127, velocity: 1 }), {
      track: "kick",
      step: 15,
      on: true,
      note: 127,
      velocity: 1,
    });
    accepted("setStep", { track: "kick", step: 0, on: false, note: 0, velocity: 127 });
  });

  it("leaves note and velocity out when not given", () => {
    const value = accepted("setStep", { track: "kick", step: 2, on: true });
    assert.equal(value.note, undefined);
    assert.equal(value.velocity, undefined);
  });

  it("refuses a step at or past loopSteps, negative or fractional", () => {
    for (const step of [16, -1, 0.5]) {
      assert.match(refused("setStep", { track: "kick", step, on: true }), /^step: /, String(step));
    }
    accepted("setStep", { track: "kick", step: 63, on: true }, messageSchemas(64));
  });

  it("refuses note 128 or -1 and velocity 0 or 128", () => {
    refused("setStep", { track: "kick", step: 1, on: true, note: 128 });
    refused("setStep", { track: "kick", step: 1, on: true, note: -1 });
    refused("setStep", { track: "kick", step: 1, on: true, velocity: 0 });
    refused("setStep", { track: "kick", step: 1, on: true, velocity: 128 });
  });

  it("refuses a missing `on`, a non-boolean `on` and a bad track id", () => {
    refused("setStep", { track: "kick", step: 1 });
    refused("setStep", { track: "kick", step: 1, on: "yes" });
    refused("setStep", { track: "Kick!", step: 1, on: true });
    refused("setStep", { step: 1, on: true });
  });
});

describe("messages > clearTrack and removeTrack", () => {
  it("accept a track id", () => {
    assert.equal(accepted("clearTrack", { track: "t-0a1b2c3d" }).track, "t-0a1b2c3d");
    assert.equal(accepted("removeTrack", { track: "bass_2" }).track, "bass_2");
  });

  it("refuse a missing or malformed track id", () => {
    for (const type of ["clearTrack", "removeTrack"] as const) {
      refused(type, {});
      for (const track of ["", "UPPER", "a b", "t".repeat(33), 3]) {
        assert.match(refused(type, { track }), /^track: /, `${type} ${String(track)}`);
      }
    }
  });
});

describe("messages > ping", () => {
  it("accepts any finite number", () => {
    assert.equal(accepted("ping", { t: 0 }).t, 0);
    assert.equal(accepted("ping", { t: 12345.678 }).t, 12345.678);
  });

  it("refuses a t that is not a finite number, or missing", () => {
    for (const t of ["1", NaN, Infinity, null]) refused("ping", { t });
    refused("ping", {});
  });
});

describe("messages > signal", () => {
  it("accepts the kinds offer, answer and ice", () => {
    for (const kind of ["offer", "answer", "ice"]) {
      assert.equal(accepted("signal", { to: "abc", kind, data: { candidate: "x" } }).kind, kind);
    }
  });

  it("refuses any other kind", () => {
    for (const kind of ["candidate", "OFFER", "", 1]) {
      assert.match(refused("signal", { to: "abc", kind, data: {} }), /^kind: /, String(kind));
    }
    refused("signal", { to: "abc", data: {} });
  });

  it("refuses a signal without data (data is required)", () => {
    assert.match(refused("signal", { to: "abc", kind: "ice" }), /^data: /);
  });

  it(`accepts data of exactly ${SIGNAL_DATA_MAX_BYTES} bytes as JSON and refuses one byte more`, () => {
    assert.equal(SIGNAL_DATA_MAX_BYTES, 12 * 1024);
    accepted("signal", { to: "abc", kind: "offer", data: "s".repeat(12 * 1024 - 2) });
    assert.match(refused("signal", { to: "abc", kind: "offer", data: "s".repeat(12 * 1024 - 1) }), /^data: .*12288 bytes/);
  });

  it("refuses data that is not plain JSON", () => {
    for (const data of [new Date(0), new Uint8Array(4), { n: Infinity }]) {
      assert.match(refused("signal", { to: "abc", kind: "offer", data }), /^data: /);
    }
  });

  it("refuses an empty or missing recipient", () => {
    refused("signal", { to: "", kind: "offer", data: {} });
    refused("signal", { kind: "offer", data: {} });
  });
});

describe("messages > messageSchemas", () => {
  it("gives rooms of the same loop length one shared set, and each loop length its own ranges", () => {
    assert.equal(messageSchemas(32), messageSchemas(32));
    assert.notEqual(messageSchemas(32), messageSchemas(64));
    accepted("seek", { step: 31 }, messageSchemas(32));
    refused("seek", { step: 32 }, messageSchemas(32));
    accepted("seek", { step: 32 }, messageSchemas(64));
  });
});
