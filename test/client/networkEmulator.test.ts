/** The test and bench support's network emulator: delay with jitter per direction, order kept, stalls. */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { Client } from "colyseus.js";
import type { JamState } from "../../src/schema/JamState";
import { nextMessage, stateWhere, synced } from "../../support/clients";
import { NetworkEmulator, seededRandom } from "../../support/networkEmulator";
import { useJamServer } from "../helpers/suite";

/** A TCP server that echoes every byte back. */
async function echoServer(): Promise<Server> {
  const server = createServer((socket) => socket.pipe(socket));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

/** Resolves with the next `bytes` bytes the socket receives. */
function receive(socket: Socket, bytes: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      length += chunk.length;
      if (length >= bytes) {
        socket.off("data", onData);
        resolve(Buffer.concat(parts));
      }
    };
    socket.on("data", onData);
  });
}

describe("support > network emulator", () => {
  let echo: Server;
  let emulator: NetworkEmulator;
  let socket: Socket;

  beforeEach(async () => {
    echo = await echoServer();
    emulator = await NetworkEmulator.start({
      target: { host: "127.0.0.1", port: (echo.address() as AddressInfo).port },
      up: { delayMs: 40, jitterMs: 10 },
      down: { delayMs: 5, jitterMs: 1 },
      random: seededRandom(7),
    });
    socket = connect(emulator.port, "127.0.0.1");
    socket.setNoDelay(true);
    await once(socket, "connect");
  });

  afterEach(async () => {
    socket.destroy();
    await emulator.close();
    echo.close();
  });

  it("delays each direction by its own shape, never less than delay − jitter", async () => {
    for (let i = 0; i < 5; i++) {
      const sentAt = performance.now();
      const back = receive(socket, 1);
      socket.write(Buffer.from([i]));
      assert.deepEqual([...(await back)], [i]);
      const roundTrip = performance.now() - sentAt;
      assert.ok(roundTrip >= 30 + 4 - 1, `round trip ${roundTrip.toFixed(1)} ms`);
    }
  });

  it("keeps every byte in order through jitter larger than the gaps between writes", async () => {
    const total = 2000;
    const back = receive(socket, total);
    for (let i = 0; i < total; i += 10) socket.write(Buffer.from(Array.from({ length: 10 }, (_, j) => (i + j) % 256)));
    const bytes = await back;
    assert.deepEqual(
      [...bytes],
      Array.from({ length: total }, (_, i) => i % 256),
    );
  });

  it("holds everything during a stall and then delivers it, in order", async () => {
    emulator.stall(300);
    const stalledAt = performance.now();
    const back = receive(socket, 3);
    for (const byte of [1, 2, 3]) socket.write(Buffer.from([byte]));
    assert.deepEqual([...(await back)], [1, 2, 3]);
    assert.ok(performance.now() - stalledAt >= 300, "nothing came back before the stall ended");
  });
});

describe("support > network emulator > a jam through it", () => {
  const server = useJamServer();

  it("carries a colyseus.js session, matchmaking and room, at the link's delay", async () => {
    const { hostname, port } = new URL(server.endpoint);
    const link = await NetworkEmulator.start({
      target: { host: hostname, port: Number(port) },
      up: { delayMs: 40, jitterMs: 0 },
      down: { delayMs: 5, jitterMs: 0 },
    });
    try {
      const ann = await new Client(`ws://127.0.0.1:${link.port}`).create<JamState>("jam", { name: "Ann" });
      const bob = await server.colyseus.sdk.joinById<JamState>(ann.roomId, { name: "Bob" });
      await synced(ann);
      await stateWhere(ann, (state) => state.participants.size === 2);
      const heard = nextMessage(bob, "note");
      const sentAt = performance.now();
      ann.send("note", { note: 64, seq: 1 });
      assert.equal((await heard).note, 64);
      assert.ok(performance.now() - sentAt >= 39, "the note took the link's 40 ms up");
      await Promise.all([ann.leave(), bob.leave()]);
    } finally {
      await link.close();
    }
  });
});
