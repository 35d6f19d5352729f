import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import { Client } from "colyseus.js";
import { DEFAULT_HTTP_RATE_LIMITS, loadSettings, type HttpRateLimits } from "../../src/config/settings";
import { HttpError } from "../../src/protocol/errors";
import { JAM_ROOM_NAME } from "../../src/rooms/roomName";
import { send, type Answer } from "../helpers/http";
import { bootJamServer, GENEROUS_HTTP_RATE_LIMITS, type JamTestServer } from "../helpers/server";

const TOO_MANY = { error: HttpError.TOO_MANY_REQUESTS.error };

const httpBase = (server: JamTestServer) => server.endpoint.replace(/^ws/, "http");

const create = (server: JamTestServer, headers: Record<string, string> = {}) =>
  send(httpBase(server), `/matchmake/create/${JAM_ROOM_NAME}`, { method: "POST", headers, json: { name: "Ann" } });

const joinById = (server: JamTestServer, roomId: string, name: string) =>
  send(httpBase(server), `/matchmake/joinById/${roomId}`, { method: "POST", json: { name } });

/** Sends `count` creates one after another; their statuses. */
async function createMany(server: JamTestServer, count: number, headers: Record<string, string> = {}): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await create(server, headers)).status);
  return statuses;
}

function assertTooMany(answer: Answer, maxRetryAfterS: number): void {
  assert.equal(answer.status, 429);
  assert.deepEqual(answer.body, TOO_MANY);
  const retryAfter = Number(answer.headers.get("retry-after"));
  assert.ok(
    Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxRetryAfterS,
    `Retry-After ${String(answer.headers.get("retry-after"))}`,
  );
}

const limits = (env: string): HttpRateLimits => loadSettings({ HTTP_RATE_LIMITS: env }).httpRateLimits;

