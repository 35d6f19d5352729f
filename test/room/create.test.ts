import assert from "node:assert/strict";
import { JoinError } from "../../src/protocol/errors";
import { ROOM_CODE_ALPHABET } from "../../src/rules/roomCode";
import type { JamState } from "../../src/schema/JamState";
import { synced } from "../helpers/clients";
import { bootJamServer, type JamTestServer } from "../helpers/server";

describe("JamRoom > onCreate", () => {
  let server: JamTestServer;
  before(async () => (server = await bootJamServer()));
  beforeEach(async () => server.colyseus.cleanup());
  after(async () => server.colyseus.shutdown());

  it("gives the room a 6-character code that is its roomId", async () => {
    const room = await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" });
    await synced(room);
    assert.equal(room.state.roomCode, room.roomId);
    assert.match(room.state.roomCode, new RegExp(`^[${ROOM_CODE_ALPHABET}]{6}$`));
  });

  it("applies the defaults of the contract", async () => {
    const room = await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" });
    await synced(room);
    assert.equal(room.state.tempo, 120);
    assert.equal(room.state.loopSteps, 16);
    assert.equal(room.state.transport, "host");
    assert.equal(room.state.isPlaying, false);
    assert.equal(room.state.currentStep, 0);
    assert.equal(room.state.playStartedAt, 0);
    const me = room.state.participants.get(room.sessionId);
    assert.equal(me?.instrument, "piano");
    assert.equal(me?.isHost, true);
    assert.equal(room.state.host, room.sessionId);
  });

  it("refuses an out-of-range tempo with \"invalid option\"", async () => {
    await assert.rejects(server.colyseus.sdk.create("jam", { name: "Ann", tempo: 301 }), (error: { code: number; message: string }) => {
      assert.equal(error.code, JoinError.INVALID_OPTION);
      assert.match(error.message, /invalid option/);
      return true;
    });
  });
});
