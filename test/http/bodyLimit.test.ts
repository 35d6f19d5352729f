import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { matchMaker } from "@colyseus/core";
import { MAX_BODY_BYTES } from "../../src/http/limits";
import { HttpError } from "../../src/protocol/errors";
import { send, streamBody } from "../helpers/http";
import { killAll, type ServerProcess } from "../../support/serverProcess";
import { startServer } from "../../support/startServer";
import { within } from "../../support/waiting";
import type { JamTestServer } from "../helpers/server";
import { useJamServer } from "../helpers/suite";

const TOO_LARGE = { error: HttpError.REQUEST_TOO_LARGE.error };
/** A child server of its own, for memory figures no other test disturbs. */
const CHILD_PORT = 2850;

const httpBase = (server: JamTestServer) => server.endpoint.replace(/^ws/, "http");

describe("request body limit (16 KiB)", () => {
  describe("request body limit > one server in this process", () => {
    const server = useJamServer();

    /** Declares a 17 KiB body to `path` but sends only its first KiB, holding the request open. */
    const declaringTooLarge = (path: string) =>
      within(
        streamBody(`${httpBase(server)}${path}`, {
          totalBytes: 1024,
          chunk: Buffer.alloc(1024, " "),
          contentLength: 17 * 1024,
          holdOpen: true,
        }),
        3000,
        "an answer to the first KiB",
      );

    it("answers a matchmaking create declaring a 17 KiB Content-Length with 413 before the body is sent whole", async () => {
      const answer = await declaringTooLarge("/matchmake/create/jam");
      assert.equal(answer.status, 413);
      assert.deepEqual(JSON.parse(answer.body), TOO_LARGE);
      assert.equal(answer.sentBytes, 1024);
      assert.deepEqual(await matchMaker.query({}), [], "no room was created");
    });

    it("answers an express route (GET /rooms) declaring a 17 KiB Content-Length with 413", async () => {
      const answer = await declaringTooLarge("/rooms");
      assert.equal(answer.status, 413);
      assert.deepEqual(JSON.parse(answer.body), TOO_LARGE);
    });

    it("answers a chunked matchmaking body that grows past 16 KiB with 413 while it is still being sent", async () => {
      const answer = await within(
        streamBody(`${httpBase(server)}/matchmake/create/jam`, { totalBytes: 20 * 1024, chunk: Buffer.alloc(1024, " "), holdOpen: true }),
        3000,
        "an answer to a body that never ends",
      );
      assert.equal(answer.status, 413);
      assert.deepEqual(JSON.parse(answer.body), TOO_LARGE);
      assert.deepEqual(await matchMaker.query({}), [], "no room was created");
    });

    it("still creates a room from a body just under the limit", async () => {
      const padding = "x".repeat(MAX_BODY_BYTES - 100);
      const answer = await send(httpBase(server), "/matchmake/create/jam", { method: "POST", json: { name: "Ann", padding } });
      assert.equal(answer.status, 200);
      assert.equal(typeof (answer.body as { room?: { roomId?: unknown } }).room?.roomId, "string");
    });
  });

  describe("request body limit > a 64 MB chunked matchmaking body (server process)", function () {
    this.timeout(60_000);
    let server: ServerProcess;
    before(async function () {
      if (!existsSync("/proc/self/status")) this.skip();
      server = await startServer({ port: CHILD_PORT, label: "body" });
    });
    after(async () => killAll());

    const rssMiB = (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

    it("answers 413, stops reading long before 64 MB arrive, and the server's RSS does not grow by the body size", async () => {
      const pid = server.pid;
      assert.ok(pid !== undefined);
      // Warm the server's matchmaking path so its first use is not counted as growth.
      await send(server.httpUrl, "/matchmake/create/jam", { method: "POST", json: { name: "Ann" } });
      const before = rssMiB(pid);
      const total = 64 * 1024 * 1024;
      const answer = await within(
        streamBody(`${server.httpUrl}/matchmake/create/jam`, { totalBytes: total, chunk: Buffer.alloc(64 * 1024, "a") }),
        30_000,
        "an answer to a 64 MB body",
      );
      assert.equal(answer.status, 413);
      assert.deepEqual(JSON.parse(answer.body), TOO_LARGE);
      assert.ok(answer.sentBytes < total / 4, `the client could write ${answer.sentBytes} bytes before the answer`);
      const growth = rssMiB(pid) - before;
      assert.ok(growth < 32, `RSS grew by ${growth.toFixed(1)} MiB`);
    });
  });
});
