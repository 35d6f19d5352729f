import assert from "node:assert/strict";
import { checkLabel, graphemeCount, isNameTaken, LABEL_MAX_CHARS, LABEL_MAX_CODE_UNITS, nameKey } from "../../src/rules/labels";

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

  it("refuses a lone surrogate at the end, the start or in the middle (it would corrupt the state's UTF-8)", () => {
    for (const bad of ["Ann\uD800", "Ann\uDFFF", "\uDC00Ann", "A\uD83Dnn", "🎹\uD83C", "\uD800"]) {
      assert.match(refused(bad), /well-formed Unicode/, JSON.stringify(bad));
    }
  });

  it("refuses bidirectional embeddings, overrides, isolates and marks", () => {
    const controls = [
      "\u202A",
      "\u202B",
      "\u202C",
      "\u202D",
      "\u202E",
      "\u2066",
      "\u2067",
      "\u2068",
      "\u2069",
      "\u200E",
      "\u200F",
      "\u061C",
    ];
    for (const control of controls) {
      assert.match(refused(`Ann${control}Lee`), /bidirectional/, JSON.stringify(control));
    }
    assert.match(refused("\u202Eevil.exe"), /bidirectional/);
  });

  it("refuses names with no visible character", () => {
    const invisible = [
      ["zero-width spaces", "\u200B\u200B"],
      ["a zero-width joiner", "\u200D"],
      ["the Hangul filler", "\u3164"],
      ["Hangul fillers", "\u3164\u3164\u3164"],
      ["the halfwidth Hangul filler", "\uFFA0"],
      ["combining marks only", "\u0301\u0308"],
      ["a combining grapheme joiner", "\u034F"],
      ["a soft hyphen", "\u00AD"],
      ["a word joiner and a BOM", "\u2060\uFEFF"],
      ["variation selectors", "\uFE0F\uFE0E"],
      ["tag characters", "\u{E0041}\u{E0042}"],
      ["the Braille blank", "\u2800"],
      ["zero-width and no-break spaces", "\u200B\u00A0\u200B"],
    ];
    for (const [what, name] of invisible) {
      assert.match(refused(name), /visible character|empty/, what);
    }
  });

  it("accepts a visible name with emoji joiners, variation selectors, skin tones and accents", () => {
    for (const good of ["👨‍👩‍👧‍👦", "❤️ Ann", "👋🏽 Bo", "🏳️‍🌈", "🇫🇷 Zoë", "Zoe\u0308", "Ann\u200BLee", "日本語", "עברית", "العربية"]) {
      assert.equal(accepted(good), good);
    }
  });

  it("counts characters as a person does: an emoji sequence or a flag is one", () => {
    assert.equal(graphemeCount("👨‍👩‍👧‍👦"), 1);
    assert.equal(graphemeCount("👩🏽‍❤️‍💋‍👨🏿"), 1);
    assert.equal(graphemeCount("🇫🇷"), 1);
    assert.equal(graphemeCount("Zoe\u0308"), 3);
  });

  it("accepts five family emoji, and 32 of them, but refuses 33", () => {
    const family = "👨‍👩‍👧‍👦";
    assert.equal(accepted(family.repeat(5)), family.repeat(5));
    assert.equal(accepted(family.repeat(32)), family.repeat(32));
    assert.match(refused(family.repeat(33)), /at most 32/);
    assert.equal(accepted(`${"a".repeat(31)}${family}`), `${"a".repeat(31)}${family}`);
    assert.match(refused(`${"a".repeat(32)}${family}`), /at most 32/);
  });

  it("refuses a few letters under a tower of combining marks (over the code-unit cap)", () => {
    assert.match(refused(`A${"\u0301".repeat(LABEL_MAX_CODE_UNITS)}`), /at most 32/);
    assert.match(refused("x".repeat(100_000)), /at most 32/);
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

describe("labels > nameKey > look-alikes", () => {
  it("treats fullwidth and compatibility forms as the plain letters (NFKC)", () => {
    assert.equal(nameKey("Ａｎｎ"), nameKey("Ann"));
    assert.equal(nameKey("ﬁona"), nameKey("fiona"));
    assert.equal(nameKey("Ann\u00A0Lee"), nameKey("Ann Lee"));
  });

  it("ignores default-ignorable characters", () => {
    assert.equal(nameKey("Ann\u200D"), nameKey("Ann"));
    assert.equal(nameKey("A\u200Bnn"), nameKey("Ann"));
    assert.equal(nameKey("Ann\u00AD"), nameKey("Ann"));
    assert.equal(nameKey("Ann\u3164"), nameKey("Ann"));
  });

  it("folds case beyond lower-casing", () => {
    assert.equal(nameKey("STRASSE"), nameKey("straße"));
  });
});

describe("labels > isNameTaken", () => {
  it("finds look-alikes of a name in the room: fullwidth, capitals, invisible characters", () => {
    for (const lookAlike of ["Ａｎｎ", "ANN", "ＡＮＮ", "Ann\u200D", "\u200BAnn", "A\u2060nn", "Ann\uFE0F", "Ann\u3164"]) {
      assert.equal(isNameTaken(lookAlike, ["Ann"]), true, JSON.stringify(lookAlike));
    }
    assert.equal(isNameTaken("Ann", ["Ａｎｎ"]), true);
  });

  it("finds a name that differs only in runs of spaces", () => {
    assert.equal(isNameTaken("Ann  Lee", ["Ann Lee"]), true);
  });

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
