import assert from "node:assert/strict";
import type { JamState } from "../../src/schema/JamState";
import { synced } from "../../support/clients";
import { roomDisposed } from "../helpers/lifecycle";
import type { JamTestServer } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

interface MonitorListing {
  rooms: { roomId: string; name: string; clients: number }[];
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** GET `path` on the server's HTTP port with an optional Authorization header; never throws on a status. */
async function get(server: JamTestServer, path: string, authorization?: string): Promise<Response> {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  return fetch(server.endpoint.replace(/^ws/, "http") + path, { headers });
}

describe("monitor (/colyseus)", () => {
  describe("monitor > with MONITOR_PASSWORD set", () => {
    const server = useJamServer({ monitorUser: "ops", monitorPassword: "s3cret" });

    it("answers 401 with a basic-auth challenge without credentials", async () => {
      const response = await get(server, "/colyseus/api");
      assert.equal(response.status, 401);
      assert.match(response.headers.get("www-authenticate") ?? "", /^Basic realm="jam-server monitor"/);
    });

    it("answers 401 for the dashboard page too without credentials", async () => {
      const response = await get(server, "/colyseus/");
      assert.equal(response.status, 401);
      assert.match(response.headers.get("www-authenticate") ?? "", /^Basic /);
    });

    it("answers 401 with a wrong password", async () => {
      const response = await get(server, "/colyseus/api", basic("ops", "wrong"));
      assert.equal(response.status, 401);
    });

    it("answers 401 with the right password under another user name", async () => {
      assert.equal((await get(server, "/colyseus/api", basic("admin", "s3cret"))).status, 401);
      assert.equal((await get(server, "/colyseus/api", basic("OPS", "s3cret"))).status, 401);
    });

    it("answers 401 to a malformed Authorization header", async () => {
      assert.equal((await get(server, "/colyseus/api", "Basic not-base64!")).status, 401);
      assert.equal((await get(server, "/colyseus/api", "Bearer s3cret")).status, 401);
    });

    it("answers 200 with the room listing given the right credentials", async () => {
      const ann = await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" }));
      const response = await get(server, "/colyseus/api", basic("ops", "s3cret"));
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
      const listing = (await response.json()) as MonitorListing;
      assert.deepEqual(
        listing.rooms.map((room) => ({ roomId: room.roomId, name: room.name, clients: room.clients })),
        [{ roomId: ann.roomId, name: "jam", clients: 1 }],
      );
    });

    it("serves the dashboard page given the right credentials", async () => {
      const response = await get(server, "/colyseus/", basic("ops", "s3cret"));
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    });

    it("does not let a request without credentials act on a room", async () => {
      const ann = await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" }));
      const call = `/colyseus/api/room/call?roomId=${ann.roomId}&method=disconnect&args=${encodeURIComponent("[]")}`;
      const response = await get(server, call);
      assert.equal(response.status, 401);
      // The room is still there and Ann still in it.
      const room = server.colyseus.getRoomById(ann.roomId);
      assert.ok(room !== undefined, "room still exists");
      assert.equal(room.clients.length, 1);
      assert.equal(ann.connection.isOpen, true);
    });

    it("lets the same call act given the right credentials (so the 401 above is what protected the room)", async () => {
      const ann = await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" }));
      const disposed = roomDisposed(server.colyseus.getRoomById(ann.roomId));
      const call = `/colyseus/api/room/call?roomId=${ann.roomId}&method=disconnect&args=${encodeURIComponent("[]")}`;
      const response = await get(server, call, basic("ops", "s3cret"));
      assert.equal(response.status, 200);
      await disposed;
    });

    it("leaves the other routes open: /health needs no credentials", async () => {
      assert.equal((await get(server, "/health")).status, 200);
    });
  });

  describe("monitor > without MONITOR_PASSWORD (default)", () => {
    const server = useJamServer();

    it("is not mounted: /colyseus/api answers 404, with or without credentials", async () => {
      assert.equal((await get(server, "/colyseus/api")).status, 404);
      assert.equal((await get(server, "/colyseus/api", basic("admin", ""))).status, 404);
      assert.equal((await get(server, "/colyseus/api", basic("admin", "admin"))).status, 404);
    });

    it("is not mounted: the dashboard answers 404", async () => {
      assert.equal((await get(server, "/colyseus")).status, 404);
      assert.equal((await get(server, "/colyseus/")).status, 404);
    });

    it("still serves the other routes", async () => {
      assert.equal((await get(server, "/health")).status, 200);
    });
  });
});
