/**
 * The docs name everything a client or an operator can meet: every code of the code table and
 * every message type in docs/PROTOCOL.md, every environment variable in README.md and .env.example.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { SETTINGS_VARIABLES } from "../../src/config/settings";
import { CloseCode, HttpError, JoinError, MessageError } from "../../src/protocol/codes";
import { MESSAGE_TYPES } from "../../src/protocol/messages";
import { SERVER_MESSAGE_TYPES } from "../../src/protocol/serverMessages";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

function missing(text: string, names: Iterable<string>): string[] {
  return [...names].filter((name) => !text.includes(name));
}

describe("docs > name what the code has", () => {
  const protocol = read("docs/PROTOCOL.md");

  it("docs/PROTOCOL.md gives every join refusal, close code and message error code", () => {
    const codes = [...Object.values(JoinError), ...Object.values(CloseCode)].map((code) => `${code}`);
    assert.deepEqual(missing(protocol, codes), []);
    assert.deepEqual(
      missing(
        protocol,
        Object.values(MessageError).map((code) => `\`${code}\``),
      ),
      [],
    );
  });

  it("docs/PROTOCOL.md gives every HTTP error with its status and body", () => {
    const answers = Object.values(HttpError).map(({ status, error }) => `${status} {"error":"${error}"}`);
    assert.deepEqual(missing(protocol, answers), []);
  });

  it("docs/PROTOCOL.md describes every message type, both ways", () => {
    assert.deepEqual(
      missing(
        protocol,
        [...MESSAGE_TYPES, ...SERVER_MESSAGE_TYPES].map((type) => `\`${type}\``),
      ),
      [],
    );
  });

  for (const file of ["README.md", ".env.example"]) {
    it(`${file} names every environment variable the server reads`, () => {
      assert.deepEqual(missing(read(file), SETTINGS_VARIABLES), []);
    });
  }
});
