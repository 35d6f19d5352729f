/**
 * Display names and every other label that enters the state (instruments): trimmed, 1–32
 * characters as a person counts them (grapheme clusters, so an emoji with its modifiers is one),
 * well-formed Unicode, no control or bidirectional-control characters, at least one visible
 * character. Names are unique in a room, compared after NFKC, ignoring case and invisible
 * characters, so a look-alike cannot pose as someone already in.
 */
import { isWellFormed } from "./wellFormed";

export const LABEL_MAX_CHARS = 32;

/**
 * A cap on UTF-16 code units, checked before segmenting so a huge string costs nothing. A
 * grapheme is rarely over 16 units (a skin-toned couple emoji is 15, a family 11), so only stacks
 * of combining marks ("zalgo") reach it while staying within 32 characters.
 */
export const LABEL_MAX_CODE_UNITS = LABEL_MAX_CHARS * 16;

// C0 and C1 control characters, plus the line/paragraph separators that break layouts.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this is for.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

// Exactly U+061C, U+200E, U+200F, U+202A–202E and U+2066–2069: embeddings, overrides, isolates
// and marks that reorder the text around a name ("Ann" + U+202E makes what follows read backwards).
const BIDI_CONTROLS = /\p{Bidi_Control}/u;

// A character that leaves ink: not whitespace, not default-ignorable (zero-width characters,
// U+3164 Hangul filler, variation selectors, tags), not a format character, not a combining mark
// (which needs a base to show), and not U+2800 Braille blank, a symbol drawn as nothing.
const VISIBLE_CHAR = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cf}\p{M}\p{Cc}\u2800]/u;

const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const WHITESPACE_RUN = /\s+/gu;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Characters as a person counts them: an emoji ZWJ sequence, a flag or a letter with accents is one. */
export function graphemeCount(text: string): number {
  return Array.from(graphemes.segment(text)).length;
}

export type LabelCheck = { ok: true; value: string } | { ok: false; reason: string };

export function checkLabel(input: unknown, what: string): LabelCheck {
  if (typeof input !== "string") return { ok: false, reason: `${what} must be a string` };
  if (!isWellFormed(input)) return { ok: false, reason: `${what} must be well-formed Unicode (no lone surrogates)` };
  const value = input.trim();
  if (value.length > LABEL_MAX_CODE_UNITS) return tooLong(what);
  const chars = graphemeCount(value);
  if (chars < 1) return { ok: false, reason: `${what} must not be empty` };
  if (chars > LABEL_MAX_CHARS) return tooLong(what);
  if (CONTROL_CHARS.test(value)) return { ok: false, reason: `${what} must not contain control characters` };
  if (BIDI_CONTROLS.test(value)) return { ok: false, reason: `${what} must not contain bidirectional control characters` };
  if (!VISIBLE_CHAR.test(value)) return { ok: false, reason: `${what} must contain at least one visible character` };
  return { ok: true, value };
}

function tooLong(what: string): LabelCheck {
  return { ok: false, reason: `${what} must be at most ${LABEL_MAX_CHARS} characters` };
}

/**
 * The key under which two names count as the same: NFKC (fullwidth "Ａｎｎ" is "Ann"), without
 * default-ignorable characters ("Ann" + a zero-width joiner is "Ann"), whitespace runs as one
 * space, case folded. Upper- then lower-casing folds what lower-casing alone keeps apart
 * ("STRASSE" and "straße", final and medial sigma).
 */
export function nameKey(name: string): string {
  const folded = name.normalize("NFKC").replace(DEFAULT_IGNORABLE, "").replace(WHITESPACE_RUN, " ").trim().toUpperCase().toLowerCase();
  // Case mapping can leave text that is no longer in NFKC (e.g. "İ" lower-cases to i + U+0307).
  return folded.normalize("NFKC");
}

export function isNameTaken(name: string, takenNames: Iterable<string>): boolean {
  const key = nameKey(name);
  for (const other of takenNames) {
    if (nameKey(other) === key) return true;
  }
  return false;
}
