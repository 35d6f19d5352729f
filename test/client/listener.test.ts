/**
 * Listening through the client library: `join(code, { name, listener: true })` into a room full of
 * musicians, `session.isListener`, and a listener's session that only ever joins — also when its
 * room went away and a musician has to open the jam again first.
 */
import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import {
  InvalidOption,
  JamClient,
  RoomFull,
  RoomNotFound,
  type CreateOptions,
  type JamClientOptions,
  type JamSession,
} from "../../client/src";
import { nextMessage, stateWhere } from "../../support/clients";
import { roomDisposed } from "../helpers/lifecycle";
import { useJamServer } from "../helpers/suite";
import { nextStatus } from "./helpers";

describe("client > listening", function () {
  this.timeout(20_000);
  const sessions: JamSession[] = [];
  // Registered before the server fixture, so the sessions leave before its room check.
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.leave()));
  });
  const server = useJamServer({ maxListeners: 2, saveDelayMs: 50, shutdownDrainMs: 100 });

  const jamClient = (options: JamClientOptions = {}) =>
    new JamClient(server.endpoint, { backoffMs: [100, 200], reconnectGraceMs: 5000, reopenBackoffMs: [100, 200], ...options });
  async function keep(opening: Promise<JamSession>): Promise<JamSession> {
    const session = await opening;
    sessions.push(session);
    return session;
  }

  it("joins a room full of musicians as a listener: isListener, in state.listeners, no participant", async () => {
    const jam = jamClient();
    const ann = await keep(jam.create({ name: "Ann", maxParticipants: 2 }));
    await keep(jam.join(ann.code, { name: "Bob" }));
    await assert.rejects(jam.join(ann.code, { name: "Cy" }), RoomFull);

    const lee = await keep(jam.join(ann.code.toLowerCase(), { name: "Lee", listener: true }));

    assert.equal(lee.status, "connected");
    assert.equal(lee.isListener, true);
    assert.equal(lee.me, undefined);
    assert.equal(lee.isHost, false);
    assert.equal(lee.state.listeners.get(lee.sessionId)?.name, "Lee");
    assert.equal(ann.isListener, false);
    await stateWhere(ann, (s) => s.listeners.has(lee.sessionId));
  });

  it("hears the musicians and chats through its session", async () => {
    const jam = jamClient();
    const ann = await keep(jam.create({ name: "Ann" }));
    const lee = await keep(jam.join(ann.code, { name: "Lee", listener: true }));
    const note = nextMessage(lee, "note");
    ann.note({ note: 62 });
    assert.equal((await note).senderId, ann.sessionId);
    const line = nextMessage(ann, "chat");
    assert.equal(lee.chat("hello from the back"), true);
    assert.deepEqual([(await line).name, (await line).text], ["Lee", "hello from the back"]);
    const refused = nextMessage(lee, "error");
    lee.tempo(90);
    assert.deepEqual([(await refused).code, (await refused).type], ["NOT_ALLOWED", "tempo"]);
  });

  it("says RoomFull when the room has its most listeners (the server's refusal: the preflight cannot know)", async () => {
    const jam = jamClient();
    const ann = await keep(jam.create({ name: "Ann" }));
    await keep(jam.join(ann.code, { name: "Lee", listener: true }));
    await keep(jam.join(ann.code, { name: "Mo", listener: true }));
    const error = await jam.join(ann.code, { name: "Nia", listener: true }).catch((e: unknown) => e);
    assert.ok(error instanceof RoomFull, String(error));
    assert.equal(error.status, 4230);
  });

  it("refuses a create as a listener with InvalidOption (create never makes a listener)", async () => {
    const options = { name: "Lee", listener: true } as CreateOptions;
    await assert.rejects(jamClient().create(options), InvalidOption);
  });

  it("opens as a listener by joining; with no room open it rejects with RoomNotFound and opens nothing", async () => {
    const jam = jamClient();
    const ann = await jam.create({ name: "Ann" });
    const lee = await keep(jam.open(ann.code, { name: "Lee", listener: true }));
    assert.equal(lee.isListener, true);
    const { code } = ann;
    await lee.leave();
    const closed = roomDisposed(server.colyseus.getRoomById(code));
    await ann.leave();
    await closed;
    const error = await jam.open(code, { name: "Lee", listener: true }).catch((e: unknown) => e);
    assert.ok(error instanceof RoomNotFound, String(error));
    assert.equal(matchMaker.stats.local.roomCount, 0);
  });

  it("after a deploy, a listener joins the jam again as a listener once a musician has opened it", async () => {
    const jam = jamClient();
    const ann = await keep(jam.create({ name: "Ann", tempo: 104 }));
    const lee = await keep(jam.join(ann.code, { name: "Lee", listener: true }));
    const { code } = ann;
    const [annBack, leeBack] = [nextStatus(ann, "connected", 10_000), nextStatus(lee, "connected", 10_000)];
    server.colyseus.getRoomById(code).onBeforeShutdown();

    assert.equal((await annBack).reopened, true);
    assert.equal((await leeBack).reopened, true);
    assert.equal(lee.code, code);
    assert.equal(lee.isListener, true);
    assert.equal(ann.isHost, true);
    const state = await stateWhere(lee, (s) => s.participants.size === 1 && s.listeners.size === 1);
    assert.equal(state.tempo, 104);
    assert.equal(matchMaker.stats.local.roomCount, 1);
  });

  it("a listener alone never opens the jam again: it tries to join for its window, then ends", async () => {
    // The notice says to come back after the drain (100 ms) plus 2 s; then a few attempts fit.
    const jam = jamClient({ reopenForMs: 3000 });
    const ann = await jam.create({ name: "Ann" });
    const lee = await keep(jam.join(ann.code, { name: "Lee", listener: true }));
    await ann.leave();
    await stateWhere(lee, (s) => s.host === "" && s.participants.size === 0);
    const ended = nextStatus(lee, "disconnected", 10_000);
    server.colyseus.getRoomById(lee.code).onBeforeShutdown();

    const detail = await ended;
    assert.equal(detail.reason, "reconnect-failed");
    assert.ok(detail.error instanceof RoomNotFound, String(detail.error));
    assert.equal(matchMaker.stats.local.roomCount, 0);
  });
});
