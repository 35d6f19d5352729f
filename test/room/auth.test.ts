import assert from "node:assert/strict";
import jwt from "jsonwebtoken";
import type { Room } from "colyseus.js";
import { matchMaker } from "@colyseus/core";
import { JoinError } from "../../src/protocol/errors";
import type { JamState } from "../../src/schema/JamState";
import { stateWhere, synced } from "../../support/clients";
import { drop, refusal } from "../helpers/lifecycle";
import { useJamServer } from "../helpers/suite";

const SECRET = "jam-test-secret-0123456789abcdefghij";
const OTHER_SECRET = "another-secret-0123456789abcdefghijkl";

type Options = Record<string, unknown>;

/** An HS256 token with `claims`, signed with `secret`, valid for 5 minutes unless told otherwise. */
function sign(claims: Options, secret = SECRET, options: jwt.SignOptions = {}): string {
  return jwt.sign(claims, secret, { algorithm: "HS256", expiresIn: "5m", ...options });
}

const tokenFor = (name: unknown, options: jwt.SignOptions = {}) => sign({ name }, SECRET, options);

/** A token with the header `{ alg: "none" }` and no signature. */
function unsignedToken(claims: Options): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part({ ...claims, exp: Math.floor(Date.now() / 1000) + 300 })}.`;
}

describe("JamRoom > JWT_SECRET (signed join tokens)", () => {
  const server = useJamServer({ jwtSecret: SECRET });

  async function create(options: Options): Promise<Room<JamState>> {
    return synced(await server.colyseus.sdk.create<JamState>("jam", options));
  }

  async function join(code: string, options: Options): Promise<Room<JamState>> {
    return synced(await server.colyseus.sdk.joinById<JamState>(code, options));
  }

  const nameOf = (room: Room<JamState>) => room.state.participants.get(room.sessionId)?.name;

  /** The refusal of a create and of a join (into a room Ann opened with a good token) with `options`. */
  async function refusedBoth(options: Options, code: number, words: RegExp): Promise<void> {
    await assert.rejects(server.colyseus.sdk.create("jam", options), refusal(code, words), "create");
    const ann = await create({ token: tokenFor("Ann") });
    await assert.rejects(server.colyseus.sdk.joinById(ann.roomId, options), refusal(code, words), "join");
    // Neither the refused create nor the refused join left anything behind.
    const rooms = await matchMaker.query({ name: "jam" });
    assert.deepEqual(
      rooms.map((room) => room.roomId),
      [ann.roomId],
    );
    assert.equal(server.colyseus.getRoomById<JamState>(ann.roomId).state.participants.size, 1);
  }

  describe("JamRoom > JWT_SECRET > refusals", () => {
    it('refuses create and join without a token (4215, "token required"), even with a name', async () => {
      await refusedBoth({ name: "Ann" }, JoinError.UNAUTHORIZED, /token required/);
    });

    it("refuses create and join without any options at all", async () => {
      await assert.rejects(server.colyseus.sdk.create("jam"), refusal(JoinError.UNAUTHORIZED, /token required/));
      const ann = await create({ token: tokenFor("Ann") });
      await assert.rejects(server.colyseus.sdk.joinById(ann.roomId), refusal(JoinError.UNAUTHORIZED, /token required/));
    });

    it('refuses an empty token or one that is not a string with "token required"', async () => {
      await refusedBoth({ token: "" }, JoinError.UNAUTHORIZED, /token required/);
      await server.colyseus.cleanup();
      await refusedBoth({ token: 42 }, JoinError.UNAUTHORIZED, /token required/);
    });

    it('refuses an expired token with "token expired"', async () => {
      await refusedBoth({ token: tokenFor("Bob", { expiresIn: -60 }) }, JoinError.UNAUTHORIZED, /token expired/);
    });

    it('refuses a token without exp (it would never expire) with "invalid token"', async () => {
      const forever = jwt.sign({ name: "Bob" }, SECRET, { algorithm: "HS256" });
      await refusedBoth({ token: forever }, JoinError.UNAUTHORIZED, /invalid token/);
    });

    it('refuses a token valid for two days (over JWT_MAX_AGE_S, one day by default) with "invalid token"', async () => {
      await refusedBoth({ token: tokenFor("Bob", { expiresIn: "2d" }) }, JoinError.UNAUTHORIZED, /invalid token/);
    });

    it('refuses a token without iat whose exp is two days away with "invalid token"', async () => {
      const exp = Math.floor(Date.now() / 1000) + 2 * 86400;
      const token = jwt.sign({ name: "Bob", exp }, SECRET, { algorithm: "HS256", noTimestamp: true });
      await refusedBoth({ token }, JoinError.UNAUTHORIZED, /invalid token/);
    });

    it("accepts a token valid for exactly one day", async () => {
      const ann = await create({ token: tokenFor("Ann", { expiresIn: 86400 }) });
      assert.equal(nameOf(ann), "Ann");
    });

    it("refuses a token not valid yet (nbf in the future)", async () => {
      await refusedBoth({ token: tokenFor("Bob", { notBefore: 120 }) }, JoinError.UNAUTHORIZED, /not valid yet/);
    });

    it('refuses a token signed with another secret with "invalid token"', async () => {
      await refusedBoth({ token: sign({ name: "Bob" }, OTHER_SECRET) }, JoinError.UNAUTHORIZED, /invalid token/);
    });

    it('refuses an unsigned token (alg "none") with "invalid token"', async () => {
      await refusedBoth({ token: unsignedToken({ name: "Bob" }) }, JoinError.UNAUTHORIZED, /invalid token/);
    });

    it('refuses a token signed with the right secret but HS512 with "invalid token"', async () => {
      await refusedBoth({ token: tokenFor("Bob", { algorithm: "HS512" }) }, JoinError.UNAUTHORIZED, /invalid token/);
    });

    it("refuses a token whose signature was tampered with (name changed)", async () => {
      const [header, , signature] = tokenFor("Bob").split(".");
      const forged = Buffer.from(JSON.stringify({ name: "Admin", exp: Math.floor(Date.now() / 1000) + 300 })).toString("base64url");
      await refusedBoth({ token: `${header}.${forged}.${signature}` }, JoinError.UNAUTHORIZED, /invalid token/);
    });

    for (const garbage of ["garbage", "a.b.c", `Bearer ${"x".repeat(20)}`]) {
      it(`refuses the garbage token "${garbage}" with "invalid token"`, async () => {
        await refusedBoth({ token: garbage }, JoinError.UNAUTHORIZED, /invalid token/);
      });
    }

    it("refuses a token whose payload is a string, not claims", async () => {
      await refusedBoth({ token: jwt.sign("Bob", SECRET, { algorithm: "HS256" }) }, JoinError.UNAUTHORIZED, /invalid token/);
    });
  });

  describe("JamRoom > JWT_SECRET > the name claim", () => {
    it("names the creator after the token's name claim, not options.name", async () => {
      const ann = await create({ token: tokenFor("Ann"), name: "Mallory" });
      assert.equal(nameOf(ann), "Ann");
    });

    it("names a joiner after the token's name claim, not options.name, and everyone sees it", async () => {
      const ann = await create({ token: tokenFor("Ann") });
      const bob = await join(ann.roomId, { token: tokenFor("Bob"), name: "Ann" });
      assert.equal(nameOf(bob), "Bob");
      const seen = await stateWhere(ann, (s) => s.participants.has(bob.sessionId));
      assert.equal(seen.participants.get(bob.sessionId)?.name, "Bob");
    });

    it("applies the name rules to the claim: trimmed, 32 characters accepted", async () => {
      const ann = await create({ token: tokenFor("  Ann Lee  ") });
      assert.equal(nameOf(ann), "Ann Lee");
      const long = await join(ann.roomId, { token: tokenFor("N".repeat(32)) });
      assert.equal(nameOf(long), "N".repeat(32));
    });

    const badClaims: [string, unknown][] = [
      ["with a control character", "A\u0007nn"],
      ["with a line break", "Ann\nBob"],
      ["of 33 characters", "N".repeat(33)],
      ["that is empty", ""],
      ["that is not a string", 42],
    ];
    for (const [what, name] of badClaims) {
      it(`refuses a name claim ${what} with "invalid name"`, async () => {
        await refusedBoth({ token: tokenFor(name) }, JoinError.INVALID_NAME, /invalid name/);
      });
    }

    it('refuses a token without a name claim with "invalid name", even with options.name', async () => {
      await refusedBoth({ token: sign({ sub: "user-1" }), name: "Bob" }, JoinError.INVALID_NAME, /invalid name/);
    });

    it('refuses a second token with the same name, ignoring case, with "name already taken"', async () => {
      const ann = await create({ token: tokenFor("Ann") });
      await assert.rejects(join(ann.roomId, { token: tokenFor("ANN") }), refusal(JoinError.NAME_TAKEN, /name already taken/));
      await assert.rejects(join(ann.roomId, { token: tokenFor("Ann") }), refusal(JoinError.NAME_TAKEN, /name already taken/));
      assert.equal(server.colyseus.getRoomById<JamState>(ann.roomId).state.participants.size, 1);
    });

    it("does not let options.name claim a name another token holds", async () => {
      const ann = await create({ token: tokenFor("Ann") });
      // Options say "Ann" but the token says "Bob": Bob joins, Ann's name is untouched.
      const bob = await join(ann.roomId, { token: tokenFor("Bob"), name: "Ann" });
      const names = Array.from((await stateWhere(ann, (s) => s.participants.size === 2)).participants.values(), (p) => p.name).sort();
      assert.deepEqual(names, ["Ann", "Bob"]);
      assert.equal(nameOf(bob), "Bob");
    });
  });

  describe("JamRoom > JWT_SECRET > reconnection", () => {
    it("lets a dropped participant back with its reconnection token alone", async () => {
      const ann = await create({ token: tokenFor("Ann") });
      const bob = await join(ann.roomId, { token: tokenFor("Bob") });
      await drop(bob);
      await stateWhere(ann, (s) => s.participants.get(bob.sessionId)?.connected === false);
      const back = await synced(await server.colyseus.sdk.reconnect<JamState>(bob.reconnectionToken));
      assert.equal(back.sessionId, bob.sessionId);
      assert.equal(nameOf(back), "Bob");
    });
  });
});

describe("JamRoom > JWT_MAX_AGE_S", () => {
  const server = useJamServer({ jwtSecret: SECRET, jwtMaxAgeS: 600 });

  it("holds tokens to the deployment's maximum: 10 minutes allowed, an hour refused", async () => {
    const ann = await synced(await server.colyseus.sdk.create<JamState>("jam", { token: tokenFor("Ann", { expiresIn: 600 }) }));
    await assert.rejects(
      server.colyseus.sdk.joinById(ann.roomId, { token: tokenFor("Bob", { expiresIn: "1h" }) }),
      refusal(JoinError.UNAUTHORIZED, /invalid token/),
    );
  });
});
