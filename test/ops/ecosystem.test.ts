import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const FILE = resolve(__dirname, "../../ecosystem.config.js");

interface PmApp {
  name: string;
  script: string;
  node_args: string[];
  exec_mode: string;
  instances: number;
  wait_ready: boolean;
  kill_timeout: number;
  max_memory_restart: string;
  env: Record<string, unknown>;
  env_production: Record<string, unknown>;
}

/** Loads the PM2 file afresh under `env`, as `pm2 start` would with that environment. */
function loadApps(env: Record<string, string | undefined>): PmApp[] {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  try {
    apply(env);
    delete require.cache[FILE];
    const loaded: unknown = require(FILE);
    assert.ok(typeof loaded === "object" && loaded !== null && "apps" in loaded && Array.isArray(loaded.apps));
    return loaded.apps as PmApp[];
  } finally {
    apply(saved);
  }
}

describe("ecosystem.config.js (PM2)", () => {
  it("runs one app from the compiled entry point in fork mode, waiting for its ready signal", () => {
    const apps = loadApps({ REDIS_URL: undefined });
    assert.equal(apps.length, 1);
    const [app] = apps;
    assert.equal(app?.name, "jam-server");
    assert.equal(app?.script, "build/index.js");
    assert.equal(app?.exec_mode, "fork");
    assert.equal(app?.wait_ready, true);
    assert.equal(app?.max_memory_restart, "1G");
  });

  it("runs a single instance without REDIS_URL (rooms and codes would not be shared)", () => {
    assert.equal(loadApps({ REDIS_URL: undefined })[0]?.instances, 1);
  });

  it("runs one instance per CPU with REDIS_URL", () => {
    assert.equal(loadApps({ REDIS_URL: "redis://127.0.0.1:6379" })[0]?.instances, availableParallelism());
  });

  it("gives every instance the same PORT: @colyseus/tools adds the instance number itself", () => {
    const [app] = loadApps({ REDIS_URL: "redis://127.0.0.1:6379", PORT: undefined });
    assert.equal(app?.env_production.PORT, 2567);
    assert.equal(app?.env_production.NODE_ENV, "production");
  });

  it("takes PORT from the environment it is started in (PM2 would otherwise put 2567 over it)", () => {
    const [app] = loadApps({ PORT: "2600" });
    assert.equal(app?.env_production.PORT, 2600);
    assert.equal(app?.env.PORT, 2600);
  });

  it("waits longer before killing than the server's drain plus its shutdown margin", () => {
    assert.ok((loadApps({ SHUTDOWN_DRAIN_MS: undefined })[0]?.kill_timeout ?? 0) > 5000 + 5000);
    assert.ok((loadApps({ SHUTDOWN_DRAIN_MS: "20000" })[0]?.kill_timeout ?? 0) > 20000 + 5000);
  });

  it("starts node with the same flags as `npm start`, so PM2 runs the server the way it is measured", () => {
    const manifest: unknown = JSON.parse(readFileSync(resolve(__dirname, "../../package.json"), "utf8"));
    assert.ok(typeof manifest === "object" && manifest !== null && "scripts" in manifest);
    const { scripts } = manifest as { scripts: Record<string, string> };
    const [app] = loadApps({});
    assert.ok((app?.node_args.length ?? 0) > 0);
    assert.equal(scripts.start, ["node", ...(app?.node_args ?? []), "build/index.js"].join(" "));
  });
});
