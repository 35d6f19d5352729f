/**
 * Works around two faults of @colyseus/redis-driver 0.16.1 while Redis is away:
 *
 * 1. `getRooms()` caches the promise of its `HGETALL roomcaches` in `_concurrentRoomCacheRequest`
 *    and `_roomCacheRequestByName[name]`, and clears them only when it resolves: once one query
 *    fails, every later query returns the same rejection, so matchmaking, `/rooms` and everything
 *    built on `matchMaker.query` fail until the process restarts. Here a rejected request is
 *    dropped from both caches, so the next query asks Redis again.
 * 2. Colyseus calls a listing's `save()`/`remove()` without awaiting or catching it in several
 *    places (maxClients setter, `lock()` on shutdown, `disconnect()`, `disposeRoom`): a failure
 *    there is an unhandled rejection, which ends the process. Here they log and resolve; a listing
 *    that could not be saved is saved again when Redis is back (see src/rooms/redisRecovery.ts).
 *
 * 3. On shutdown, `cleanup()` (the listings of this process) is skipped while Redis is away.
 *
 * To remove: on a Colyseus whose RedisDriver clears its cached request on failure and whose core
 * awaits or catches listing writes, construct `RedisDriver` in src/config/scaleOut.ts again (the
 * unit test in test/unit/resilientDriver.test.ts shows whether the first fault is still there).
 */
import type { IRoomCache } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import type { Redis, RedisOptions } from "ioredis";
import type { Logger } from "../logger";

type RoomData = ReturnType<RedisDriver["createInstance"]>;

/** The private fields of RedisDriver this workaround touches (see the build of 0.16.1). */
interface DriverInternals {
  _client: Redis;
  _concurrentRoomCacheRequest?: Promise<unknown> | undefined;
  _roomCacheRequestByName: Record<string, Promise<RoomData[]> | undefined>;
  getRooms(roomName?: string): Promise<RoomData[]>;
}

export class ResilientRedisDriver extends RedisDriver {
  constructor(
    options: RedisOptions,
    private readonly logger: Logger,
  ) {
    super(options);
    const internals = this as unknown as DriverInternals;
    const getRooms = internals.getRooms.bind(this);
    internals.getRooms = (roomName?: string) => {
      const request = getRooms(roomName);
      const shared = internals._concurrentRoomCacheRequest;
      request.catch(() => {
        // Only our own entries: a newer request made meanwhile stays cached.
        if (internals._roomCacheRequestByName[String(roomName)] === request) delete internals._roomCacheRequestByName[String(roomName)];
        if (internals._concurrentRoomCacheRequest === shared) internals._concurrentRoomCacheRequest = undefined;
      });
      return request;
    };
  }

  /**
   * Colyseus calls this on shutdown to remove this process's listings. While Redis is away it
   * could only time out; the listings of a dead process are ignored once their code claims expire.
   */
  override async cleanup(processId: string): Promise<void> {
    if (this.client.status === "ready") await super.cleanup(processId);
  }

  /** The driver's own connection, for RedisConnections to watch. */
  get client(): Redis {
    return (this as unknown as DriverInternals)._client;
  }

  override createInstance(initialValues: Partial<IRoomCache> = {}): RoomData {
    const listing = super.createInstance(initialValues);
    const save = listing.save.bind(listing);
    const remove = listing.remove.bind(listing);
    listing.save = () => save().catch((error: unknown) => this.failed("save", listing, error));
    listing.remove = () =>
      Promise.resolve(remove()).catch((error: unknown) => {
        this.failed("remove", listing, error);
        return 0;
      });
    return listing;
  }

  private failed(operation: string, listing: RoomData, error: unknown): void {
    // Debug: the outage itself is logged once by RedisConnections, not once per listing write.
    this.logger.debug({ err: error, roomId: listing.roomId, operation }, "room listing not written to redis");
  }
}
