import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import WebSocket from "ws";
import type { JamState } from "../../src/schema/JamState";
import { synced } from "../../support/clients";
import type { JamTestServer } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

const ALLOWED = "https://jam.example.com";
const FOREIGN = "https://evil.example";

/** Protocol.JOIN_ROOM: the first frame Colyseus sends a client whose seat it accepted. */
const JOIN_ROOM = 10;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** A request to the server's HTTP port with an optional Origin (and other) headers; never throws on a status. */
async function request(
  server: JamTestServer,
  path: string,
  {
    method = "GET",
    origin,
    headers = {},
    body,
  }: { method?: string; origin?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const all: Record<string, string> = origin === undefined ? { ...headers } : { ...headers, origin };
  const init: RequestInit = { method, headers: all };
  if (body !== undefined) init.body = body;
  const response = await fetch(server.endpoint.replace(/^ws/, "http") + path, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A browser's CORS preflight for a JSON POST. */
const preflight = (server: JamTestServer, path: string, origin: string) =>
  request(server, path, {
    method: "OPTIONS",
    origin,
    headers: { "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });

type Upgrade = { accepted: true; firstFrame: number } | { accepted: false; status: number };

/**
 * Opens a WebSocket to `url` with `origin` as its Origin header (none when undefined). Resolves with
 * the HTTP status when the upgrade is refused, or with the first byte Colyseus sends once it is accepted.
 */
function upgrade(url: string, origin: string | undefined): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const socket = origin === undefined ? new WebSocket(url) : new WebSocket(url, { origin });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no answer to the upgrade of ${url} within 2000 ms`));
    }, 2000);
    socket.on("unexpected-response", (req, res) => {
      clearTimeout(timer);
      res.resume();
      req.destroy();
      resolve({ accepted: false, status: res.statusCode ?? 0 });
    });
    socket.on("message", (data: Buffer) => {
      clearTimeout(timer);
      socket.close();
      resolve({ accepted: true, firstFrame: data[0] ?? -1 });
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

describe("CORS_ORIGINS", () => {
  /** A host's room and a seat reserved in it server-side, as matchmaking would hand to a browser. */
  async function reservedSeat(server: JamTestServer, name: string): Promise<{ url: string; roomId: string }> {
    const host = await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" }));
    const seat = await matchMaker.joinById(host.roomId, { name });
    const url = `${server.endpoint}/${seat.room.processId}/${seat.room.roomId}?sessionId=${seat.sessionId}`;
    return { url, roomId: host.roomId };
  }

  describe("CORS_ORIGINS > set to https://jam.example.com", () => {
    const server = useJamServer({ corsOrigins: [ALLOWED] });

    describe("CORS_ORIGINS > HTTP routes", () => {
      it('answers GET /rooms from a foreign origin with 403 {"error":"Origin not allowed"}', async () => {
        const answer = await request(server, "/rooms", { origin: FOREIGN });
        assert.equal(answer.status, 403);
        assert.match(answer.headers.get("content-type") ?? "", /^application\/json/);
        assert.deepEqual(JSON.parse(answer.text), { error: "Origin not allowed" });
      });

      for (const path of ["/health", "/rooms/ABCDEF", "/metrics"]) {
        it(`answers GET ${path} from a foreign origin with 403 too`, async () => {
          const answer = await request(server, path, { origin: FOREIGN });
          assert.equal(answer.status, 403);
          assert.deepEqual(JSON.parse(answer.text), { error: "Origin not allowed" });
        });
      }

      for (const origin of [
        "null",
        "http://jam.example.com",
        "https://jam.example.com:8443",
        "https://sub.jam.example.com",
        "https://jam.example.com.evil.example",
      ]) {
        it(`refuses the look-alike or opaque origin ${origin}`, async () => {
          const answer = await request(server, "/rooms", { origin });
          assert.equal(answer.status, 403);
          assert.deepEqual(JSON.parse(answer.text), { error: "Origin not allowed" });
        });
      }

      it("answers GET /rooms from the allowed origin with 200 and an Access-Control-Allow-Origin of that origin", async () => {
        await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" }));
        const answer = await request(server, "/rooms", { origin: ALLOWED });
        assert.equal(answer.status, 200);
        assert.equal(answer.headers.get("access-control-allow-origin"), ALLOWED);
        assert.equal((JSON.parse(answer.text) as unknown[]).length, 1);
      });

      it("answers GET /rooms without an Origin header with 200 (not a browser)", async () => {
        const answer = await request(server, "/rooms");
        assert.equal(answer.status, 200);
        assert.deepEqual(JSON.parse(answer.text), []);
      });

      it("grants the foreign origin no CORS on its 403 answer", async () => {
        const answer = await request(server, "/rooms", { origin: FOREIGN });
        assert.equal(answer.status, 403);
        assert.notEqual(answer.headers.get("access-control-allow-origin"), FOREIGN);
      });

      it("answers a preflight from a foreign origin with 403 and no CORS grant", async () => {
        const answer = await preflight(server, "/rooms", FOREIGN);
        assert.equal(answer.status, 403);
        assert.notEqual(answer.headers.get("access-control-allow-origin"), FOREIGN);
      });

      it("answers a preflight from the allowed origin with a CORS grant to it", async () => {
        const answer = await preflight(server, "/rooms", ALLOWED);
        assert.ok(answer.status >= 200 && answer.status < 300, `status ${answer.status}`);
        assert.equal(answer.headers.get("access-control-allow-origin"), ALLOWED);
      });
    });

    describe("CORS_ORIGINS > matchmaking", () => {
      it("answers a preflight to /matchmake/create/jam from a foreign origin with an Access-Control-Allow-Origin not its own", async () => {
        const answer = await preflight(server, "/matchmake/create/jam", FOREIGN);
        const granted = answer.headers.get("access-control-allow-origin");
        assert.ok(granted !== null, "an Access-Control-Allow-Origin header");
        assert.notEqual(granted, FOREIGN);
        assert.notEqual(granted, "*");
      });

      it("answers a matchmaking POST from a foreign origin with an Access-Control-Allow-Origin not its own", async () => {
        const answer = await request(server, "/matchmake/create/jam", {
          method: "POST",
          origin: FOREIGN,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "Eve" }),
        });
        const granted = answer.headers.get("access-control-allow-origin");
        assert.notEqual(granted, FOREIGN);
        assert.notEqual(granted, "*");
      });

      it("answers a preflight from the allowed origin with an Access-Control-Allow-Origin of that origin", async () => {
        const answer = await preflight(server, "/matchmake/create/jam", ALLOWED);
        assert.equal(answer.status, 204);
        assert.equal(answer.headers.get("access-control-allow-origin"), ALLOWED);
      });

      it("lets a client without an Origin header (colyseus.js in Node) create and join", async () => {
        const ann = await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" }));
        const bob = await synced(await server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "Bob" }));
        assert.equal(bob.state.participants.size, 2);
      });
    });

    describe("CORS_ORIGINS > WebSocket upgrades", () => {
      it("refuses the upgrade from a foreign origin with 401/403 before Colyseus consumes the seat", async () => {
        const { url, roomId } = await reservedSeat(server, "Eve");
        const answer = await upgrade(url, FOREIGN);
        assert.equal(answer.accepted, false);
        assert.ok(!answer.accepted && [401, 403].includes(answer.status), `status ${JSON.stringify(answer)}`);
        assert.equal(server.colyseus.getRoomById(roomId).clients.length, 1, "only the host is in");
        // The seat is still reserved: Colyseus never saw the refused connection.
        assert.deepEqual(await upgrade(url, ALLOWED), { accepted: true, firstFrame: JOIN_ROOM });
      });

      it('refuses the upgrade from the opaque origin "null"', async () => {
        const { url } = await reservedSeat(server, "Eve");
        const answer = await upgrade(url, "null");
        assert.equal(answer.accepted, false);
        // Take the seat, or the room would wait for it to expire before it can be disposed.
        assert.deepEqual(await upgrade(url, ALLOWED), { accepted: true, firstFrame: JOIN_ROOM });
      });

      it("refuses the upgrade from a foreign origin even for a bogus session (nothing reaches Colyseus)", async () => {
        const ann = await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" }));
        const answer = await upgrade(`${server.endpoint}/${matchMaker.processId}/${ann.roomId}?sessionId=x`, FOREIGN);
        assert.equal(answer.accepted, false);
        assert.ok(!answer.accepted && [401, 403].includes(answer.status), `status ${JSON.stringify(answer)}`);
      });

      it("accepts the upgrade from the allowed origin and joins the seat", async () => {
        const { url, roomId } = await reservedSeat(server, "Bob");
        assert.deepEqual(await upgrade(url, ALLOWED), { accepted: true, firstFrame: JOIN_ROOM });
        assert.equal(server.colyseus.getRoomById<JamState>(roomId).state.participants.size, 2);
      });

      it("accepts the upgrade without an Origin header", async () => {
        const { url } = await reservedSeat(server, "Bob");
        assert.deepEqual(await upgrade(url, undefined), { accepted: true, firstFrame: JOIN_ROOM });
      });
    });
  });

  describe("CORS_ORIGINS > unset (default)", () => {
    const server = useJamServer();

    it("answers GET /rooms from any origin with 200 and a CORS grant to it", async () => {
      const answer = await request(server, "/rooms", { origin: FOREIGN });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get("access-control-allow-origin"), FOREIGN);
    });

    it("grants matchmaking CORS to any origin", async () => {
      const answer = await preflight(server, "/matchmake/create/jam", FOREIGN);
      assert.equal(answer.status, 204);
      assert.equal(answer.headers.get("access-control-allow-origin"), FOREIGN);
    });

    it("accepts a WebSocket upgrade from any origin", async () => {
      const { url, roomId } = await reservedSeat(server, "Bob");
      assert.deepEqual(await upgrade(url, FOREIGN), { accepted: true, firstFrame: JOIN_ROOM });
      assert.equal(server.colyseus.getRoomById<JamState>(roomId).state.participants.size, 2);
    });
  });
});
