/**
 * What one connection can make the server hold: unused seat reservations never lock a room, a
 * client that never finishes joining is gone after the join deadline, and one that never reads is
 * dropped once its unread data passes MAX_BUFFERED_KB, and one that stops answering pings is closed.
 */
import { CloseCode } from "../../src/protocol/codes";
import assert from "node:assert/strict";
import type { Room } from "colyseus.js";
import { DEFAULT_RATE_LIMITS } from "../../src/config/rateLimits";
import { JoinError } from "../../src/protocol/errors";
import type { JamState } from "../../src/schema/JamState";
import { nextMessage, stateWhere, synced } from "../../support/clients";
import { refusal } from "../helpers/lifecycle";
import { connectSeat, reserveSeat, neverRead } from "../../support/rawSeats";
import { useJamServer } from "../helpers/suite";

const JOIN_DEADLINE_MS = 400;
const MAX_BUFFERED_BYTES = 64 * 1024;
// Short enough for the ping test, long enough that a busy test process still answers every ping.
const PING_INTERVAL_MS = 1000;

describe("connection limits", function () {
  this.timeout(20_000);
  const server = useJamServer({
    joinDeadlineMs: JOIN_DEADLINE_MS,
    maxBufferedBytes: MAX_BUFFERED_BYTES,
    pingIntervalMs: PING_INTERVAL_MS,
    // The slow-consumer test must be able to send far more than a musician would.
    rateLimits: { ...DEFAULT_RATE_LIMITS, signal: { ratePerS: 100_000, burst: 100_000 }, ping: { ratePerS: 1000, burst: 1000 } },
  });
  const httpUrl = () => server.endpoint.replace(/^ws/, "http");

  const create = async (options: Record<string, unknown> = {}): Promise<Room<JamState>> =>
    synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann", ...options }));

  describe("unused seat reservations", () => {
    it("never lock a room: after 19 anonymous reservations every musician the room accepts gets in", async () => {
      const ann = await create({ maxParticipants: 4 });
      for (let i = 0; i < 19; i++) await reserveSeat(httpUrl(), ann.roomId, {});
      for (const name of ["Bob", "Cy", "Dee"]) await synced(await server.colyseus.sdk.joinById<JamState>(ann.roomId, { name }));
      await stateWhere(ann, (s) => s.participants.size === 4);
      await assert.rejects(server.colyseus.sdk.joinById(ann.roomId, { name: "Eve" }), refusal(JoinError.FULL, /full/));
    });
  });

  describe("a connection that stops answering pings", () => {
    it("is closed and its participant shown reconnecting, while the musician whose client answers them stays", async () => {
      const ann = await create();
      const seat = await reserveSeat(httpUrl(), ann.roomId, { name: "Gone" });
      const gone = await connectSeat(server.endpoint, seat, { acknowledge: true, answerPings: false });
      await stateWhere(ann, (s) => s.participants.get(seat.sessionId)?.connected === true);
      assert.equal(await gone.closed, CloseCode.ABNORMAL);
      await stateWhere(ann, (s) => s.participants.get(seat.sessionId)?.connected === false);
      // Ann was pinged all along (colyseus.js answers by itself): still in, still heard.
      ann.send("ping", { t: 1 });
      await nextMessage(ann, "pong");
      assert.equal(ann.state.participants.get(ann.sessionId)?.connected, true);
    });
  });

  describe("a connection that never finishes joining", () => {
    it("is closed after the join deadline and its participant removed, as if it had never come", async () => {
      const ann = await create();
      const seat = await reserveSeat(httpUrl(), ann.roomId, { name: "Lurker" });
      const lurker = await connectSeat(server.endpoint, seat, { acknowledge: false });
      await stateWhere(ann, (s) => s.participants.has(seat.sessionId));
      assert.equal(await lurker.closed, CloseCode.ABNORMAL);
      const state = await stateWhere(ann, (s) => !s.participants.has(seat.sessionId));
      assert.deepEqual(
        [...state.participants.values()].map((p) => p.name),
        ["Ann"],
      );
    });

    it("leaves one that acknowledged the join alone", async () => {
      const ann = await create();
      const seat = await reserveSeat(httpUrl(), ann.roomId, { name: "Bob" });
      const bob = await connectSeat(server.endpoint, seat, { acknowledge: true });
      await stateWhere(ann, (s) => s.participants.get(seat.sessionId)?.connected === true);
      // Two join deadlines later, as the server counts them (its sweep runs between).
      ann.send("ping", { t: 1 });
      await nextMessage(ann, "pong");
      await new Promise<void>((resolve) => server.colyseus.getRoomById(ann.roomId).clock.setTimeout(resolve, 2 * JOIN_DEADLINE_MS));
      assert.equal(ann.state.participants.get(seat.sessionId)?.connected, true);
      bob.ws.close();
    });
  });

  describe("a connection that never reads", () => {
    it("is dropped once its unread data passes MAX_BUFFERED_KB (grace applies) while the others keep hearing everything", async () => {
      const ann = await create();
      const seat = await reserveSeat(httpUrl(), ann.roomId, { name: "Sloth" });
      const sloth = await connectSeat(server.endpoint, seat, { acknowledge: true });
      await stateWhere(ann, (s) => s.participants.get(seat.sessionId)?.connected === true);
      const stopPongs = neverRead(sloth.ws, PING_INTERVAL_MS / 5);

      let isDropped = false;
      const dropped = stateWhere(ann, (s) => s.participants.get(seat.sessionId)?.connected === false, 10_000);
      const data = "x".repeat(12_000);
      // Once the server has dropped it, signals to it are answered NOT_FOUND: a sign, not a failure.
      ann.onMessage("error", (error: { code: string }) => {
        if (error.code === "NOT_FOUND") isDropped = true;
        else assert.fail(`unexpected error ${JSON.stringify(error)}`);
      });
      let sent = 0;
      void dropped.then(() => (isDropped = true));
      // 12 KB signals until the server gives up on the reader (the kernel's buffers fill first).
      while (!isDropped && sent < 5000) {
        for (let i = 0; i < 50; i++) ann.send("signal", { to: seat.sessionId, kind: "offer", data });
        sent += 50;
        ann.send("ping", { t: sent });
        await nextMessage(ann, "pong", 5000);
      }
      const state = await dropped;
      assert.equal(state.participants.get(seat.sessionId)?.name, "Sloth", "kept for its reconnection grace");
      ann.send("ping", { t: -1 });
      assert.equal((await nextMessage(ann, "pong")).t, -1);
      stopPongs();
      sloth.ws.terminate();
    });
  });
});
