/**
 * Free-form payloads (`event.payload`, `signal.data`) must be plain JSON of bounded size and
 * depth: msgpack can also carry binary, dates, undefined and huge nesting, none of which a
 * browser peer expects, and all of which would be relayed to everyone. Strings and keys must be
 * well-formed Unicode, or every recipient would get broken UTF-8.
 */
import { isWellFormed } from "./wellFormed";

export const MAX_JSON_DEPTH = 32;

const LONE_SURROGATE = "strings must be well-formed Unicode (no lone surrogates)";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonCheck = { ok: true; value: JsonValue; bytes: number } | { ok: false; reason: string };

export function checkJson(input: unknown, maxBytes: number): JsonCheck {
  const shapeError = jsonShapeError(input, 0);
  if (shapeError !== null) return { ok: false, reason: shapeError };
  const bytes = Buffer.byteLength(JSON.stringify(input), "utf8");
  if (bytes > maxBytes) return { ok: false, reason: `must be at most ${maxBytes} bytes as JSON (got ${bytes})` };
  return { ok: true, value: input as JsonValue, bytes };
}

function jsonShapeError(value: unknown, depth: number): string | null {
  if (depth > MAX_JSON_DEPTH) return `must nest at most ${MAX_JSON_DEPTH} levels`;
  if (value === null || typeof value === "boolean") return null;
  if (typeof value === "string") return isWellFormed(value) ? null : LONE_SURROGATE;
  if (typeof value === "number") return Number.isFinite(value) ? null : "numbers must be finite";
  if (Array.isArray(value)) {
    for (const item of value) {
      const error = jsonShapeError(item, depth + 1);
      if (error !== null) return error;
    }
    return null;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      if (!isWellFormed(key)) return LONE_SURROGATE;
      const error = jsonShapeError(item, depth + 1);
      if (error !== null) return error;
    }
    return null;
  }
  return "must be plain JSON (null, boolean, number, string, array, object)";
}
