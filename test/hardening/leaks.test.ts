import assert from "node:assert/strict";
import { connectionSweeps } from "../../src/rooms/connectionGuard";
import { roomPatches } from "../../src/rooms/patchScheduler";
import v8 from "node:v8";
import { setTimeout as delay } from "node:timers/promises";
import vm from "node:vm";
import { LocalPresence, matchMaker } from "@colyseus/core";
import type { Room } from "colyseus.js";
import { CloseCode } from "../../src/protocol/codes";
import { CODE_KEY_PREFIX } from "../../src/rooms/roomCodes";
import { JAM_ROOM_NAME } from "../../src/rooms/roomName";
import type { JamState } from "../../src/schema/JamState";
import { messageWhere, nextLeave, stateWhere } from "../../support/clients";
import { roomDisposed } from "../helpers/lifecycle";
import { useJamServer } from "../helpers/suite";
import { assertInvariants } from "./fuzz/invariants";

type Jam = Room<JamState>;

/** mocha cannot pass --expose-gc per file: set the flag now and take `gc` from a fresh context. */
function exposeGc(): () => void {
  v8.setFlagsFromString("--expose-gc");
  const gc: unknown = vm.runInNewContext("gc");
  assert.equal(typeof gc, "function", "gc exposed");
  return gc as () => void;
}

const gc = exposeGc();

/** The heap after full collections, with a turn of the event loop in between for finalizers. */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const activeResources = (kind: string) => process.getActiveResourcesInfo().filter((name) => name === kind).length;

/**
 * Resolves once no more TCP connections are open than `sockets`: the last closing WebSockets and
 * the matchmaking HTTP keep-alive connections take a second or two to go, holding buffers. Nothing
 * emits an event for that, so this polls (and gives up quietly after `timeoutMs`; the checks
 * that follow then say what is left).
 */
async function quiet(sockets: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (activeResources("TCPSocketWrap") > sockets && Date.now() < deadline) await delay(50);
}

/**
 * Resolves once no more timers run than `timers`, or after `timeoutMs`: a timer the last rooms'
 * work started (a closing connection's, an HTTP keep-alive's) runs out on its own within seconds,
 * while one a room leaked never does (and one per room would be hundreds).
 */
async function timersRunOut(timers: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (activeResources("Timeout") > timers && Date.now() < deadline) await delay(50);
}

function listenerCounts(emitter: NodeJS.EventEmitter): Record<string, number> {
  return Object.fromEntries(emitter.eventNames().map((name) => [String(name), emitter.listenerCount(name)]));
}

/** What rooms could leave behind on this process once they are gone. */
interface Residue {
  rooms: number;
  ccu: number;
  listings: number;
  codeKeys: string[];
  presenceEntries: number;
  presenceExpiryTimers: number;
  /** Presence subscriptions (LocalPresence: an EventEmitter), listeners by channel. */
  channels: Record<string, number>;
  handlerListeners: Record<string, number>;
  processListeners: Record<string, number>;
  /** Timers (setTimeout/setInterval) alive on the whole process. */
  timers: number;
  /** TCP connections open on the whole process (server and client ends). */
  sockets: number;
}

async function residue(): Promise<Residue> {
  const presence = matchMaker.presence;
  assert.ok(presence instanceof LocalPresence, "the test server runs on LocalPresence");
  const timeouts = (presence as unknown as { timeouts: Record<string, unknown> }).timeouts;
  const allKeys = [...Object.keys(presence.keys), ...Object.keys(presence.data), ...Object.keys(presence.hash)];
  return {
    rooms: matchMaker.stats.local.roomCount,
    ccu: matchMaker.stats.local.ccu,
    listings: (await matchMaker.query({})).length,
    codeKeys: allKeys.filter((key) => key.startsWith(CODE_KEY_PREFIX)),
    presenceEntries: allKeys.length,
    presenceExpiryTimers: Object.keys(timeouts).length,
    channels: listenerCounts(presence.subscriptions),
    handlerListeners: listenerCounts(matchMaker.getHandler(JAM_ROOM_NAME)),
    processListeners: listenerCounts(process),
    timers: activeResources("Timeout"),
    sockets: activeResources("TCPSocketWrap"),
  };
}