describe("HTTP rate limits per client address", () => {
  let server: JamTestServer;
  const boot = async (httpRateLimits: HttpRateLimits, trustProxy?: string) => {
    server = await bootJamServer(trustProxy === undefined ? { httpRateLimits } : { httpRateLimits, trustProxy });
  };
  afterEach(async () => {
    await server.colyseus.cleanup();
    await server.colyseus.shutdown();
  });

  describe("HTTP rate limits > creating rooms", () => {
    it("with the default limits, answers the 21st create of a burst with 429 and Retry-After", async () => {
      await boot(DEFAULT_HTTP_RATE_LIMITS);
      assert.deepEqual(await createMany(server, 20), Array(20).fill(200));
      assertTooMany(await create(server), 600);
      assert.equal((await matchMaker.query({})).length, 20, "no 21st room");
    });

    it('counts joinOrCreate as a create, and colyseus.js rejects with 429 "Too many requests"', async () => {
      await boot(limits('{"create":{"perMinute":2,"burst":2}}'));
      const client = new Client(server.endpoint);
      const rooms = [await client.joinOrCreate(JAM_ROOM_NAME, { name: "Ann" }), await client.create(JAM_ROOM_NAME, { name: "Bob" })];
      await assert.rejects(client.joinOrCreate(JAM_ROOM_NAME, { name: "Cy" }), { code: 429, message: TOO_MANY.error });
      await Promise.all(rooms.map((room) => room.leave()));
    });

    it('follows HTTP_RATE_LIMITS: {"create":{"perMinute":3,"burst":5}} allows 5 at once, not 6', async () => {
      await boot(limits('{"create":{"perMinute":3,"burst":5}}'));
      assert.deepEqual(await createMany(server, 5), Array(5).fill(200));
      assertTooMany(await create(server), 600);
    });

    it("creates without limit with perMinute 0", async () => {
      await boot(limits('{"create":{"perMinute":0}}'));
      assert.deepEqual(await createMany(server, 30), Array(30).fill(200));
    });
  });

  describe("HTTP rate limits > joins and code look-ups", () => {
    let roomId: string;
    beforeEach(async () => {
      await boot(limits('{"join":{"perMinute":3,"burst":3}}'));
      roomId = (await matchMaker.createRoom(JAM_ROOM_NAME, { name: "Host" })).roomId;
    });

    it("answers the 4th joinById within the minute with 429 and Retry-After", async () => {
      for (const name of ["Ann", "Bob", "Cy"]) assert.equal((await joinById(server, roomId, name)).status, 200);
      assertTooMany(await joinById(server, roomId, "Dee"), 60);
    });

    it("answers the 4th GET /rooms/:code with 429 and Retry-After, and joins share that budget", async () => {
      for (let i = 0; i < 3; i++) assert.equal((await send(httpBase(server), `/rooms/${roomId}`)).status, 200);
      assertTooMany(await send(httpBase(server), `/rooms/${roomId}`), 60);
      assertTooMany(await joinById(server, roomId, "Ann"), 60);
    });

    it("counts a saved jam's versions, recordings and MIDI downloads as code look-ups too", async () => {
      for (const path of ["versions", "recordings", "recordings/1.mid"]) {
        assert.equal((await send(httpBase(server), `/jams/ABCDEF/${path}`)).status, 404, path);
      }
      assertTooMany(await send(httpBase(server), "/jams/ABCDEF/pattern.mid"), 60);
    });

    it("does not count reconnections: reconnect is answered by the matchmaker, not with 429", async () => {
      for (const name of ["Ann", "Bob", "Cy"]) await joinById(server, roomId, name);
      const answer = await send(httpBase(server), `/matchmake/reconnect/${roomId}`, {
        method: "POST",
        json: { reconnectionToken: "stale" },
      });
      assert.equal(answer.status, 200);
      assert.notDeepEqual(answer.body, TOO_MANY);
    });

    it("does not limit the room list (GET /rooms)", async () => {
      for (let i = 0; i < 5; i++) assert.equal((await send(httpBase(server), "/rooms")).status, 200);
    });
  });

  describe("HTTP rate limits > TRUST_PROXY", () => {
    const viaProxy = (address: string) => ({ "x-forwarded-for": address });

    it("set to loopback: two addresses named by X-Forwarded-For have separate budgets (matchmaking and routes)", async () => {
      await boot(limits('{"create":{"perMinute":2,"burst":2},"join":{"perMinute":1,"burst":1}}'), "loopback");
      assert.deepEqual(await createMany(server, 2, viaProxy("203.0.113.1")), [200, 200]);
      assertTooMany(await create(server, viaProxy("203.0.113.1")), 600);
      assert.deepEqual(await createMany(server, 2, viaProxy("203.0.113.2")), [200, 200]);
      assert.equal((await send(httpBase(server), "/rooms/ABCDEF", { headers: viaProxy("203.0.113.1") })).status, 404);
      assertTooMany(await send(httpBase(server), "/rooms/ABCDEF", { headers: viaProxy("203.0.113.1") }), 60);
      assert.equal((await send(httpBase(server), "/rooms/ABCDEF", { headers: viaProxy("203.0.113.2") })).status, 404);
    });

    it("unset: X-Forwarded-For and X-Real-IP are ignored, everything counts for the socket's address", async () => {
      await boot(limits('{"create":{"perMinute":2,"burst":2}}'));
      assert.deepEqual(await createMany(server, 2, viaProxy("203.0.113.1")), [200, 200]);
      assertTooMany(await create(server, viaProxy("203.0.113.2")), 600);
      assertTooMany(await create(server, { "x-real-ip": "203.0.113.3" }), 600);
    });
  });

  describe("HTTP rate limits > test servers", () => {
    it("boot with generous limits unless a test sets its own", async () => {
      server = await bootJamServer();
      assert.deepEqual(server.settings.httpRateLimits, GENEROUS_HTTP_RATE_LIMITS);
      assert.deepEqual(await createMany(server, 25), Array(25).fill(200));
    });
  });
});
