#!/usr/bin/env node
// `npm run example`: builds and starts the jam server, and the example app's Vite dev server beside
// it, with their output interleaved. Ctrl-C stops both; if either stops, so does the other.
//
//   PORT=2600 npm run example        # another jam server port (the app is told)
//   VITE_JAM_SERVER=wss://… npm run example   # the app against some other server
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const appDir = join(root, "examples", "react");
const vite = join(appDir, "node_modules", "vite", "bin", "vite.js");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const port = process.env.PORT || "2567";

if (!existsSync(vite) || !existsSync(tsc)) {
  console.error("Dependencies are missing: run `npm install` at the repository root first (it installs examples/react too).");
  process.exit(1);
}

console.log("[example] building the jam server…");
const build = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const children = new Map();
let stopping = false;

function run(name, args, options) {
  const child = spawn(process.execPath, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => console.log(`[${name}] ${line}`));
  }
  child.on("exit", (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.log(`[example] the ${name} stopped (${signal ?? `exit ${code}`}); stopping the rest`);
      stop(code ?? 1);
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
  children.set(name, child);
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  if (children.size === 0) process.exit(code);
  for (const child of children.values()) child.kill("SIGTERM");
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

run("server", [join(root, "build", "index.js")], {
  cwd: root,
  // A quick Ctrl-C: no deploy drain for a local try-out.
  env: { SHUTDOWN_DRAIN_MS: "0", ...process.env, PORT: port },
});
run("app", [vite, "--port", "5173", "--strictPort"], {
  cwd: appDir,
  // Default: the app finds the server on port 2567 of whatever host it was opened from.
  env: port === "2567" ? process.env : { VITE_JAM_SERVER: `ws://localhost:${port}`, ...process.env },
});

console.log(`[example] open http://localhost:5173 (jam server on port ${port}); Ctrl-C stops both`);
