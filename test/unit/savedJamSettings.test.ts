import assert from "node:assert/strict";
import { ConfigError, loadSettings } from "../../src/config/settings";

/** Loads `env`, expects a ConfigError; returns its message. */
function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadSettings(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  return assert.fail("expected a ConfigError, but the settings loaded");
}

describe("settings > loadSettings > saved jams", () => {
  it("uses the contract's defaults: the embedded store in ./data, saves within 250 ms", () => {
    const { databaseUrl, dataDir, saveDelayMs, resumeWindowS, jamTtlDays, versionEveryS, maxVersions, maxRecordingMin } = loadSettings({});
    assert.deepEqual(
      { databaseUrl, dataDir, saveDelayMs, resumeWindowS, jamTtlDays, versionEveryS, maxVersions, maxRecordingMin },
      {
        databaseUrl: undefined,
        dataDir: "./data",
        saveDelayMs: 250,
        resumeWindowS: 60,
        jamTtlDays: 30,
        versionEveryS: 300,
        maxVersions: 50,
        maxRecordingMin: 60,
      },
    );
  });

  it("reads every saved-jam variable it is given", () => {
    const s = loadSettings({
      DATABASE_URL: " postgresql://jam:pw@db.example.com:5432/jams ",
      DATA_DIR: ":memory:",
      SAVE_DELAY_MS: "1000",
      RESUME_WINDOW_S: "0",
      JAM_TTL_DAYS: "0",
      VERSION_EVERY_S: "60",
      MAX_VERSIONS: "5",
      MAX_RECORDING_MIN: "10",
    });
    assert.equal(s.databaseUrl, "postgresql://jam:pw@db.example.com:5432/jams");
    assert.equal(s.dataDir, ":memory:");
    assert.equal(s.saveDelayMs, 1000);
    assert.equal(s.resumeWindowS, 0);
    assert.equal(s.jamTtlDays, 0, "0 = never expire");
    assert.equal(s.versionEveryS, 60);
    assert.equal(s.maxVersions, 5);
    assert.equal(s.maxRecordingMin, 10);
  });

  it("refuses a DATABASE_URL that is not postgres:// or postgresql://, naming it", () => {
    for (const value of ["mysql://db/jams", "db.example.com/jams", "sqlite:./jams.db"]) {
      assert.match(configError({ DATABASE_URL: value }), /DATABASE_URL/, value);
    }
  });

  it("refuses out-of-range values, naming each (SAVE_DELAY_MS is at most 1000 by contract)", () => {
    const bad: Record<string, string[]> = {
      SAVE_DELAY_MS: ["-1", "1001", "2.5"],
      RESUME_WINDOW_S: ["-1"],
      JAM_TTL_DAYS: ["-1", "1.5"],
      VERSION_EVERY_S: ["0"],
      MAX_VERSIONS: ["0", "ten"],
      MAX_RECORDING_MIN: ["0"],
    };
    for (const [name, values] of Object.entries(bad)) {
      for (const value of values) assert.match(configError({ [name]: value }), new RegExp(name), `${name}=${value}`);
    }
  });

  it("refuses REDIS_URL without DATABASE_URL, naming both: processes cannot share an embedded store", () => {
    const message = configError({ REDIS_URL: "redis://127.0.0.1:6379" });
    assert.match(message, /REDIS_URL/);
    assert.match(message, /DATABASE_URL/);
  });

  it("accepts REDIS_URL with DATABASE_URL", () => {
    const s = loadSettings({ REDIS_URL: "redis://127.0.0.1:6379", DATABASE_URL: "postgres://db/jams" });
    assert.equal(s.redisUrl, "redis://127.0.0.1:6379");
    assert.equal(s.databaseUrl, "postgres://db/jams");
  });
});
