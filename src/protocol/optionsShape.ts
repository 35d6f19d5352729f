/**
 * The shape every matchmaking options object must have before Colyseus touches it: Colyseus calls
 * `options.hasOwnProperty(…)` (an own key of that name breaks it with an internal message) and
 * JSON-clones the options for the seat reservation (deep nesting overflows the stack there, and
 * the RangeError reaches the client as "already full"). Refused with 4233 `invalid option`.
 */
import { refuse } from "./errors";

/** The options object is level 1; an object or array inside it level 2, and so on. */
export const MAX_OPTIONS_DEPTH = 4;

const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

function shapeError(value: unknown, depth: number): string | null {
  if (value === null || typeof value !== "object") return null;
  if (depth > MAX_OPTIONS_DEPTH) return `options may nest at most ${MAX_OPTIONS_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      const error = shapeError(item, depth + 1);
      if (error !== null) return error;
    }
    return null;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (PROTOTYPE_NAMES.has(key)) return `"${key}" is not allowed as a key`;
    const error = shapeError(inner, depth + 1);
    if (error !== null) return error;
  }
  return null;
}

/** Throws JoinRefused (4233) unless `options` is a plain JSON object of bounded depth without Object.prototype keys. */
export function checkOptionsShape(options: unknown): void {
  if (options === null || typeof options !== "object" || Array.isArray(options) || Object.getPrototypeOf(options) !== Object.prototype) {
    throw refuse.invalidOption("options must be an object");
  }
  const error = shapeError(options, 1);
  if (error !== null) throw refuse.invalidOption(error);
}
