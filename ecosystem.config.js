/**
 * PM2 process file: `npm run build && pm2 start ecosystem.config.js --env production`.
 *
 * Fork mode, not cluster: each process owns its rooms and clients must reach the process that
 * holds their room (`<PUBLIC_ADDRESS>/<processId>/<roomId>`), which cluster mode's shared port
 * cannot do. Several processes only make sense with REDIS_URL (shared rooms and codes), so
 * without it one instance runs. @colyseus/tools adds PM2's NODE_APP_INSTANCE to PORT, so instance
 * N listens on PORT + N: PORT stays the same for every instance here.
 */
const os = require("node:os");

const scaled = Boolean(process.env.REDIS_URL);
const drainMs = Number(process.env.SHUTDOWN_DRAIN_MS || 5000);
// The server's own shutdown deadline is the drain plus 5 s; PM2 must wait longer than that
// before it kills, or a deploy cuts musicians off mid-drain.
const killTimeoutMs = drainMs + 5000 + 5000;
// V8 sizes the young generation for allocation-heavy programs (16 MiB semi-spaces here) and the
// server's start-up grows it to that at once; a relay's garbage is short-lived, so 4 MiB costs no
// measurable CPU and keeps ~25 MiB of touched heap out of the resident set (BENCHMARKS.md).
// `npm start` passes the same flags; test/ops/ecosystem.test.ts keeps the two equal.
const nodeArgs = ["--max-semi-space-size=4"];
// PM2 puts an app's env over the environment it was started in: read PORT here, so that
// `PORT=2600 pm2 start ecosystem.config.js` moves the server (the first instance's port).
const port = Number(process.env.PORT || 2567);

module.exports = {
  apps: [
    {
      name: "jam-server",
      script: "build/index.js",
      node_args: nodeArgs,
      exec_mode: "fork",
      instances: scaled ? os.availableParallelism() : 1,
      // listen() of @colyseus/tools calls process.send("ready") once the port is open.
      wait_ready: true,
      listen_timeout: 15000,
      kill_timeout: killTimeoutMs,
      max_memory_restart: "1G",
      env: {
        NODE_ENV: "development",
        PORT: port,
      },
      env_production: {
        NODE_ENV: "production",
        PORT: port,
      },
    },
  ],
};
