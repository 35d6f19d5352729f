/**
 * The JamStore contract, run against every store: what one store does, the other must too.
 */
import assert from "node:assert/strict";
import { Client } from "pg";
import type { JamStore } from "../../src/storage/jamStore";
import { openJamStore } from "../../src/storage/openJamStore";
import { sampleJam, STORE_TARGETS } from "./targets";

const DAY = 86_400_000;
const NOW = 1_760_000_000_000;

for (const makeTarget of STORE_TARGETS) {
  const target = makeTarget();

  describe(`storage > JamStore on ${target.name}`, function () {
    // Creating and dropping a PostgreSQL database can take a few hundred ms on a busy machine.
    this.timeout(20_000);
    let store: JamStore;
    const opened: JamStore[] = [];
    const open = (): JamStore => {
      const next = target.open();
      opened.push(next);
      return next;
    };

    before(async function () {
      if ((await target.setUp()) === "skip") this.skip();
    });
    beforeEach(async () => {
      store = open();
      await store.migrate();
      // Stores that outlive a test (a file, a database) start each test empty.
      await store.deleteUnusedBefore(Number.MAX_SAFE_INTEGER, 1_000_000);
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((each) => each.close()));
    });
    after(async () => target.tearDown());

    it("loads every field it saved, as it was saved", async () => {
      const jam = sampleJam("K7QF2M", NOW);
      await store.save(jam);
      assert.deepEqual(await store.load("K7QF2M"), jam);
    });

    it("keeps an empty pattern, no remix and a stopped transport as such", async () => {
      const jam = sampleJam("AB23CD", NOW, {
        tracks: [],
        remixOf: "",
        musicians: [],
        transport: { isPlaying: false, playStartedAt: 0, stoppedAtStep: 7 },
      });
      await store.save(jam);
      assert.deepEqual(await store.load("AB23CD"), jam);
    });

    it("answers undefined for a code nothing was saved under", async () => {
      assert.equal(await store.load("NOPE22"), undefined);
    });

    it("replaces the whole jam when a code is saved again", async () => {
      await store.save(sampleJam("K7QF2M", NOW));
      const changed = sampleJam("K7QF2M", NOW + 250, {
        settings: { tempo: 140, loopSteps: 16, maxParticipants: 4, private: false, transport: "host" },
        tracks: [],
        musicians: ["Ann"],
        remixOf: "",
      });
      await store.save(changed);
      assert.deepEqual(await store.load("K7QF2M"), changed);
      assert.equal(await store.count(), 1);
    });

    it("refuses a jam that breaks the rules, saving nothing", async () => {
      await assert.rejects(store.save(sampleJam("K7QF2M", NOW, { savedAt: NOW + 0.5 })));
      const badTempo = sampleJam("K7QF2M", NOW, { settings: { ...sampleJam("X", NOW).settings, tempo: 900 } });
      await assert.rejects(store.save(badTempo));
      assert.equal(await store.exists("K7QF2M"), false);
    });

    it("tells whether a code is saved, and counts the jams", async () => {
      assert.equal(await store.count(), 0);
      await store.save(sampleJam("AAAA22", NOW));
      await store.save(sampleJam("BBBB33", NOW));
      assert.equal(await store.exists("AAAA22"), true);
      assert.equal(await store.exists("CCCC44"), false);
      assert.equal(await store.count(), 2);
    });

    it("deletes unused jams in batches, oldest first, and keeps recent ones", async () => {
      for (let i = 0; i < 5; i++) await store.save(sampleJam(`OLD00${i}`, NOW - (40 - i) * DAY));
      await store.save(sampleJam("RECENT", NOW - DAY));
      await store.save(sampleJam("FRESH2", NOW));
      const cutoff = NOW - 30 * DAY;
      assert.equal(await store.deleteUnusedBefore(cutoff, 2), 2);
      assert.equal(await store.exists("OLD000"), false, "the oldest goes first");
      assert.equal(await store.exists("OLD004"), true);
      assert.equal(await store.deleteUnusedBefore(cutoff, 2), 2);
      assert.equal(await store.deleteUnusedBefore(cutoff, 2), 1);
      assert.equal(await store.deleteUnusedBefore(cutoff, 2), 0);
      assert.deepEqual([await store.exists("RECENT"), await store.exists("FRESH2"), await store.count()], [true, true, 2]);
    });

    it("counts a save as a use: a jam saved again lately is not expired", async () => {
      await store.save(sampleJam("K7QF2M", NOW - 40 * DAY));
      await store.save(sampleJam("K7QF2M", NOW));
      assert.equal(await store.deleteUnusedBefore(NOW - 30 * DAY, 10), 0);
    });

    it("migrates a second time as a no-op, keeping what was saved", async () => {
      await store.save(sampleJam("K7QF2M", NOW));
      await store.migrate();
      await store.migrate();
      assert.deepEqual(await store.load("K7QF2M"), sampleJam("K7QF2M", NOW));
    });

    if (target.durable) {
      it("keeps what was saved across close and reopen", async () => {
        await store.save(sampleJam("K7QF2M", NOW));
        await store.close();
        opened.splice(opened.indexOf(store), 1);
        const reopened = open();
        await reopened.migrate();
        assert.deepEqual(await reopened.load("K7QF2M"), sampleJam("K7QF2M", NOW));
      });
    } else {
      it("keeps nothing: a store opened again starts empty", async () => {
        await store.save(sampleJam("K7QF2M", NOW));
        const other = open();
        await other.migrate();
        assert.equal(await other.count(), 0);
      });
    }

    const freshDatabase = target.freshDatabase?.bind(target);
    if (freshDatabase !== undefined) {
      it("lets several processes migrate a new database at once: each succeeds, the schema is made once", async () => {
        const fresh = await freshDatabase();
        const racers = Array.from({ length: 4 }, () => openJamStore(fresh));
        try {
          await Promise.all(racers.map((racer) => racer.migrate()));
          const [first] = racers;
          await first?.save(sampleJam("K7QF2M", NOW));
          assert.deepEqual(await Promise.all(racers.map((racer) => racer.count())), [1, 1, 1, 1]);
          const check = new Client({ connectionString: fresh.databaseUrl });
          await check.connect();
          const applied = await check.query("select name from kysely_migration").finally(() => check.end());
          assert.deepEqual(applied.rows.map((row: { name: string }) => row.name).sort(), ["0001_jams", "0002_versions_and_recordings"]);
        } finally {
          await Promise.all(racers.map((racer) => racer.close()));
          await fresh.drop();
        }
      });
    }
  });
}
