import assert from "node:assert/strict";
import { ConfigError, loadSettings } from "../../src/config/settings";

/** Loads `env`, expects a ConfigError; returns its message. */
function configError(env: NodeJS.ProcessEnv): string {
  let caught: unknown;
  try {
    loadSettings(env);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.name, "ConfigError");
  return caught.message;
}

describe("settings > loadSettings", () => {
  it("uses the contract's defaults when the environment is empty", () => {
    const s = loadSettings({});
    assert.equal(s.port, 2567);
    assert.equal(s.maxParticipants, 10);
    assert.equal(s.maxListeners, 50);
    assert.equal(s.maxTracks, 16);
    assert.equal(s.reconnectGraceS, 30);
    assert.equal(s.playLeadInMs, 100);
    assert.equal(s.maxPayloadBytes, 16 * 1024);
    assert.equal(s.logLevel, "info");
    assert.equal(s.redisUrl, undefined);
    assert.equal(s.publicAddress, undefined);
  });

  it("uses the contract's default rate limits", () => {
    const { rateLimits } = loadSettings({});
    assert.deepEqual(rateLimits.note, { ratePerS: 50, burst: 100 });
    assert.equal(rateLimits.event.ratePerS, 20);
    assert.equal(rateLimits.chat.ratePerS, 5);
    assert.equal(rateLimits.signal.ratePerS, 50);
    assert.deepEqual(rateLimits.ping, { ratePerS: 10, burst: 20 });
    assert.equal(rateLimits.transport.ratePerS, 10);
    assert.deepEqual(rateLimits.pattern, { ratePerS: 30, burst: 60 });
  });

  it("reads the server clock in ms since epoch", () => {
    const before = Date.now();
    const now = loadSettings({}).now();
    assert.ok(now >= before && now <= Date.now() + 1, `now() = ${now}`);
  });

  it("reads every variable it is given", () => {
    const s = loadSettings({
      PORT: "3000",
      MAX_PARTICIPANTS: "16",
      MAX_TRACKS: "8",
      RECONNECT_GRACE_S: "2.5",
      PLAY_LEAD_IN_MS: "250",
      MAX_PAYLOAD_BYTES: "65536",
      LOG_LEVEL: "debug",
      REDIS_URL: "redis://localhost:6379",
      DATABASE_URL: "postgres://jam@db.example.com/jams",
      PUBLIC_ADDRESS: "jam.example.com",
    });
    assert.equal(s.port, 3000);
    assert.equal(s.maxParticipants, 16);
    assert.equal(s.maxTracks, 8);
    assert.equal(s.reconnectGraceS, 2.5);
    assert.equal(s.playLeadInMs, 250);
    assert.equal(s.maxPayloadBytes, 65536);
    assert.equal(s.logLevel, "debug");
    assert.equal(s.redisUrl, "redis://localhost:6379");
    assert.equal(s.publicAddress, "jam.example.com");
  });

  it("accepts the range limits: MAX_PARTICIPANTS 2 and 16, a lead-in and grace of 0", () => {
    assert.equal(loadSettings({ MAX_PARTICIPANTS: "2" }).maxParticipants, 2);
    assert.equal(loadSettings({ MAX_PARTICIPANTS: "16" }).maxParticipants, 16);
    assert.equal(loadSettings({ PLAY_LEAD_IN_MS: "0" }).playLeadInMs, 0);
    assert.equal(loadSettings({ RECONNECT_GRACE_S: "0" }).reconnectGraceS, 0);
  });

  it("trims REDIS_URL and PUBLIC_ADDRESS and treats empty ones as unset", () => {
    assert.equal(loadSettings({ REDIS_URL: "  redis://r:6379  ", DATABASE_URL: "postgres://d/jams" }).redisUrl, "redis://r:6379");
    assert.equal(loadSettings({ REDIS_URL: "" }).redisUrl, undefined);
    assert.equal(loadSettings({ PUBLIC_ADDRESS: "   " }).publicAddress, undefined);
  });

  it("treats an empty numeric variable like an unset one, as it does for REDIS_URL", () => {
    // A line `RECONNECT_GRACE_S=` in a .env file must not silently turn reconnection off.
    assert.equal(loadSettings({ RECONNECT_GRACE_S: "" }).reconnectGraceS, 30);
    assert.equal(loadSettings({ PLAY_LEAD_IN_MS: "" }).playLeadInMs, 100);
  });

  it("refuses MAX_PARTICIPANTS=99 with a ConfigError naming the variable", () => {
    assert.match(configError({ MAX_PARTICIPANTS: "99" }), /MAX_PARTICIPANTS/);
  });

  it("refuses MAX_PARTICIPANTS outside 2–16 or fractional", () => {
    for (const value of ["1", "17", "4.5", "ten"]) {
      assert.match(configError({ MAX_PARTICIPANTS: value }), /MAX_PARTICIPANTS/, value);
    }
  });

  it("reads MAX_LISTENERS from 0 (listening off) to 200", () => {
    assert.equal(loadSettings({ MAX_LISTENERS: "0" }).maxListeners, 0);
    assert.equal(loadSettings({ MAX_LISTENERS: "200" }).maxListeners, 200);
  });

  it("refuses MAX_LISTENERS below 0, over 200 or fractional, naming the variable", () => {
    for (const value of ["-1", "201", "2.5", "many"]) {
      assert.match(configError({ MAX_LISTENERS: value }), /MAX_LISTENERS/, value);
    }
  });

  it("refuses PORT=abc with a ConfigError naming the variable", () => {
    assert.match(configError({ PORT: "abc" }), /PORT/);
  });

  it("refuses a port outside 1–65535", () => {
    assert.match(configError({ PORT: "0" }), /PORT/);
    assert.match(configError({ PORT: "65536" }), /PORT/);
    assert.match(configError({ PORT: "80.5" }), /PORT/);
  });

  it("refuses out-of-range values of the other numeric variables, naming each", () => {
    assert.match(configError({ MAX_TRACKS: "0" }), /MAX_TRACKS/);
    assert.match(configError({ MAX_TRACKS: "65" }), /MAX_TRACKS/);
    assert.match(configError({ RECONNECT_GRACE_S: "-1" }), /RECONNECT_GRACE_S/);
    assert.match(configError({ RECONNECT_GRACE_S: "3601" }), /RECONNECT_GRACE_S/);
    assert.match(configError({ PLAY_LEAD_IN_MS: "-5" }), /PLAY_LEAD_IN_MS/);
    assert.match(configError({ PLAY_LEAD_IN_MS: "5001" }), /PLAY_LEAD_IN_MS/);
    assert.match(configError({ MAX_PAYLOAD_BYTES: "1023" }), /MAX_PAYLOAD_BYTES/);
    assert.match(configError({ MAX_PAYLOAD_BYTES: String(1024 * 1024 + 1) }), /MAX_PAYLOAD_BYTES/);
  });

  it("refuses an unknown LOG_LEVEL", () => {
    assert.match(configError({ LOG_LEVEL: "verbose" }), /LOG_LEVEL/);
  });

  it("names every bad variable at once", () => {
    const message = configError({ PORT: "abc", MAX_PARTICIPANTS: "99" });
    assert.match(message, /PORT/);
    assert.match(message, /MAX_PARTICIPANTS/);
  });

  it("listens on PORT plus PM2's NODE_APP_INSTANCE, and on PORT alone without it", () => {
    assert.equal(loadSettings({ PORT: "3000" }).processPort, 3000);
    const s = loadSettings({ PORT: "3000", NODE_APP_INSTANCE: "2" });
    assert.equal(s.port, 3000);
    assert.equal(s.processPort, 3002);
  });

  it("ignores variables it does not know", () => {
    assert.equal(loadSettings({ HOME: "/root", PATH: "/usr/bin" }).port, 2567);
  });
});

