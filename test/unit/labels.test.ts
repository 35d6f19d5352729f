import assert from "node:assert/strict";
import { checkLabel, isNameTaken, LABEL_MAX_CHARS, nameKey } from "../../src/rules/labels";

/** The accepted value, or a failed assertion with the reason. */
function accepted(input: unknown): string {
  const check = checkLabel(input, "name");
  assert.ok(check.ok, check.ok ? "" : `refused: ${check.reason}`);
  return check.value;
}

/** The refusal reason, or a failed assertion. */
function refused(input: unknown): string {
  const check = checkLabel(input, "name");
  assert.equal(check.ok, false, `accepted ${JSON.stringify(input)}`);
  return check.ok ? "" : check.reason;
}

describe("labels > checkLabel", () => {
  it("accepts a plain name as it is", () => {
    assert.equal(accepted("Ann"), "Ann");
  });

  it("trims surrounding whitespace", () => {
    assert.equal(accepted("  Ann Lee \t"), "Ann Lee");
    assert.equal(accepted("\nBob\n"), "Bob");
  });

  it("accepts a single character", () => {
    assert.equal(accepted("x"), "x");
  });

  it("refuses an empty or whitespace-only label", () => {
    assert.match(refused(""), /empty/);
    assert.match(refused("    "), /empty/);
  });

  it("accepts 32 characters and refuses 33", () => {
    assert.equal(LABEL_MAX_CHARS, 32);
    assert.equal(accepted("a".repeat(32)), "a".repeat(32));
    assert.match(refused("a".repeat(33)), /at most 32/);
  });

  it("does not count surrounding whitespace towards the 32 characters", () => {
    assert.equal(accepted(`  ${"a".repeat(32)}  `), "a".repeat(32));
  });

  it("counts an emoji as one character", () => {
    assert.equal(accepted("🎹"), "🎹");
    assert.equal(accepted("🎸".repeat(32)), "🎸".repeat(32));
    refused("🎸".repeat(33));
    assert.equal(accepted(`${"a".repeat(31)}🥁`), `${"a".repeat(31)}🥁`);
  });

  it("accepts letters from any script", () => {
    assert.equal(accepted("Zoë"), "Zoë");
    assert.equal(accepted("山田"), "山田");
  });

  it("refuses control characters inside the label", () => {
    for (const bad of ["a\nb", "a\tb", "a\u0000b", "bell\u0007", "a\u001bb", "a\u007fb", "a\u0085b", "a\u009fb", "a\u2028b"]) {
      assert.match(refused(bad), /control characters/, JSON.stringify(bad));
    }
  });

  it("refuses values that are not strings", () => {
    for (const bad of [42, null, undefined, true, {}, ["Ann"]]) {
      assert.match(refused(bad), /must be a string/, String(bad));
    }
  });

  it("names what it checked in the reason", () => {
    const check = checkLabel("", "instrument");
    assert.equal(check.ok, false);
    assert.match(check.ok ? "" : check.reason, /^instrument /);
  });
});

describe("labels > nameKey", () => {
  it("ignores case", () => {
    assert.equal(nameKey("ANN"), nameKey("ann"));
  });

  it("treats composed and decomposed accents as the same", () => {
    assert.equal(nameKey("Zo\u00eb"), nameKey("Zoe\u0308"));
  });
});

describe("labels > isNameTaken", () => {
  it("finds an exact match", () => {
    assert.equal(isNameTaken("Ann", ["Bob", "Ann"]), true);
  });

  it("finds a match that differs only in case", () => {
    assert.equal(isNameTaken("ann", ["Ann"]), true);
    assert.equal(isNameTaken("ANN", ["aNn"]), true);
    assert.equal(isNameTaken("ÉLODIE", ["élodie"]), true);
  });

  it("finds a match written with a decomposed accent", () => {
    assert.equal(isNameTaken("Zoe\u0308", ["Zo\u00eb"]), true);
  });

  it("does not match a different name", () => {
    assert.equal(isNameTaken("Anne", ["Ann", "Bob"]), false);
    assert.equal(isNameTaken("Zoe", ["Zoë"]), false);
  });

  it("is false in an empty room", () => {
    assert.equal(isNameTaken("Ann", []), false);
  });

  it("accepts any iterable of names, such as a Set", () => {
    assert.equal(isNameTaken("bob", new Set(["Ann", "Bob"])), true);
  });
});
