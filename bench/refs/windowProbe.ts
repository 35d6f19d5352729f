/**
 * Preloaded (`node -r`) into the shared loadgen.js so the runner learns the exact edges of its
 * measured window: loadgen.js reads /proc/<server pid>/stat once when the window opens and once when
 * it closes. Each such read is reported over IPC with the server's CPU ticks it returned, the time
 * and this process's own CPU use — loadgen.js itself prints the server CPU share rounded to 1 %.
 * Observation only: what loadgen.js reads and does is unchanged.
 */
import fs = require("node:fs");

export interface StatRead {
  kind: "stat-read";
  atMs: number;
  ticks: number;
  ownCpuUs: number;
}

const original = fs.readFileSync;
const STAT_PATH = /^\/proc\/\d+\/stat$/;

function observed(this: unknown, ...args: Parameters<typeof fs.readFileSync>): ReturnType<typeof fs.readFileSync> {
  const content = original.apply(this, args);
  const [path] = args;
  if (typeof path === "string" && STAT_PATH.test(path) && typeof content === "string") {
    const fields = content.slice(content.lastIndexOf(")") + 2).split(" ");
    const usage = process.cpuUsage();
    const read: StatRead = {
      kind: "stat-read",
      atMs: performance.now(),
      ticks: Number(fields[11]) + Number(fields[12]),
      ownCpuUs: usage.user + usage.system,
    };
    process.send?.(read);
  }
  return content;
}

fs.readFileSync = observed as typeof fs.readFileSync;
