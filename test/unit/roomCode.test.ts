import assert from "node:assert/strict";
import { generateRoomCode, normalizeRoomCode, ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH } from "../../src/rules/roomCode";

const CODE = /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$/;

describe("roomCode > alphabet", () => {
  it("has 32 characters people can read aloud, without 0, O, 1 or I", () => {
    assert.equal(ROOM_CODE_ALPHABET, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789");
    assert.equal(ROOM_CODE_ALPHABET.length, 32);
    for (const confusing of ["0", "O", "1", "I"]) assert.equal(ROOM_CODE_ALPHABET.includes(confusing), false, confusing);
    assert.equal(ROOM_CODE_LENGTH, 6);
  });
});

describe("roomCode > generateRoomCode", () => {
  it("makes 6-character codes from the alphabet", () => {
    for (let i = 0; i < 500; i++) {
      const code = generateRoomCode();
      assert.match(code, CODE);
    }
  });

  it("makes different codes from run to run", () => {
    const codes = new Set<string>();
    for (let i = 0; i < 50; i++) codes.add(generateRoomCode());
    assert.ok(codes.size > 45, `only ${codes.size} distinct codes out of 50`);
  });

  it("asks the pick function for an index below the alphabet size once per character", () => {
    const asked: number[] = [];
    generateRoomCode((n) => {
      asked.push(n);
      return 0;
    });
    assert.deepEqual(asked, [32, 32, 32, 32, 32, 32]);
  });

  it("spells the code from the picked indexes", () => {
    const picks = [0, 31, 8, 15, 24, 25];
    let i = 0;
    assert.equal(
      generateRoomCode(() => picks[i++] ?? 0),
      "A9JR23",
    );
  });

  it("uses the first and last characters of the alphabet", () => {
    assert.equal(
      generateRoomCode(() => 0),
      "AAAAAA",
    );
    assert.equal(
      generateRoomCode((n) => n - 1),
      "999999",
    );
  });

  it("repeats a code when the pick function repeats (so collisions can be tested)", () => {
    assert.equal(
      generateRoomCode(() => 5),
      generateRoomCode(() => 5),
    );
  });
});

describe("roomCode > normalizeRoomCode", () => {
  it("keeps a canonical code as it is", () => {
    assert.equal(normalizeRoomCode("ABC234"), "ABC234");
  });

  it("upper-cases what a person typed", () => {
    assert.equal(normalizeRoomCode("abc234"), "ABC234");
    assert.equal(normalizeRoomCode("xYz789"), "XYZ789");
  });

  it("trims surrounding whitespace", () => {
    assert.equal(normalizeRoomCode("  abc234 \n"), "ABC234");
  });

  it("refuses codes containing 0, O, 1 or I", () => {
    assert.equal(normalizeRoomCode("ABC230"), null);
    assert.equal(normalizeRoomCode("ABCO23"), null);
    assert.equal(normalizeRoomCode("abco23"), null);
    assert.equal(normalizeRoomCode("ABC123"), null);
    assert.equal(normalizeRoomCode("ABCI23"), null);
    assert.equal(normalizeRoomCode("abci23"), null);
  });

  it("refuses codes of the wrong length", () => {
    assert.equal(normalizeRoomCode(""), null);
    assert.equal(normalizeRoomCode("ABC23"), null);
    assert.equal(normalizeRoomCode("ABC2345"), null);
  });

  it("refuses whitespace or punctuation inside the code", () => {
    assert.equal(normalizeRoomCode("ABC 23"), null);
    assert.equal(normalizeRoomCode("ABC-23"), null);
    assert.equal(normalizeRoomCode("ABC%23"), null);
  });

  it("refuses values that are not strings", () => {
    for (const bad of [234567, null, undefined, {}, ["ABC234"], true]) {
      assert.equal(normalizeRoomCode(bad), null, String(bad));
    }
  });

  it("accepts every code it generates", () => {
    for (let i = 0; i < 100; i++) {
      const code = generateRoomCode();
      assert.equal(normalizeRoomCode(code.toLowerCase()), code);
    }
  });
});