describe("hardening > leaks", () => {
  const server = useJamServer();

  const sdk = () => server.colyseus.sdk;

  async function create(name: string): Promise<Jam> {
    const room = await sdk().create<JamState>("jam", { name });
    room.onMessage("*", () => undefined);
    return room;
  }
  async function join(code: string, name: string): Promise<Jam> {
    const room = await sdk().joinById<JamState>(code, { name });
    room.onMessage("*", () => undefined);
    return room;
  }

  /**
   * One room's life, in one of five ways: both leave; the guest drops and reconnects; the host kicks
   * the guest; the host leaves first (succession); the guest drops and is kicked within its grace.
   * Resolves once the server has disposed of the room.
   */
  async function lifeOfARoom(i: number): Promise<void> {
    const host = await create(`Host${i}`);
    let guest = await join(host.roomId, `Guest${i}`);
    const serverRoom = server.colyseus.getRoomById<JamState>(host.roomId);
    const disposed = roomDisposed(serverRoom, 10_000);
    const heard = messageWhere(host, "note", (note) => note.seq === i);
    guest.send("note", { note: 60, seq: i });
    await heard;

    switch (i % 20) {
      case 1:
      case 6:
      case 11: {
        await guest.leave(false);
        await stateWhere(host, (s) => s.participants.get(guest.sessionId)?.connected === false);
        guest = await sdk().reconnect<JamState>(guest.reconnectionToken);
        guest.onMessage("*", () => undefined);
        await stateWhere(host, (s) => s.participants.get(guest.sessionId)?.connected === true);
        assertInvariants(serverRoom.state, server.settings.maxTracks, "after the reconnection");
        await guest.leave();
        await host.leave();
        break;
      }
      case 3:
      case 13: {
        const kicked = nextLeave(guest);
        host.send("kick", { sessionId: guest.sessionId });
        assert.equal(await kicked, CloseCode.KICKED);
        await host.leave();
        break;
      }
      case 7:
      case 17: {
        await host.leave();
        await stateWhere(guest, (s) => s.host === guest.sessionId);
        assertInvariants(serverRoom.state, server.settings.maxTracks, "after the host left");
        await guest.leave();
        break;
      }
      case 19: {
        // Colyseus waits 1 s before disposing a room where a reconnection was cancelled.
        await guest.leave(false);
        await stateWhere(host, (s) => s.participants.get(guest.sessionId)?.connected === false);
        host.send("kick", { sessionId: guest.sessionId });
        await stateWhere(host, (s) => !s.participants.has(guest.sessionId));
        assertInvariants(serverRoom.state, server.settings.maxTracks, "after the kick");
        await host.leave();
        break;
      }
      default:
        await guest.leave();
        await host.leave();
    }
    await disposed;
  }

  /** `count` room lives, `lanes` at a time. */
  async function lives(from: number, count: number, lanes: number): Promise<void> {
    let next = from;
    const end = from + count;
    const lane = async () => {
      while (next < end) await lifeOfARoom(next++);
    };
    await Promise.all(Array.from({ length: lanes }, lane));
  }

  const WARM_UP = 200;
  const CYCLES = 2000;
  const LANES = 16;
  /**
   * Allowed heap growth per thousand rooms, after full GCs: 1 KiB a room. A live room with its two
   * clients takes ~250 KiB here, so a leaked room, or a fraction of one each time, is far above it;
   * what is measured without a leak (V8's own bookkeeping) is ~300–550 KiB per thousand.
   */
  const HEAP_BOUND_PER_THOUSAND = 1024 * 1024;

  it(`${CYCLES} rooms created, joined, left and disposed leave no heap growth, room, code, timer or listener behind`, async function () {
    // 2,200 room lives take 45–55 s alone (some wait out Colyseus' 1 s disposal delays), more in a
    // loaded full run: room enough that only a hang fails it.
    this.timeout(150_000);
    const initial = await residue();
    await lives(0, WARM_UP, LANES);
    await quiet(initial.sockets);
    const baseline = await residue();

    // Two rounds of half the rooms each: a leak grows the heap in both, while what other suites of
    // this process leave running out (grace and reservation timers, closing sockets) frees or takes
    // memory in one round at most. The smaller growth is the one judged.
    const growthPerThousand: number[] = [];
    const startedAt = Date.now();
    for (let round = 0; round < 2; round++) {
      await quiet(initial.sockets);
      const heapBefore = await settledHeap();
      await lives(WARM_UP + round * (CYCLES / 2), CYCLES / 2, LANES);
      await quiet(initial.sockets);
      growthPerThousand.push((((await settledHeap()) - heapBefore) / (CYCLES / 2)) * 1000);
    }
    const elapsedMs = Date.now() - startedAt;
    await timersRunOut(baseline.timers);
    const after = await residue();
    assert.deepEqual(roomPatches.stats, { rooms: 0, timers: 0 }, "rooms or timers left in the patch scheduler");
    assert.deepEqual(connectionSweeps.stats, { rooms: 0, timers: 0 }, "rooms or timers left in the connection sweep");
    const growth = Math.min(...growthPerThousand);
    console.log(
      `      leaks: ${CYCLES} rooms in ${(elapsedMs / 1000).toFixed(1)} s; heap growth per thousand rooms ` +
        `${growthPerThousand.map((g) => (g / 1024).toFixed(1)).join(" and ")} KiB in the two rounds`,
    );

    assert.equal(after.rooms, 0, "rooms left");
    assert.equal(after.ccu, 0, "clients counted");
    assert.equal(after.listings, 0, "room listings left");
    assert.deepEqual(after.codeKeys, [], "room codes left in the presence");
    // Timers and sockets are the whole process's: other suites' may still be running out, so
    // fewer is fine; one left behind by even one room in twenty would add a hundred.
    const { timers, sockets, ...rest } = after;
    const { timers: timersBefore, sockets: socketsBefore, ...restBefore } = baseline;
    assert.deepEqual(rest, restBefore, "what the rooms left behind");
    assert.ok(timers <= timersBefore, `timers: ${timers} now, ${timersBefore} before`);
    assert.ok(sockets <= socketsBefore, `TCP sockets: ${sockets} now, ${socketsBefore} before`);
    assert.ok(growth < HEAP_BOUND_PER_THOUSAND, `heap grew ${(growth / 1024).toFixed(1)} KiB per thousand rooms in both rounds`);
  });
});
