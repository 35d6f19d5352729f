import assert from "node:assert/strict";
import { ISSUED_AT_SKEW_S, tokenLifetimeError } from "../../src/rules/tokenLifetime";

const DAY_S = 86400;
const NOW_S = 1_800_000_000;

const ok = (claims: Record<string, unknown>, maxAgeS = DAY_S) => assert.equal(tokenLifetimeError(claims, maxAgeS, NOW_S), null);
const why = (claims: Record<string, unknown>, maxAgeS = DAY_S) => {
  const error = tokenLifetimeError(claims, maxAgeS, NOW_S);
  assert.notEqual(error, null, `accepted ${JSON.stringify(claims)}`);
  return error ?? "";
};

describe("tokenLifetime > tokenLifetimeError", () => {
  it("refuses a token without exp (it would never expire)", () => {
    assert.match(why({}), /must carry exp/);
    assert.match(why({ iat: NOW_S }), /must carry exp/);
  });

  it("refuses an exp or iat that is not a number of seconds", () => {
    assert.match(why({ exp: "tomorrow" }), /exp must be a number/);
    assert.match(why({ exp: NOW_S + 60, iat: "today" }), /iat must be a number/);
    assert.match(why({ exp: NOW_S + 60, iat: null }), /iat must be a number/);
  });

  it("measures exp − iat when iat is present: a day is allowed, a day and a second is not", () => {
    ok({ iat: NOW_S, exp: NOW_S + DAY_S });
    assert.match(why({ iat: NOW_S, exp: NOW_S + DAY_S + 1 }), /longer than the 86400 s/);
    assert.match(why({ iat: NOW_S, exp: NOW_S + 2 * DAY_S }), /valid for 172800 s/);
    // Issued long ago with a long life: still refused, even though little of it is left.
    assert.match(why({ iat: NOW_S - 30 * DAY_S, exp: NOW_S + 60 }), /longer than/);
  });

  it("measures exp − now when iat is absent", () => {
    ok({ exp: NOW_S + DAY_S });
    ok({ exp: NOW_S + 60 });
    assert.match(why({ exp: NOW_S + DAY_S + 1 }), /longer than/);
  });

  it("refuses an iat in the future beyond the allowed clock skew", () => {
    ok({ iat: NOW_S + ISSUED_AT_SKEW_S, exp: NOW_S + ISSUED_AT_SKEW_S + 600 });
    assert.match(why({ iat: NOW_S + 365 * DAY_S, exp: NOW_S + 365 * DAY_S + 60 }), /iat is in the future/);
  });

  it("uses the maximum it is given", () => {
    ok({ iat: NOW_S, exp: NOW_S + 600 }, 600);
    assert.match(why({ iat: NOW_S, exp: NOW_S + 601 }, 600), /longer than the 600 s/);
  });
});
