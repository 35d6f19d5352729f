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

const DAY_S = 86400;
const policy = (maxAgeS = DAY_S, nowMs = Date.now()) => ({ secret: SECRET, maxAgeS, nowMs });
/** The settings parseJoinProfile reads: a secret, the default max age, the real clock. */
const AUTH = { jwtSecret: SECRET, jwtMaxAgeS: DAY_S, now: Date.now };

/** Signed exactly as given: no expiresIn added, so a test can set exp and iat itself. */
const signedAsIs = (claims: Record<string, unknown>, options: jwt.SignOptions = {}) =>
  jwt.sign(claims, SECRET, { algorithm: "HS256", ...options });

const unauthorized = (token: unknown) => refusedWith(() => nameClaimOf(token, policy()), JoinError.UNAUTHORIZED);

describe("joinToken > nameClaimOf", () => {
  it("uses Colyseus' AUTH_FAILED code, 4215, for every token refusal", () => {
    assert.equal(JoinError.UNAUTHORIZED, 4215);
    assert.equal(JoinError.UNAUTHORIZED, ErrorCode.AUTH_FAILED);
  });

  it("returns the name claim of a valid HS256 token, as it is (the name rules come later)", () => {
    assert.equal(nameClaimOf(tokenFor({ name: "Ann" }), policy()), "Ann");
    assert.equal(nameClaimOf(tokenFor({ name: "  Ann  " }), policy()), "  Ann  ");
    assert.equal(nameClaimOf(tokenFor({ name: 42 }), policy()), 42);
  });

  it("returns undefined when the valid token has no name claim", () => {
    assert.equal(nameClaimOf(tokenFor({ sub: "user-1" }), policy()), undefined);
  });

  it('refuses a valid token without an expiry with "invalid token" (it would never expire)', () => {
    assert.match(unauthorized(signedAsIs({ name: "Ann" })), /^invalid token: .*exp/);
    assert.match(unauthorized(signedAsIs({ name: "Ann" }, { noTimestamp: true })), /^invalid token/);
  });

  it('refuses a token valid for two days with "invalid token" (the default maximum is one day)', () => {
    assert.match(unauthorized(tokenFor({ name: "Ann" }, { expiresIn: "2d" })), /^invalid token: .*longer than the 86400 s/);
  });

  it("accepts a token valid for exactly the maximum, and refuses one a second longer", () => {
    assert.equal(nameClaimOf(tokenFor({ name: "Ann" }, { expiresIn: DAY_S }), policy()), "Ann");
    assert.match(unauthorized(tokenFor({ name: "Ann" }, { expiresIn: DAY_S + 1 })), /^invalid token/);
  });

  it("measures from now when the token has no iat", () => {
    const nowS = Math.floor(Date.now() / 1000);
    const long = signedAsIs({ name: "Ann", exp: nowS + DAY_S + 60 }, { noTimestamp: true });
    assert.match(unauthorized(long), /^invalid token/);
    const short = signedAsIs({ name: "Ann", exp: nowS + 600 }, { noTimestamp: true });
    assert.equal(nameClaimOf(short, policy()), "Ann");
  });

  it("refuses an iat in the future that would hide a long validity behind a short exp − iat", () => {
    const nowS = Math.floor(Date.now() / 1000);
    const token = signedAsIs({ name: "Ann", iat: nowS + 365 * DAY_S, exp: nowS + 365 * DAY_S + 60 });
    assert.match(unauthorized(token), /^invalid token: iat is in the future/);
  });

  it("uses the maximum and the clock it is given", () => {
    const token = tokenFor({ name: "Ann" }, { expiresIn: "1h" });
    assert.match(
      refusedWith(() => nameClaimOf(token, policy(600)), JoinError.UNAUTHORIZED),
      /^invalid token/,
    );
    const inTwoHours = Date.now() + 2 * 3600 * 1000;
    assert.match(
      refusedWith(() => nameClaimOf(token, policy(DAY_S, inTwoHours)), JoinError.UNAUTHORIZED),
      /^token expired/,
    );
  });

  for (const missing of [undefined, null, "", 42, { name: "Ann" }, ["a.b.c"]]) {
    it(`refuses ${JSON.stringify(missing) ?? "undefined"} as a token with "token required"`, () => {
      assert.match(unauthorized(missing), /^token required/);
    });
  }

  it('refuses an expired token with "token expired"', () => {
    assert.match(unauthorized(tokenFor({ name: "Ann" }, { expiresIn: -1 })), /^token expired/);
  });

  it('refuses a token not valid yet with "token not valid yet"', () => {
    assert.match(unauthorized(tokenFor({ name: "Ann" }, { notBefore: 60 })), /^token not valid yet/);
  });

  it('refuses a token signed with another secret with "invalid token: invalid signature"', () => {
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

  it('refuses an unsigned token (alg "none")', () => {
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
    assert.deepEqual(parseJoinProfile({ token: tokenFor({ name: "Ann" }), name: "Mallory", instrument: "bass" }, AUTH), {
      name: "Ann",
      instrument: "bass",
      listener: false,
    });
  });

  it("applies the name rules to the claim (trimmed)", () => {
    assert.equal(parseJoinProfile({ token: tokenFor({ name: "  Ann Lee \t" }) }, AUTH).name, "Ann Lee");
    assert.equal(parseJoinProfile({ token: tokenFor({ name: "N".repeat(32) }) }, AUTH).name, "N".repeat(32));
  });

  it("refuses a valid name without a token", () => {
    assert.match(
      refusedWith(() => parseJoinProfile({ name: "Ann" }, AUTH), JoinError.UNAUTHORIZED),
      /token required/,
    );
    assert.match(
      refusedWith(() => parseJoinProfile(undefined, AUTH), JoinError.UNAUTHORIZED),
      /token required/,
    );
  });

  const badClaims: [string, unknown][] = [
    ["a control character", "A\u0007nn"],
    ["33 characters", "N".repeat(33)],
    ["only spaces", "   "],
    ["a number", 42],
  ];
  for (const [what, name] of badClaims) {
    it(`refuses a name claim of ${what} with "invalid name" (4232)`, () => {
      const message = refusedWith(() => parseJoinProfile({ token: tokenFor({ name }), name: "Ann" }, AUTH), JoinError.INVALID_NAME);
      assert.match(message, /^invalid name: /);
    });
  }

  it('refuses a token without a name claim with "invalid name: name is required"', () => {
    const message = refusedWith(() => parseJoinProfile({ token: tokenFor({ sub: "u1" }), name: "Ann" }, AUTH), JoinError.INVALID_NAME);
    assert.equal(message, "invalid name: name is required");
  });

  it("checks the token before the instrument", () => {
    refusedWith(() => parseJoinProfile({ instrument: 42 }, AUTH), JoinError.UNAUTHORIZED);
    refusedWith(() => parseJoinProfile({ token: tokenFor({ name: "Ann" }), instrument: 42 }, AUTH), JoinError.INVALID_OPTION);
  });

  it("without a secret, ignores any token and takes options.name", () => {
    assert.equal(parseJoinProfile({ token: tokenFor({ name: "Ann" }), name: "Bob" }).name, "Bob");
    assert.equal(parseJoinProfile({ token: "garbage", name: "Bob" }, undefined).name, "Bob");
  });
});
