import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { ErrorCode } from "@colyseus/core";
import jwt from "jsonwebtoken";
import { nameClaimOf } from "../../src/auth/joinToken";
import { JoinError } from "../../src/protocol/errors";
import { parseJoinProfile } from "../../src/protocol/options";
import { refusedWith } from "../helpers/refusals";

const SECRET = "unit-test-secret-0123456789abcdefghij";

const tokenFor = (claims: Record<string, unknown>, options: jwt.SignOptions = {}, secret: jwt.Secret = SECRET) =>
  jwt.sign(claims, secret, { algorithm: "HS256", expiresIn: "5m", ...options });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

const unauthorized = (token: unknown) => refusedWith(() => nameClaimOf(token, SECRET), JoinError.UNAUTHORIZED);

describe("joinToken > nameClaimOf", () => {
  it("uses Colyseus' AUTH_FAILED code, 4215, for every token refusal", () => {
    assert.equal(JoinError.UNAUTHORIZED, 4215);
    assert.equal(JoinError.UNAUTHORIZED, ErrorCode.AUTH_FAILED);
  });

  it("returns the name claim of a valid HS256 token, as it is (the name rules come later)", () => {
    assert.equal(nameClaimOf(tokenFor({ name: "Ann" }), SECRET), "Ann");
    assert.equal(nameClaimOf(tokenFor({ name: "  Ann  " }), SECRET), "  Ann  ");
    assert.equal(nameClaimOf(tokenFor({ name: 42 }), SECRET), 42);
  });

  it("returns undefined when the valid token has no name claim", () => {
    assert.equal(nameClaimOf(tokenFor({ sub: "user-1" }), SECRET), undefined);
  });

  it("accepts a valid token without an expiry", () => {
    assert.equal(nameClaimOf(jwt.sign({ name: "Ann" }, SECRET, { algorithm: "HS256" }), SECRET), "Ann");
  });

  for (const missing of [undefined, null, "", 42, { name: "Ann" }, ["a.b.c"]]) {
    it(`refuses ${JSON.stringify(missing) ?? "undefined"} as a token with "token required"`, () => {
      assert.match(unauthorized(missing), /^token required/);
    });
  }

  it("refuses an expired token with \"token expired\"", () => {
    assert.match(unauthorized(tokenFor({ name: "Ann" }, { expiresIn: -1 })), /^token expired/);
  });

  it("refuses a token not valid yet with \"token not valid yet\"", () => {
    assert.match(unauthorized(tokenFor({ name: "Ann" }, { notBefore: 60 })), /^token not valid yet/);
  });

  it("refuses a token signed with another secret with \"invalid token: invalid signature\"", () => {
    assert.equal(unauthorized(tokenFor({ name: "Ann" }, {}, "another-secret-0123456789abcdefghijkl")), "invalid token: invalid signature");
  });

  it("refuses HS384 and HS512 tokens signed with the right secret (HS256 only)", () => {
    assert.equal(unauthorized(tokenFor({ name: "Ann" }, { algorithm: "HS384" })), "invalid token: invalid algorithm");
    assert.equal(unauthorized(tokenFor({ name: "Ann" }, { algorithm: "HS512" })), "invalid token: invalid algorithm");
  });

  it("refuses an RS256 token (no algorithm confusion)", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    assert.match(unauthorized(tokenFor({ name: "Ann" }, { algorithm: "RS256" }, privateKey)), /^invalid token/);
  });

  it("refuses an unsigned token (alg \"none\")", () => {
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64({ name: "Ann" })}.`;
    assert.match(unauthorized(unsigned), /^invalid token/);
  });

  it("refuses a token whose payload was changed after signing", () => {
    const [header, , signature] = tokenFor({ name: "Bob" }).split(".");
    assert.equal(unauthorized(`${header}.${b64({ name: "Admin" })}.${signature}`), "invalid token: invalid signature");
  });

  for (const garbage of ["garbage", "a.b.c", "...", "x".repeat(5000)]) {
    it(`refuses the garbage token "${garbage.slice(0, 12)}" with "invalid token: ..."`, () => {
      assert.match(unauthorized(garbage), /^invalid token: \S/);
    });
  }

  it("refuses a validly signed token whose payload is a string, not claims", () => {
    const stringPayload = jwt.sign("Ann", SECRET, { algorithm: "HS256" });
    assert.match(unauthorized(stringPayload), /^invalid token: .*JSON object/);
  });
});

describe("options > parseJoinProfile with a JWT secret", () => {
  it("takes the name from the token and ignores options.name", () => {
    assert.deepEqual(parseJoinProfile({ token: tokenFor({ name: "Ann" }), name: "Mallory", instrument: "bass" }, SECRET), {
      name: "Ann",
      instrument: "bass",
    });
  });

  it("applies the name rules to the claim (trimmed)", () => {
    assert.equal(parseJoinProfile({ token: tokenFor({ name: "  Ann Lee \t" }) }, SECRET).name, "Ann Lee");
    assert.equal(parseJoinProfile({ token: tokenFor({ name: "N".repeat(32) }) }, SECRET).name, "N".repeat(32));
  });

  it("refuses a valid name without a token", () => {
    assert.match(refusedWith(() => parseJoinProfile({ name: "Ann" }, SECRET), JoinError.UNAUTHORIZED), /token required/);
    assert.match(refusedWith(() => parseJoinProfile(undefined, SECRET), JoinError.UNAUTHORIZED), /token required/);
  });

  const badClaims: [string, unknown][] = [
    ["a control character", "A\u0007nn"],
    ["33 characters", "N".repeat(33)],
    ["only spaces", "   "],
    ["a number", 42],
  ];
  for (const [what, name] of badClaims) {
    it(`refuses a name claim of ${what} with "invalid name" (4232)`, () => {
      const message = refusedWith(() => parseJoinProfile({ token: tokenFor({ name }), name: "Ann" }, SECRET), JoinError.INVALID_NAME);
      assert.match(message, /^invalid name: /);
    });
  }

  it("refuses a token without a name claim with \"invalid name: name is required\"", () => {
    const message = refusedWith(() => parseJoinProfile({ token: tokenFor({ sub: "u1" }), name: "Ann" }, SECRET), JoinError.INVALID_NAME);
    assert.equal(message, "invalid name: name is required");
  });

  it("checks the token before the instrument", () => {
    refusedWith(() => parseJoinProfile({ instrument: 42 }, SECRET), JoinError.UNAUTHORIZED);
    refusedWith(() => parseJoinProfile({ token: tokenFor({ name: "Ann" }), instrument: 42 }, SECRET), JoinError.INVALID_OPTION);
  });

  it("without a secret, ignores any token and takes options.name", () => {
    assert.equal(parseJoinProfile({ token: tokenFor({ name: "Ann" }), name: "Bob" }).name, "Bob");
    assert.equal(parseJoinProfile({ token: "garbage", name: "Bob" }, undefined).name, "Bob");
  });
});
