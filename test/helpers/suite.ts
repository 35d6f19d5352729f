/**
 * One in-process jam server per `describe`, set up the way @colyseus/testing's own usage test does
 * it: boot in `before`, `cleanup()` before each test, `shutdown()` in `after`, and after each test
 * a check that cleaning up left no room behind.
 */
import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import type { Settings } from "../../src/config/settings";
import type { JamStore } from "../../src/storage/jamStore";
import { bootJamServer, TEST_PORT, type JamTestServer } from "./server";

/**
 * Registers the hooks on the enclosing `describe` and returns the server they boot. The returned
 * object reads the booted server on every property access, so it can be passed around (to
 * `openJam`, say) where a `JamTestServer` is expected; touching it outside a hook or test throws.
 *
 * `afterEach` hooks a suite registers before calling this run before the room check, which is
 * where clients that must leave on their own (JamSessions) should be left.
 *
 * `openStore` gives the server its jam store (default: SQLite in memory); the server closes it.
 */
export function useJamServer(overrides: Partial<Settings> = {}, openStore?: () => Promise<JamStore>): JamTestServer {
  let booted: JamTestServer | undefined;
  const current = (): JamTestServer => booted ?? assert.fail("the jam server is used before its suite booted it");

  before(async () => {
    booted = await bootJamServer(overrides, TEST_PORT, openStore === undefined ? undefined : await openStore());
  });
  beforeEach(async () => current().colyseus.cleanup());
  afterEach(async function () {
    await current().colyseus.cleanup();
    // A room that survives cleanup (a dispose that never finishes, a join racing the cleanup)
    // would skew every test after it: fail the hook of the test that left it.
    assert.equal(matchMaker.stats.local.roomCount, 0, `rooms still open after "${this.currentTest?.fullTitle() ?? "?"}" was cleaned up`);
  });
  after(async () => {
    await booted?.colyseus.shutdown();
    booted = undefined;
  });

  return {
    get colyseus() {
      return current().colyseus;
    },
    get settings() {
      return current().settings;
    },
    get endpoint() {
      return current().endpoint;
    },
  };
}
