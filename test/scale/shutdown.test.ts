/**
 * A graceful shutdown of a real process: SIGTERM with two rooms of two clients each, and
 * SHUTDOWN_DRAIN_MS=300. The scenario runs once in `before` and records what every client saw;
 * each `it` checks one promise of the contract against that record.
 */
import { CloseCode } from "../../src/protocol/codes";
import assert from "node:assert/strict";
import { Client, type Room } from "colyseus.js";
import type { ServerRestart } from "../../src/protocol/serverMessages";
import type { JamState } from "../../src/schema/JamState";
import { nextMessage, stateWhere, synced } from "../../support/clients";
import { OpenRooms } from "../helpers/openRooms";
import { describeExit, killAll, type ExitStatus, type ServerProcess } from "../../support/serverProcess";
import { startServer } from "../../support/startServer";
import { within } from "../../support/waiting";

const PORT = 2710;
const DRAIN_MS = 300;
/** src/shutdownDeadline.ts forces exit 1 after the drain plus this margin. */
const EXIT_BOUND_MS = DRAIN_MS + 5000;

interface ClientRecord {
  label: string;
  room: Room<JamState>;
  /** Milliseconds after SIGTERM. */
  restartAt?: number;
  restart?: ServerRestart;
  closeAt?: number;
  closeCode?: number;
}

interface Outcome {
  clients: ClientRecord[];
  createAfterSigterm: unknown;
  matchmakeStatusAfterSigterm: number;
  noteDuringDrain: boolean;
  exit: ExitStatus;
  exitAfterMs: number;
}

describe("graceful shutdown of a real process (SIGTERM, SHUTDOWN_DRAIN_MS=300)", function () {
  this.timeout(20_000);

  let server: ServerProcess;
  let outcome: Outcome;
  const opened = new OpenRooms();

  before(async function () {
    this.timeout(20_000);
    server = await startServer({ port: PORT, label: "S", env: { SHUTDOWN_DRAIN_MS: String(DRAIN_MS), LOG_LEVEL: "info" } });
    const client = new Client(server.endpoint);

    const records: ClientRecord[] = [];
    for (const jam of ["one", "two"]) {
      const host = opened.add(await client.create<JamState>("jam", { name: `Host ${jam}` }));
      const guest = opened.add(await client.joinById<JamState>(host.roomId, { name: `Guest ${jam}` }));
      for (const room of [host, guest]) {
        await synced(room);
        await stateWhere(room, (state) => state.participants.size === 2);
      }
      records.push({ label: `host of room ${jam}`, room: host }, { label: `guest of room ${jam}`, room: guest });
    }
    const [firstHost, firstGuest] = records.map((record) => record.room);
    assert.ok(firstHost !== undefined && firstGuest !== undefined);

    let sigtermAt = 0;
    const since = () => Date.now() - sigtermAt;
    const firstNotice = new Promise<void>((resolve) => {
      for (const record of records) {
        record.room.onMessage("server-restart", (message: ServerRestart) => {
          record.restartAt ??= since();
          record.restart ??= message;
          resolve();
        });
      }
    });
    const closed = Promise.all(
      records.map(
        (record) =>
          new Promise<void>((resolve) =>
            record.room.onLeave((code) => {
              record.closeAt = since();
              record.closeCode = code;
              resolve();
            }),
          ),
      ),
    );

    sigtermAt = Date.now();
    assert.ok(server.kill("SIGTERM"));

    // The notice comes from onBeforeShutdown, which Colyseus calls once matchmaking has stopped:
    // from here on, the process is draining.
    await within(firstNotice, 3000, "a server-restart notice after SIGTERM");
    const noteArrives = nextMessage(firstGuest, "note", DRAIN_MS).then(
      () => true,
      () => false,
    );
    firstHost.send("note", { note: 67 });
    const createAfterSigterm = await client.create<JamState>("jam", { name: "Latecomer" }).then(
      (room) => opened.add(room),
      (error: unknown) => error,
    );
    const matchmake = await fetch(`${server.httpUrl}/matchmake/create/jam`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Latecomer" }),
    });
    await matchmake.arrayBuffer();
    const noteDuringDrain = await noteArrives;

    await within(closed, EXIT_BOUND_MS, "every connection closed");
    const exit = await within(server.exited, EXIT_BOUND_MS, `server exit after SIGTERM\n${server.output()}`);
    outcome = {
      clients: records,
      createAfterSigterm,
      matchmakeStatusAfterSigterm: matchmake.status,
      noteDuringDrain,
      exit,
      exitAfterMs: since(),
    };
  });

  after(async () => {
    await opened.leaveAll().catch(() => undefined);
    await killAll();
  });

  it("sends every client server-restart with reconnectInMs > 0 before its connection closes", () => {
    for (const record of outcome.clients) {
      assert.ok(record.restart !== undefined && record.restartAt !== undefined, `${record.label} got server-restart`);
      assert.ok(record.restart.reconnectInMs > 0, `${record.label}: reconnectInMs = ${record.restart.reconnectInMs}`);
      assert.ok(record.restart.reconnectInMs >= DRAIN_MS, `${record.label}: told to come back after the drain, not during it`);
      assert.ok(record.closeAt !== undefined && record.restartAt <= record.closeAt, `${record.label}: notice before the close`);
    }
  });

  it("keeps the rooms running through the drain, then closes every connection with 4000", () => {
    assert.ok(outcome.noteDuringDrain, "a note sent after the notice is still relayed");
    for (const record of outcome.clients) {
      assert.equal(record.closeCode, CloseCode.CONSENTED, `${record.label}'s close code`);
      assert.ok(record.closeAt !== undefined && record.restartAt !== undefined);
      // The room closes DRAIN_MS after it sent the notice (its clock ticks with the 50 ms patches).
      assert.ok(
        record.closeAt - record.restartAt >= DRAIN_MS - 100,
        `${record.label}: closed ${record.closeAt - record.restartAt} ms after the notice`,
      );
    }
  });

  it("refuses a create attempted after SIGTERM", () => {
    const refused = outcome.createAfterSigterm;
    assert.ok(refused instanceof Error, `the create was refused, got ${String(refused)}`);
    assert.equal((refused as Error & { code?: unknown }).code, 503, refused.message);
    assert.equal(outcome.matchmakeStatusAfterSigterm, 503, "POST /matchmake/create/jam");
  });

  it(`exits with code 0 within the drain + 5 s (${EXIT_BOUND_MS} ms)`, () => {
    assert.deepEqual(outcome.exit, { code: 0, signal: null }, `exited with ${describeExit(outcome.exit)}\n${server.output()}`);
    assert.ok(outcome.exitAfterMs < EXIT_BOUND_MS, `exited ${outcome.exitAfterMs} ms after SIGTERM`);
    assert.ok(outcome.exitAfterMs >= DRAIN_MS, `did not skip the drain (exited after ${outcome.exitAfterMs} ms)`);
    const messages = server.logs.map((record) => record.msg);
    assert.ok(messages.includes("shutdown requested"), "logs the shutdown request");
    assert.equal(messages.filter((msg) => msg === "shutting down: clients told, draining").length, 2, "each room announces its drain");
    assert.ok(!messages.includes("graceful shutdown did not finish in time, exiting"), "not ended by the deadline");
  });
});
