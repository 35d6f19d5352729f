/**
 * The client shares the server's declarations instead of copying them. These tests keep it that
 * way: what the client bundle runs of the server's code stays dependency-free (browser-safe), and
 * the few restated constants and mappings agree with the server's.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import ts from "typescript";
import {
  ConnectionFailed,
  InvalidName,
  InvalidOption,
  InvalidRoomCode,
  JoinError as ClientJoinError,
  CloseCode as ClientCloseCode,
  JamError,
  NameTaken,
  NoFreeRoomCode,
  ROOM_CODE_ALPHABET,
  RoomFull,
  RoomNotFound,
  SERVER_MESSAGE_TYPES,
  ServerUnavailable,
  Unauthorized,
  normalizeRoomCode,
  preflightError,
  toJamError,
} from "../../client/src";
import { CloseCode } from "../../src/protocol/codes";
import { JoinError, refuse } from "../../src/protocol/errors";
import { ROOM_CODE_ALPHABET as SERVER_ALPHABET, normalizeRoomCode as serverNormalize } from "../../src/rules/roomCode";

const ROOT = path.resolve(__dirname, "../..");
const CLIENT_SRC = path.join(ROOT, "client/src");

/** The modules a file imports for their values (type-only imports and exports are erased). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      const onlyTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            named !== undefined &&
            ts.isNamedImports(named) &&
            named.elements.length > 0 &&
            named.elements.every((e) => e.isTypeOnly)));
      if (!onlyTypes) found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined) {
      const clause = statement.exportClause;
      const onlyTypes =
        statement.isTypeOnly ||
        (clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly));
      if (!onlyTypes) found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return found;
}

/** Every file the client's bundle would contain, and every package it would pull in. */
function runtimeGraph(): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith(".")) visit(path.resolve(path.dirname(file), specifier.replace(/(\.ts)?$/, ".ts")));
      else packages.add(specifier);
    }
  };
  for (const name of readdirSync(CLIENT_SRC)) if (name.endsWith(".ts")) visit(path.join(CLIENT_SRC, name));
  return { files: [...files].map((file) => path.relative(ROOT, file)).sort(), packages: [...packages].sort() };
}

describe("client > shared with the server, not copied", () => {
  it("runs no server code but the dependency-free codes, message declarations, code format and sequencer, and needs only colyseus.js", () => {
    const { files, packages } = runtimeGraph();
    assert.deepEqual(packages, ["colyseus.js"]);
    assert.deepEqual(
      files.filter((file) => !file.startsWith("client/")),
      ["src/protocol/codes.ts", "src/protocol/serverMessages.ts", "src/rules/roomCodeFormat.ts", "src/rules/sequencer.ts"],
    );
  });

  it("uses the server's room code alphabet, and reads every code the server's normaliser reads", () => {
    assert.equal(ROOM_CODE_ALPHABET, SERVER_ALPHABET);
    const letter = fc.constantFrom(...SERVER_ALPHABET.split(""), ..."abcdefghjkmnpqrstuvwxyz", "0", "O", "1", "I", "-", " ");
    fc.assert(
      fc.property(fc.array(letter, { minLength: 0, maxLength: 8 }), fc.constantFrom("", " ", "\t", "  "), (chars, pad) => {
        const typed = pad + chars.join("") + pad;
        const server = serverNormalize(typed);
        if (server !== null) assert.equal(normalizeRoomCode(typed), server);
        const client = normalizeRoomCode(typed);
        if (client !== null) assert.equal(serverNormalize(client), client, "what the client sends, the server reads");
      }),
      { numRuns: 2000 },
    );
    assert.equal(normalizeRoomCode(" k7q-f2m "), "K7QF2M");
    assert.equal(normalizeRoomCode("K7QF2"), null);
    assert.equal(normalizeRoomCode("K7QF2O"), null);
  });

  it("has the server's code tables, not copies", () => {
    assert.equal(ClientJoinError, JoinError);
    assert.equal(ClientCloseCode, CloseCode);
  });

  it("listens to every server → client message type", () => {
    assert.deepEqual([...SERVER_MESSAGE_TYPES].sort(), ["chat", "error", "event", "note", "pong", "server-restart", "signal"]);
  });
});

describe("client > error mapping", () => {
  it("maps each refusal the server makes to its class, keeping the server's words", () => {
    const cases: [Error & { code: number }, new (...args: never[]) => JamError, string][] = [
      [refuse.full(4), RoomFull, "ROOM_FULL"],
      [refuse.nameTaken("Bob"), NameTaken, "NAME_TAKEN"],
      [refuse.invalidName("name is required"), InvalidName, "INVALID_NAME"],
      [refuse.invalidOption("tempo: too big"), InvalidOption, "INVALID_OPTION"],
      [refuse.unauthorized("token expired"), Unauthorized, "UNAUTHORIZED"],
      [refuse.codeUnavailable(), NoFreeRoomCode, "NO_FREE_ROOM_CODE"],
    ];
    for (const [refusal, kind, code] of cases) {
      // colyseus.js hands the app `{ code, message }` (a MatchMakeError or ServerError).
      const error = toJamError({ code: refusal.code, message: refusal.message });
      assert.ok(error instanceof kind, `${refusal.code} → ${error.name}`);
      assert.ok(error instanceof JamError);
      assert.equal(error.code, code);
      assert.equal(error.status, refusal.code);
      assert.equal(error.message, refusal.message);
      assert.equal(error.name, kind.name);
    }
  });

  it("maps Colyseus' own answers: unknown room, locked room, draining server, broken connection", () => {
    assert.ok(toJamError({ code: 4212, message: 'room "ABCDEF" not found' }) instanceof RoomNotFound);
    assert.ok(toJamError({ code: 4212, message: 'room "ABCDEF" is locked' }) instanceof RoomFull);
    assert.ok(toJamError({ code: 503, message: "Service Unavailable" }) instanceof ServerUnavailable);
    assert.ok(toJamError({ code: 1006, message: "" }) instanceof ConnectionFailed);
    assert.ok(toJamError(new Error("connect ECONNREFUSED 127.0.0.1:2567")) instanceof ConnectionFailed);
    const odd = toJamError({ code: 4999, message: "something new" });
    assert.equal(odd.code, "UNKNOWN");
    assert.equal(odd.status, 4999);
    const already = new RoomFull("full");
    assert.equal(toJamError(already), already);
  });

  it("maps the preflight's HTTP answers", () => {
    assert.ok(preflightError(404, { error: "Room not found" }, "ABCDEF") instanceof RoomNotFound);
    assert.ok(preflightError(400, { error: "Invalid room code" }, "ABCDEF") instanceof InvalidRoomCode);
    assert.ok(preflightError(503, undefined, "ABCDEF") instanceof ServerUnavailable);
    const forbidden = preflightError(403, { error: "Origin not allowed" }, "ABCDEF");
    assert.equal(forbidden.code, "UNKNOWN");
    assert.match(forbidden.message, /Origin not allowed/);
  });
});
