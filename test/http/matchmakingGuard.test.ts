import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import { Client } from "colyseus.js";
import { HttpError, JoinError } from "../../src/protocol/errors";
import { JAM_ROOM_NAME } from "../../src/rooms/roomName";
import { send } from "../helpers/http";
import type { JamTestServer } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

const ALLOWED = "https://jam.example.com";
const FOREIGN = "https://evil.example";

const httpBase = (server: JamTestServer) => server.endpoint.replace(/^ws/, "http");

/** Seats reserved in a room and not yet taken (Colyseus keeps them in a protected map). */
function reservedSeats(roomId: string): number {
  const room = matchMaker.getLocalRoomById(roomId);
  assert.ok(room !== undefined, `room ${roomId} on this process`);
  // biome-ignore lint/complexity/useLiteralKeys: the map is protected; bracket access reads it from a test.
  return Object.keys(room["reservedSeats"]).length;
}

describe("matchmaking requests", () => {
  describe("matchmaking requests > from a foreign Origin with CORS_ORIGINS set", () => {
    const server = useJamServer({ corsOrigins: [ALLOWED] });

    const post = (path: string, origin: string, json: unknown) =>
      send(httpBase(server), path, { method: "POST", headers: { origin }, json });

    for (const method of ["create", "joinOrCreate"]) {
      it(`refuses a plain POST /matchmake/${method}/jam with 403 {"error":"Origin not allowed"} and creates no room`, async () => {
        const answer = await post(`/matchmake/${method}/${JAM_ROOM_NAME}`, FOREIGN, { name: "Eve" });
        assert.equal(answer.status, 403);
        assert.deepEqual(answer.body, { error: HttpError.ORIGIN_NOT_ALLOWED.error });
        assert.deepEqual(await matchMaker.query({}), []);
      });
    }

    it("refuses a plain POST /matchmake/joinById from a foreign origin with 403 and reserves no seat", async () => {
      const room = await matchMaker.createRoom(JAM_ROOM_NAME, { name: "Ann" });
      const answer = await post(`/matchmake/joinById/${room.roomId}`, FOREIGN, { name: "Eve" });
      assert.equal(answer.status, 403);
      assert.deepEqual(answer.body, { error: HttpError.ORIGIN_NOT_ALLOWED.error });
      assert.equal(reservedSeats(room.roomId), 0);
    });

    it("serves the allowed origin: the create answers a seat reservation", async () => {
      const answer = await post(`/matchmake/create/${JAM_ROOM_NAME}`, ALLOWED, { name: "Ann" });
      assert.equal(answer.status, 200);
      assert.equal((await matchMaker.query({})).length, 1);
    });
  });

  describe("matchmaking requests > options Colyseus cannot handle", () => {
    const server = useJamServer();
    let client: Client;
    beforeEach(() => {
      client = new Client(server.endpoint);
    });

    const refusal = { code: JoinError.INVALID_OPTION, message: /invalid option/ };

    /** Options nested `levels` deep: the options object is level 1. */
    const nested = (levels: number): Record<string, unknown> => {
      let inner: Record<string, unknown> = { leaf: 1 };
      for (let level = 2; level < levels; level++) inner = { inner };
      return { name: "Ann", inner };
    };

    it('refuses options nested 5 levels with 4233 "invalid option" (not "already full")', async () => {
      await assert.rejects(client.create(JAM_ROOM_NAME, nested(5)), refusal);
      assert.deepEqual(await matchMaker.query({}), []);
    });

    it('refuses options nested thousands of levels with 4233 "invalid option"', async () => {
      const deep = JSON.parse(`{"name":"Ann","x":${"[".repeat(2000)}${"]".repeat(2000)}}`) as Record<string, unknown>;
      await assert.rejects(client.create(JAM_ROOM_NAME, deep), refusal);
    });

    it("accepts options nested 4 levels", async () => {
      const room = await client.create(JAM_ROOM_NAME, nested(4));
      await room.leave();
    });

    for (const key of ["hasOwnProperty", "constructor", "toString", "__proto__"]) {
      it(`refuses a create with an options key "${key}" with 4233 "invalid option"`, async () => {
        const options = JSON.parse(`{"name":"Ann","${key}":{"x":1}}`) as Record<string, unknown>;
        await assert.rejects(client.create(JAM_ROOM_NAME, options), refusal);
        assert.deepEqual(await matchMaker.query({}), []);
      });
    }

    it('refuses a joinById with an options key "hasOwnProperty" with 4233 and reserves no seat', async () => {
      const room = await matchMaker.createRoom(JAM_ROOM_NAME, { name: "Ann" });
      await assert.rejects(client.joinById(room.roomId, { name: "Bob", hasOwnProperty: 1 }), refusal);
      assert.equal(reservedSeats(room.roomId), 0);
    });

    it("refuses options that are not an object (an array, null) with 4233", async () => {
      for (const options of ["[]", "null"]) {
        const answer = await send(httpBase(server), `/matchmake/create/${JAM_ROOM_NAME}`, { method: "POST", json: JSON.parse(options) });
        assert.deepEqual(answer.body, { code: JoinError.INVALID_OPTION, error: "invalid option: options must be an object" });
      }
    });
  });
});
