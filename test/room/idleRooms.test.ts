/**
 * An idle room costs nothing between patches: the patch scheduler passes it by while nothing can
 * need a patch. Whatever gives it something to send, from anywhere, still reaches clients within
 * one patch interval: a state change outside any message handler, a clock timer, a message queued
 * for after the next patch. (The scheduler's own rules: test/unit/patchScheduler.test.ts.)
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import type { Room as ServerRoom } from "@colyseus/core";
import type { Room } from "colyseus.js";
import type { JamState } from "../../src/schema/JamState";
import { nextMessage, stateWhere } from "../../support/clients";
import { openJam } from "../helpers/jam";
import { watchPatchTicks } from "../helpers/patchTicks";
import { useJamServer } from "../helpers/suite";

/** Long enough to tell "at the next turn" from "at once" and from "not until something else". */
const PATCH_MS = 200;
/** Timers run late on a busy machine, and the patch crosses a loopback socket. */
const SLACK_MS = 120;

interface IdleJam {
  ann: Room<JamState>;
  room: ServerRoom<JamState>;
  /** Patch ticks the server room has had so far. */
  visits: () => number;
}

describe("JamRoom > an idle room", function () {
  this.timeout(10_000);
  const server = useJamServer();

  /** A jam of one whose server room counts its patch ticks, once it has settled after the join. */
  async function openIdleJam(): Promise<IdleJam> {
    const [ann] = await openJam(server, { name: "Ann" });
    assert.ok(ann !== undefined);
    const room = server.colyseus.getRoomById<JamState>(ann.roomId);
    room.setPatchRate(PATCH_MS);
    const visits = watchPatchTicks(room).count;
    // The join's changes go out, and the room is passed by from then on.
    for (let seen = -1; seen !== visits(); ) {
      seen = visits();
      await delay(3 * PATCH_MS);
    }
    return { ann, room, visits };
  }

  it("is not visited while nothing happens", async () => {
    const { visits } = await openIdleJam();
    const before = visits();
    await delay(8 * PATCH_MS);
    assert.equal(visits() - before, 0);
  });

  it("is visited every interval while the jam plays (its step follows the clock), and rests once it stops", async () => {
    const { ann, visits } = await openIdleJam();
    ann.send("play", {});
    await stateWhere(ann, (state) => state.isPlaying);
    const playing = visits();
    await delay(6 * PATCH_MS);
    const ticks = visits() - playing;
    assert.ok(ticks >= 4 && ticks <= 7, `${ticks} patch ticks in 6 intervals`);

    ann.send("stop", {});
    await stateWhere(ann, (state) => !state.isPlaying);
    await delay(2 * PATCH_MS);
    const stopped = visits();
    await delay(4 * PATCH_MS);
    assert.equal(visits() - stopped, 0);
  });

  it("sends a change made outside any handler (a plain timer) within one patch interval, then rests again", async () => {
    const { ann, room, visits } = await openIdleJam();
    const annOnServer = room.state.participants.get(ann.sessionId);
    assert.ok(annOnServer !== undefined);
    const changedAt = await new Promise<number>((resolve) =>
      setTimeout(() => {
        annOnServer.muted = true;
        resolve(Date.now());
      }, 10),
    );
    await stateWhere(ann, (state) => state.participants.get(ann.sessionId)?.muted === true, PATCH_MS + 1000);
    const tookMs = Date.now() - changedAt;
    assert.ok(tookMs <= PATCH_MS + SLACK_MS, `seen ${tookMs} ms after the change`);

    await delay(2 * PATCH_MS);
    const after = visits();
    await delay(4 * PATCH_MS);
    assert.equal(visits() - after, 0, "passed by again once the change went out");
  });

  it("runs a clock timer set while idle on time, neither early (the idle time is not counted) nor late", async () => {
    const { ann, room } = await openIdleJam();
    const annOnServer = room.state.participants.get(ann.sessionId);
    assert.ok(annOnServer !== undefined);
    const timerMs = 300;
    const setAt = Date.now();
    let firedAt = 0;
    room.clock.setTimeout(() => {
      firedAt = Date.now();
      annOnServer.muted = true;
    }, timerMs);

    await stateWhere(ann, (state) => state.participants.get(ann.sessionId)?.muted === true, timerMs + 1000);
    // As Colyseus counts a timer: from the room's last patch tick, which is at most one interval ago.
    assert.ok(firedAt - setAt >= timerMs - PATCH_MS, `fired ${firedAt - setAt} ms after it was set`);
    assert.ok(firedAt - setAt <= timerMs + PATCH_MS + SLACK_MS, `fired ${firedAt - setAt} ms after it was set`);
  });

  it("sends a message queued for after the next patch within one patch interval", async () => {
    const { ann, room } = await openIdleJam();
    const heard = nextMessage(ann, "chat", PATCH_MS + 1000);
    const sentAt = Date.now();
    room.broadcast("chat", { senderId: "server", name: "server", text: "hello", at: sentAt }, { afterNextPatch: true });
    assert.equal((await heard).text, "hello");
    const tookMs = Date.now() - sentAt;
    assert.ok(tookMs <= PATCH_MS + SLACK_MS, `heard ${tookMs} ms after it was queued`);
  });
});
