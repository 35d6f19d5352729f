import assert from "node:assert/strict";
import { RedisDriver } from "@colyseus/redis-driver";
import type { Redis } from "ioredis";
import { createLogger } from "../../src/logger";
import { ResilientRedisDriver } from "../../src/redis/resilientDriver";

/** Never connects: every command the tests need is replaced on the client. */
const OFFLINE = { host: "127.0.0.1", port: 1, lazyConnect: true };

type Hgetall = () => Promise<Record<string, string>>;

/** Makes the driver's HGETALL fail `failures` times, then answer `rooms`; counts the calls. */
function scriptHgetall(client: Redis, failures: number, rooms: Record<string, string> = {}): { calls: number } {
  const counter = { calls: 0 };
  const hgetall: Hgetall = () => {
    counter.calls++;
    return counter.calls <= failures ? Promise.reject(new Error("Command timed out")) : Promise.resolve(rooms);
  };
  Object.assign(client, { hgetall });
  return counter;
}

const listing = (roomId: string) => JSON.stringify({ name: "jam", roomId, processId: "p1", clients: 0 });

describe("ResilientRedisDriver", () => {
  const logger = createLogger("silent");
  const drivers: { client: Redis }[] = [];

  function resilient(): ResilientRedisDriver {
    const driver = new ResilientRedisDriver(OFFLINE, logger);
    drivers.push(driver);
    return driver;
  }

  after(() => {
    for (const { client } of drivers) client.disconnect();
  });

  describe("query", () => {
    it("asks Redis again after a query failed, instead of answering that failure for ever", async () => {
      const driver = resilient();
      const calls = scriptHgetall(driver.client, 1, { ABC234: listing("ABC234") });
      await assert.rejects(driver.query({ name: "jam" }), /Command timed out/);
      const rooms = await driver.query({ name: "jam" });
      assert.deepEqual(
        rooms.map((room) => room.roomId),
        ["ABC234"],
      );
      assert.equal(calls.calls, 2);
    });

    it("still shares one HGETALL between concurrent queries", async () => {
      const driver = resilient();
      const calls = scriptHgetall(driver.client, 0, { ABC234: listing("ABC234") });
      const answers = await Promise.all([driver.query({ name: "jam" }), driver.query({ name: "jam" }), driver.query({})]);
      assert.deepEqual(
        answers.map((rooms) => rooms.length),
        [1, 1, 1],
      );
      assert.equal(calls.calls, 1);
    });

    it("is needed: the stock RedisDriver answers the first failure for ever (remove the workaround when this fails)", async () => {
      const stock = new RedisDriver(OFFLINE);
      const client = (stock as unknown as { _client: Redis })._client;
      drivers.push({ client });
      scriptHgetall(client, 1);
      await assert.rejects(stock.query({ name: "jam" }));
      await assert.rejects(stock.query({ name: "jam" }), /Command timed out/);
    });
  });

  describe("listings", () => {
    it("resolves save and remove when Redis fails them (Colyseus calls them without a catch)", async () => {
      const driver = resilient();
      const fail = () => Promise.reject(new Error("Connection is closed."));
      Object.assign(driver.client, { hset: fail, hdel: fail });
      const room = driver.createInstance({ name: "jam", roomId: "ABC234" });
      await room.save();
      await room.updateOne({ $set: { locked: true } });
      assert.equal(await room.remove(), 0);
    });
  });
});
