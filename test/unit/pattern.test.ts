import assert from "node:assert/strict";
import { DEFAULT_STEP_NOTE, DEFAULT_STEP_VELOCITY, newTrackId, TRACK_ID_PATTERN } from "../../src/rules/pattern";

describe("pattern > TRACK_ID_PATTERN", () => {
  it("accepts 1–32 of a-z, 0-9, _ and -", () => {
    for (const id of ["a", "drums", "kick_1", "t-0a1b2c3d", "0", "a".repeat(32), "_-_"]) {
      assert.equal(TRACK_ID_PATTERN.test(id), true, id);
    }
  });

  it("refuses empty, too long, upper-case, spaces and other characters", () => {
    for (const id of ["", "a".repeat(33), "Drums", "two words", "a.b", "é", "a/b", "drums\n"]) {
      assert.equal(TRACK_ID_PATTERN.test(id), false, JSON.stringify(id));
    }
  });
});

describe("pattern > defaults", () => {
  it("gives a step note 60 and velocity 100 by default", () => {
    assert.equal(DEFAULT_STEP_NOTE, 60);
    assert.equal(DEFAULT_STEP_VELOCITY, 100);
  });
});

describe("pattern > newTrackId", () => {
  it("makes ids of the form t- and 8 hex digits, valid as track ids", () => {
    for (let i = 0; i < 50; i++) {
      const id = newTrackId(() => false);
      assert.match(id, /^t-[0-9a-f]{8}$/);
      assert.equal(TRACK_ID_PATTERN.test(id), true);
    }
  });

  it("tries again until it finds an id that is not taken", () => {
    const refused: string[] = [];
    const id = newTrackId((candidate) => {
      if (refused.length < 3) {
        refused.push(candidate);
        return true;
      }
      return false;
    });
    assert.equal(refused.length, 3);
    assert.equal(refused.includes(id), false);
  });

  it("never returns an id that is taken", () => {
    const taken = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const id = newTrackId((candidate) => taken.has(candidate));
      assert.equal(taken.has(id), false);
      taken.add(id);
    }
    assert.equal(taken.size, 100);
  });
});
