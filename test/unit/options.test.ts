import assert from "node:assert/strict";
import { JoinError } from "../../src/protocol/errors";
import { refusedWith } from "../helpers/refusals";
import { parseJoinProfile, parseRoomOptions } from "../../src/protocol/options";

const invalidOption = (input: unknown) => refusedWith(() => parseRoomOptions(input, 10), JoinError.INVALID_OPTION, "invalid option");

describe("options > parseRoomOptions", () => {
  it("applies the contract's defaults to an empty object", () => {
    assert.deepEqual(parseRoomOptions({}, 10), {
      tempo: 120,
      maxParticipants: 10,
      private: false,
      transport: "host",
      loopSteps: 16,
    });
  });

  it("applies the defaults when no options are given at all", () => {
    assert.deepEqual(parseRoomOptions(undefined, 10), parseRoomOptions({}, 10));
    assert.deepEqual(parseRoomOptions(null, 10), parseRoomOptions({}, 10));
  });

  it("takes the default maxParticipants from the deployment (MAX_PARTICIPANTS)", () => {
    assert.equal(parseRoomOptions({}, 4).maxParticipants, 4);
  });

  it("keeps every option it is given", () => {
    assert.deepEqual(parseRoomOptions({ tempo: 90.5, maxParticipants: 3, private: true, transport: "everyone", loopSteps: 32 }, 10), {
      tempo: 90.5,
      maxParticipants: 3,
      private: true,
      transport: "everyone",
      loopSteps: 32,
    });
  });

  it("ignores the join fields that come with create (name, instrument)", () => {
    assert.equal(parseRoomOptions({ name: "Ann", instrument: "bass", tempo: 100 }, 10).tempo, 100);
  });

  it("accepts tempo 20 and 300 and refuses 19.9 and 300.1", () => {
    assert.equal(parseRoomOptions({ tempo: 20 }, 10).tempo, 20);
    assert.equal(parseRoomOptions({ tempo: 300 }, 10).tempo, 300);
    assert.match(invalidOption({ tempo: 19.9 }), /tempo/);
    assert.match(invalidOption({ tempo: 300.1 }), /tempo/);
  });

  it("refuses a tempo that is not a finite number", () => {
    for (const tempo of ["120", NaN, Infinity, null]) invalidOption({ tempo });
  });

  it("accepts maxParticipants 2 and 16 and refuses 1, 17 and 2.5", () => {
    assert.equal(parseRoomOptions({ maxParticipants: 2 }, 10).maxParticipants, 2);
    assert.equal(parseRoomOptions({ maxParticipants: 16 }, 10).maxParticipants, 16);
    for (const maxParticipants of [1, 17, 2.5, "4"]) {
      assert.match(invalidOption({ maxParticipants }), /maxParticipants/, String(maxParticipants));
    }
  });

  it("accepts loopSteps 4 and 64 and refuses 3, 65 and 8.5", () => {
    assert.equal(parseRoomOptions({ loopSteps: 4 }, 10).loopSteps, 4);
    assert.equal(parseRoomOptions({ loopSteps: 64 }, 10).loopSteps, 64);
    for (const loopSteps of [3, 65, 8.5, "16"]) {
      assert.match(invalidOption({ loopSteps }), /loopSteps/, String(loopSteps));
    }
  });

  it('accepts transport "host" and "everyone" and refuses anything else', () => {
    assert.equal(parseRoomOptions({ transport: "host" }, 10).transport, "host");
    assert.equal(parseRoomOptions({ transport: "everyone" }, 10).transport, "everyone");
    for (const transport of ["all", "HOST", "", 1]) {
      assert.match(invalidOption({ transport }), /transport/, String(transport));
    }
  });

  it("refuses a private flag that is not a boolean", () => {
    for (const flag of ["yes", 1, "true"]) {
      assert.match(invalidOption({ private: flag }), /private/, String(flag));
    }
  });

  it("refuses options that are not an object", () => {
    for (const input of ["tempo=120", 42, true, [{ tempo: 120 }]]) invalidOption(input);
  });
});

const invalidName = (input: unknown) => refusedWith(() => parseJoinProfile(input), JoinError.INVALID_NAME, "invalid name");
const badInstrument = (input: unknown) => refusedWith(() => parseJoinProfile(input), JoinError.INVALID_OPTION, "invalid option");

describe("options > parseJoinProfile", () => {
  it('takes the name and gives the default instrument "piano"', () => {
    assert.deepEqual(parseJoinProfile({ name: "Ann" }), { name: "Ann", instrument: "piano", listener: false });
  });

  it("trims the name and the instrument", () => {
    assert.deepEqual(parseJoinProfile({ name: "  Ann  ", instrument: " bass\t" }), { name: "Ann", instrument: "bass", listener: false });
  });

  it("takes listener: true or false, a musician when absent", () => {
    assert.equal(parseJoinProfile({ name: "Ann", listener: true }).listener, true);
    assert.equal(parseJoinProfile({ name: "Ann", listener: false }).listener, false);
    assert.equal(parseJoinProfile({ name: "Ann" }).listener, false);
  });

  it('refuses a listener option that is not a boolean with "invalid option"', () => {
    for (const listener of ["true", 1, 0, null, {}, ["yes"]]) {
      refusedWith(() => parseJoinProfile({ name: "Ann", listener }), JoinError.INVALID_OPTION, "listener");
    }
  });

  it("accepts a 32-character name and a 32-character instrument", () => {
    const profile = parseJoinProfile({ name: "n".repeat(32), instrument: "i".repeat(32) });
    assert.equal(profile.name, "n".repeat(32));
    assert.equal(profile.instrument, "i".repeat(32));
  });

  it("counts an emoji in a name as one character", () => {
    assert.equal(parseJoinProfile({ name: "🎷".repeat(32) }).name, "🎷".repeat(32));
    invalidName({ name: "🎷".repeat(33) });
  });

  it('refuses a missing name with "invalid name" and says it is required', () => {
    assert.match(invalidName({}), /required/);
    assert.match(invalidName(undefined), /required/);
    assert.match(invalidName({ instrument: "bass" }), /required/);
  });

  it('refuses an empty, blank or 33-character name with "invalid name"', () => {
    invalidName({ name: "" });
    invalidName({ name: "   " });
    invalidName({ name: "n".repeat(33) });
  });

  it('refuses a name with control characters with "invalid name"', () => {
    assert.match(invalidName({ name: "Ann\nLee" }), /control characters/);
    invalidName({ name: "A\u0000" });
  });

  it('refuses a name that is not a string with "invalid name"', () => {
    for (const name of [42, null, true, { first: "Ann" }, ["Ann"]]) invalidName({ name });
  });

  it('refuses a bad instrument with "invalid option"', () => {
    for (const instrument of ["", "  ", "i".repeat(33), "a\tb", 5, null]) {
      assert.match(badInstrument({ name: "Ann", instrument }), /instrument/, String(instrument));
    }
  });

  it('refuses join options that are not an object with "invalid option"', () => {
    for (const input of ["Ann", 7, ["Ann"]]) badInstrument(input);
  });
});
