/**
 * What a room's handlers throw, wherever they run (a join, a leave, a clock timer), is logged with
 * the handler's name and the room goes on: in Colyseus 0.16 an uncaught throw ends the process.
 */
import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import type { JamState } from "../../src/schema/JamState";
import { messageWhere, stateWhere, synced } from "../../support/clients";
import { CapturedLog } from "../helpers/capturedLog";
import { bootJamServer, memoryStore, TEST_PORT, type JamTestServer } from "../helpers/server";

interface LogLine {
  msg?: string;
  reason?: string;
  methodName?: string;
  err?: { message?: string };
}

const failed = (methodName: string, message: string) => (line: LogLine) =>
  line.msg === "room handler failed" && line.methodName === methodName && line.err?.message === message;

describe("JamRoom: a handler that throws", () => {
  const log = new CapturedLog<LogLine>("info");
  let server: JamTestServer;

  before(async () => {
    server = await bootJamServer({}, TEST_PORT, memoryStore(), log.logger);
  });
  afterEach(() => server.colyseus.cleanup());
  after(() => server.colyseus.shutdown());

  /** A jam Ann hosts, with its server-side room and a way to make one of its methods throw once. */
  async function jam(): Promise<{ ann: Room<JamState>; throwOnce: (method: string, message: string) => void }> {
    const ann = await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" }));
    ann.onMessage("*", () => undefined);
    const room = server.colyseus.getRoomById(ann.roomId) as unknown as Record<string, unknown>;
    const throwOnce = (method: string, message: string): void => {
      room[method] = () => {
        delete room[method];
        throw new Error(message);
      };
    };
    return { ann, throwOnce };
  }

  /** Someone else still joins, and what Ann says still reaches them. */
  const stillPlays = async (ann: Room<JamState>): Promise<void> => {
    const bob = await synced(await server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "Bob" }));
    await stateWhere(ann, (state) => [...state.participants.values()].some((p) => p.name === "Bob"));
    const chat = messageWhere(bob, "chat", (line) => line.text === "still here");
    ann.send("chat", { text: "still here" });
    await chat;
  };

  it("refuses the join whose check threw, logs it as onAuth, and lets the next one in", async () => {
    const { ann, throwOnce } = await jam();
    throwOnce("assertRoomFor", "auth boom");
    const logged = log.next(failed("onAuth", "auth boom"));
    await assert.rejects(server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "Dee" }));
    await logged;
    await stillPlays(ann);
  });

  it("logs a leave whose handler threw as onLeave, and the room plays on", async () => {
    const { ann, throwOnce } = await jam();
    const cy = await synced(await server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "Cy" }));
    throwOnce("removeMember", "leave boom");
    const logged = log.next(failed("onLeave", "leave boom"));
    await cy.leave(true);
    await logged;
    await stillPlays(ann);
  });

  it("logs a clock timer that threw as setTimeout, and the room plays on", async () => {
    const { ann } = await jam();
    const room = server.colyseus.getRoomById(ann.roomId);
    const logged = log.next(failed("setTimeout", "timer boom"));
    room.clock.setTimeout(() => {
      throw new Error("timer boom");
    }, 1);
    await logged;
    await stillPlays(ann);
  });

  it("logs a create refused in onCreate (its options) as information, and the client is told", async () => {
    const logged = log.next((line) => line.msg === "join refused" && /tempo/.test(line.reason ?? ""));
    await assert.rejects(server.colyseus.sdk.create<JamState>("jam", { name: "Ann", tempo: 1000 }), /tempo/);
    await logged;
  });

  it("logs a refused join as information, not as a failure", async () => {
    const { ann } = await jam();
    const logged = log.next((line) => line.msg === "join refused");
    await assert.rejects(server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "" }));
    await logged;
  });
});
