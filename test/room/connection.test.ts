import { CloseCode } from "../../src/protocol/codes";
import assert from "node:assert/strict";
import type { JamState } from "../../src/schema/JamState";
import { nextLeave, nextMessage, stateWhere, synced } from "../../support/clients";
import { useJamServer } from "../helpers/suite";

describe("JamRoom > connection limits", () => {
  const server = useJamServer();

  async function twoInARoom() {
    const host = await synced(await server.colyseus.sdk.create<JamState>("jam", { name: "Ann" }));
    const guest = await synced(await server.colyseus.sdk.joinById<JamState>(host.roomId, { name: "Bob" }));
    return { host, guest };
  }

  it("closes a connection that sends a frame over MAX_PAYLOAD_BYTES with 1009 and keeps its participant in grace", async () => {
    const { host, guest } = await twoInARoom();
    const closed = nextLeave(guest);
    guest.connection.send(new Uint8Array(server.settings.maxPayloadBytes + 1));
    assert.equal(await closed, CloseCode.TOO_LARGE);
    const state = await stateWhere(host, (s) => s.participants.get(guest.sessionId)?.connected === false);
    assert.equal(state.participants.size, 2);
  });

  it("lets the oversized sender reconnect within the grace period", async () => {
    const { host, guest } = await twoInARoom();
    const closed = nextLeave(guest);
    guest.connection.send(new Uint8Array(server.settings.maxPayloadBytes + 1));
    await closed;
    const back = await server.colyseus.sdk.reconnect<JamState>(guest.reconnectionToken);
    assert.equal(back.sessionId, guest.sessionId);
    await stateWhere(host, (s) => s.participants.get(guest.sessionId)?.connected === true);
  });

  it("closes a connection that sends a frame that is not Colyseus/msgpack with 4002, and only that one", async () => {
    const { host, guest } = await twoInARoom();
    const closed = nextLeave(guest);
    // 13 = ROOM_DATA, then a string type "x", then bytes that are not valid msgpack.
    guest.connection.send(Uint8Array.from([13, 0xa1, 0x78, 0xc1, 0xc1, 0xc1]));
    assert.equal(await closed, CloseCode.MALFORMED_FRAME);
    const pong = nextMessage(host, "pong");
    host.send("ping", { t: 1 });
    assert.equal((await pong).t, 1);
  });

  it("tells clients to come back later before a graceful shutdown closes the room", async () => {
    const { host } = await twoInARoom();
    const notice = nextMessage(host, "server-restart");
    const closed = nextLeave(host);
    server.colyseus.getRoomById(host.roomId).onBeforeShutdown();
    const { reconnectInMs } = await notice;
    assert.ok(reconnectInMs > 0);
    assert.equal(await closed, CloseCode.CONSENTED);
  });
});
