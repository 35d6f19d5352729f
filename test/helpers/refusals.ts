import assert from "node:assert/strict";
import { JoinRefused, type JoinErrorCode } from "../../src/protocol/errors";

/** Runs `fn`, expects a JoinRefused with `code` (and `words` in its message, when given); returns the message. */
export function refusedWith(fn: () => unknown, code: JoinErrorCode, words?: string): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof JoinRefused, `expected a JoinRefused, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (words !== undefined) assert.ok(caught.message.includes(words), `"${caught.message}" does not contain "${words}"`);
  return caught.message;
}
