import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import { WriteCoalescer, type Corkable } from "../../src/rooms/writeCoalescer";

/** A socket stand-in that counts how deep it is corked. */
class CountingSocket implements Corkable {
  depth = 0;
  uncorks = 0;
  cork(): void {
    this.depth++;
  }
  uncork(): void {
    this.depth--;
    this.uncorks++;
  }
}

/** A scheduler the test runs by hand, standing in for setImmediate. */
function manualTurns(): { schedule: (flush: () => void) => void; endTurn: () => void; pending: () => number } {
  const queued: Array<() => void> = [];
  return {
    schedule: (flush) => queued.push(flush),
    endTurn: () => {
      for (const flush of queued.splice(0)) flush();
    },
    pending: () => queued.length,
  };
}

describe("WriteCoalescer", () => {
  it("corks a socket once however often it is held in a turn, and uncorks it when the turn ends", () => {
    const turns = manualTurns();
    const coalescer = new WriteCoalescer(turns.schedule);
    const socket = new CountingSocket();

    coalescer.hold(socket);
    coalescer.hold(socket);
    coalescer.hold(socket);

    assert.equal(socket.depth, 1);
    assert.equal(turns.pending(), 1);
    turns.endTurn();
    assert.equal(socket.depth, 0);
    assert.equal(coalescer.holding, 0);
  });

  it("schedules one flush per turn for every socket held in it", () => {
    const turns = manualTurns();
    const coalescer = new WriteCoalescer(turns.schedule);
    const sockets = [new CountingSocket(), new CountingSocket(), new CountingSocket()];

    for (const socket of sockets) coalescer.hold(socket);

    assert.equal(turns.pending(), 1);
    assert.equal(coalescer.holding, 3);
    turns.endTurn();
    assert.deepEqual(
      sockets.map((socket) => [socket.depth, socket.uncorks]),
      [
        [0, 1],
        [0, 1],
        [0, 1],
      ],
    );
  });

  it("holds a socket again in the next turn", () => {
    const turns = manualTurns();
    const coalescer = new WriteCoalescer(turns.schedule);
    const socket = new CountingSocket();

    coalescer.hold(socket);
    turns.endTurn();
    coalescer.hold(socket);

    assert.equal(socket.depth, 1);
    assert.equal(turns.pending(), 1);
    turns.endTurn();
    assert.equal(socket.uncorks, 2);
  });

  describe("on a real TCP socket", () => {
    let server: Server;
    let accepted: Promise<Socket>;
    let sender: Socket;
    let receiver: Socket;
    before(async () => {
      server = createServer();
      accepted = once(server, "connection").then(([socket]) => socket as Socket);
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      const address = server.address();
      assert.ok(typeof address === "object" && address !== null);
      sender = connect(address.port, "127.0.0.1");
      await once(sender, "connect");
      receiver = await accepted;
    });
    after(async () => {
      sender.destroy();
      receiver.destroy();
      server.close();
    });

    it("queues what is written while held and delivers all of it, in order, at the end of the turn", async () => {
      const coalescer = new WriteCoalescer();
      const received: Buffer[] = [];
      receiver.on("data", (chunk: Buffer) => received.push(chunk));

      coalescer.hold(sender);
      for (const text of ["one ", "two ", "three"]) sender.write(text);
      assert.equal(sender.writableCorked, 1);
      assert.equal(sender.writableLength, "one two three".length);

      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(sender.writableCorked, 0);
      while (Buffer.concat(received).length < "one two three".length) await once(receiver, "data");
      assert.equal(Buffer.concat(received).toString(), "one two three");
    });
  });
});
