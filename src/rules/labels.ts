/**
 * Display names and instrument labels: trimmed, 1–32 characters (counted as code points, so an
 * emoji is one), no control characters. Names are unique in a room, ignoring case.
 */
export const LABEL_MAX_CHARS = 32;

// C0 and C1 control characters, plus the line/paragraph separators that break layouts.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export type LabelCheck = { ok: true; value: string } | { ok: false; reason: string };

export function checkLabel(input: unknown, what: string): LabelCheck {
  if (typeof input !== "string") return { ok: false, reason: `${what} must be a string` };
  const value = input.trim();
  const chars = [...value].length;
  if (chars < 1) return { ok: false, reason: `${what} must not be empty` };
  if (chars > LABEL_MAX_CHARS) return { ok: false, reason: `${what} must be at most ${LABEL_MAX_CHARS} characters` };
  if (CONTROL_CHARS.test(value)) return { ok: false, reason: `${what} must not contain control characters` };
  return { ok: true, value };
}

/** The key under which two names count as the same. */
export function nameKey(name: string): string {
  return name.normalize("NFC").toLowerCase();
}

export function isNameTaken(name: string, takenNames: Iterable<string>): boolean {
  const key = nameKey(name);
  for (const other of takenNames) {
    if (nameKey(other) === key) return true;
  }
  return false;
}