describe("settings > loadSettings > drain, monitor, CORS and JWT variables", () => {
  it("defaults: a 5 s drain, monitor user admin without a password, no CORS allow-list, no JWT secret", () => {
    const s = loadSettings({});
    assert.equal(s.shutdownDrainMs, 5000);
    assert.equal(s.monitorUser, "admin");
    assert.equal(s.monitorPassword, undefined);
    assert.equal(s.corsOrigins, undefined);
    assert.equal(s.jwtSecret, undefined);
  });

  it("reads SHUTDOWN_DRAIN_MS from 0 to 60000", () => {
    const read = (value: string) => loadSettings({ SHUTDOWN_DRAIN_MS: value }).shutdownDrainMs;
    assert.deepEqual(["0", "2500", "60000", ""].map(read), [0, 2500, 60_000, 5000], "an empty value is the default");
  });

  it("refuses SHUTDOWN_DRAIN_MS outside 0–60000, fractional or not a number, naming it", () => {
    for (const value of ["-1", "60001", "1.5", "soon"]) {
      assert.match(configError({ SHUTDOWN_DRAIN_MS: value }), /SHUTDOWN_DRAIN_MS/, value);
    }
  });

  it("reads MONITOR_USER (trimmed) and MONITOR_PASSWORD", () => {
    const s = loadSettings({ MONITOR_USER: "  ops ", MONITOR_PASSWORD: "s3cret" });
    assert.equal(s.monitorUser, "ops");
    assert.equal(s.monitorPassword, "s3cret");
  });

  it("treats an empty or blank MONITOR_PASSWORD as unset (the monitor stays unmounted)", () => {
    assert.equal(loadSettings({ MONITOR_PASSWORD: "" }).monitorPassword, undefined);
    assert.equal(loadSettings({ MONITOR_PASSWORD: "   " }).monitorPassword, undefined);
  });

  it("reads CORS_ORIGINS as a comma-separated list, trimming each entry and skipping empty ones", () => {
    assert.deepEqual(loadSettings({ CORS_ORIGINS: "https://jam.example.com" }).corsOrigins, ["https://jam.example.com"]);
    assert.deepEqual(
      loadSettings({ CORS_ORIGINS: " https://jam.example.com , http://localhost:3000,https://b.example:8443 " }).corsOrigins,
      ["https://jam.example.com", "http://localhost:3000", "https://b.example:8443"],
    );
    assert.deepEqual(loadSettings({ CORS_ORIGINS: "https://jam.example.com,, ," }).corsOrigins, ["https://jam.example.com"]);
  });

  it("treats an empty or blank CORS_ORIGINS as unset (any origin)", () => {
    assert.equal(loadSettings({ CORS_ORIGINS: "" }).corsOrigins, undefined);
    assert.equal(loadSettings({ CORS_ORIGINS: "   " }).corsOrigins, undefined);
  });

  it("refuses a CORS_ORIGINS entry that is not a URL, naming the variable", () => {
    for (const value of ["jam.example.com", "*", "https://jam.example.com,not an origin"]) {
      assert.match(configError({ CORS_ORIGINS: value }), /CORS_ORIGINS/, value);
    }
  });

  it('refuses a CORS_ORIGINS entry that is not an http(s) origin, such as localhost:3000 (scheme "localhost:")', () => {
    // new URL("localhost:3000").origin is "null": accepting it would allow the opaque origin "null"
    // that any sandboxed iframe or file:// page sends.
    for (const value of ["localhost:3000", "mailto:ops@jam.example.com", "https://jam.example.com,localhost:3000"]) {
      assert.match(configError({ CORS_ORIGINS: value }), /CORS_ORIGINS/, value);
    }
  });

  it("reads a JWT_SECRET of 32 characters or more", () => {
    const secret = "s".repeat(32);
    assert.equal(loadSettings({ JWT_SECRET: secret }).jwtSecret, secret);
    assert.equal(loadSettings({ JWT_SECRET: secret + "x".repeat(100) }).jwtSecret, secret + "x".repeat(100));
  });

  it("treats an empty JWT_SECRET as unset (no token needed)", () => {
    assert.equal(loadSettings({ JWT_SECRET: "" }).jwtSecret, undefined);
  });

  it("refuses a JWT_SECRET shorter than 32 characters, naming the variable and the rule", () => {
    const message = configError({ JWT_SECRET: "s".repeat(31) });
    assert.match(message, /JWT_SECRET/);
    assert.match(message, /32 characters/);
    assert.match(configError({ JWT_SECRET: "short" }), /JWT_SECRET/);
  });

  it("names every bad new variable at once", () => {
    const message = configError({ SHUTDOWN_DRAIN_MS: "-5", CORS_ORIGINS: "nope", JWT_SECRET: "short" });
    for (const name of ["SHUTDOWN_DRAIN_MS", "CORS_ORIGINS", "JWT_SECRET"]) assert.match(message, new RegExp(name));
  });

  describe("limits that protect everyone", () => {
    it("uses the contract's defaults", () => {
      const s = loadSettings({});
      assert.equal(s.jwtMaxAgeS, 86400);
      assert.equal(s.maxBufferedBytes, 1024 * 1024);
      assert.equal(s.pingIntervalMs, 4500);
      assert.deepEqual(s.httpRateLimits, { create: { perMinute: 10, burst: 20 }, join: { perMinute: 120, burst: 120 } });
      assert.equal(s.trustProxy, undefined);
    });

    it("reads HTTP_RATE_LIMITS with either key left out, perMinute 0 turning a limit off", () => {
      const s = loadSettings({ HTTP_RATE_LIMITS: '{"create":{"perMinute":0}}', JWT_MAX_AGE_S: "600", MAX_BUFFERED_KB: "64" });
      assert.deepEqual(s.httpRateLimits.create, { perMinute: 0, burst: 1 });
      assert.deepEqual(s.httpRateLimits.join, { perMinute: 120, burst: 120 });
      assert.equal(s.jwtMaxAgeS, 600);
      assert.equal(s.maxBufferedBytes, 64 * 1024);
      assert.deepEqual(loadSettings({ HTTP_RATE_LIMITS: '{"join":{"perMinute":30,"burst":5}}' }).httpRateLimits.join, {
        perMinute: 30,
        burst: 5,
      });
    });

    it("refuses a bad HTTP_RATE_LIMITS, JWT_MAX_AGE_S or MAX_BUFFERED_KB, naming it", () => {
      for (const value of ["not json", '{"create":{"perMinute":-1}}', '{"open":{"perMinute":1}}', '{"join":{"burst":5}}']) {
        assert.match(configError({ HTTP_RATE_LIMITS: value }), /HTTP_RATE_LIMITS/, value);
      }
      assert.match(configError({ JWT_MAX_AGE_S: "0" }), /JWT_MAX_AGE_S/);
      assert.match(configError({ MAX_BUFFERED_KB: "lots" }), /MAX_BUFFERED_KB/);
    });

    it("reads PING_INTERVAL_MS, 0 turning pings off, and refuses an interval out of its range", () => {
      assert.equal(loadSettings({ PING_INTERVAL_MS: "10000" }).pingIntervalMs, 10_000);
      assert.equal(loadSettings({ PING_INTERVAL_MS: "0" }).pingIntervalMs, 0);
      for (const value of ["500", "60001", "soon"]) assert.match(configError({ PING_INTERVAL_MS: value }), /PING_INTERVAL_MS/, value);
    });

    it("reads TRUST_PROXY as express' trust proxy value", () => {
      assert.equal(loadSettings({ TRUST_PROXY: "loopback" }).trustProxy, "loopback");
      assert.equal(loadSettings({ TRUST_PROXY: "2" }).trustProxy, 2);
      assert.equal(loadSettings({ TRUST_PROXY: "true" }).trustProxy, true);
      assert.equal(loadSettings({ TRUST_PROXY: "10.0.0.1, 10.0.0.2" }).trustProxy, "10.0.0.1, 10.0.0.2");
    });
  });
});
