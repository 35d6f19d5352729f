/** The soak's command line: `npm run soak -- --rooms 50 --per-room 10 --minutes 10 …`. */
import { parseArgs } from "node:util";

export interface SoakOptions {
  rooms: number;
  perRoom: number;
  minutes: number;
  noteRate: number;
  endpoint: string | undefined;
  port: number;
  /** Mean seconds between abrupt drops, per client. */
  dropEveryS: number;
  /** Mean seconds between floods, per client. */
  floodEveryS: number;
  floodNotes: number;
  /** Mean seconds between malformed payloads, per client. */
  badEveryS: number;
  /** Seconds Redis stays down in the middle of the run (the soak's own Redis); 0: no Redis at all. */
  redisDownS: number;
  /** Connections that never read, each in a room of its own. */
  slowConsumers: number;
  seed: number;
}

const USAGE = `usage: npm run soak -- [--rooms N=50] [--per-room K=10] [--minutes M=10] [--note-rate R=4]
       [--endpoint http://127.0.0.1:PORT] [--port P=2567] [--drop-every S=300] [--flood-every S=600]
       [--flood-notes N=300] [--bad-every S=30] [--redis-down S=10] [--slow-consumers N=2] [--seed N]`;

export function parseOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      rooms: { type: "string", default: "50" },
      "per-room": { type: "string", default: "10" },
      minutes: { type: "string", default: "10" },
      "note-rate": { type: "string", default: "4" },
      endpoint: { type: "string" },
      port: { type: "string", default: "2567" },
      "drop-every": { type: "string", default: "300" },
      "flood-every": { type: "string", default: "600" },
      "flood-notes": { type: "string", default: "300" },
      "bad-every": { type: "string", default: "30" },
      "redis-down": { type: "string", default: "10" },
      "slow-consumers": { type: "string", default: "2" },
      seed: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (flag: string, raw: string, min: number, max: number, integer = false): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new Error(`--${flag} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  const endpoint = values.endpoint === undefined ? undefined : checkLocalEndpoint(values.endpoint);
  return {
    rooms: num("rooms", values.rooms, 1, 1000, true),
    // 2–16 is the server's range for maxParticipants.
    perRoom: num("per-room", values["per-room"], 2, 16, true),
    minutes: num("minutes", values.minutes, 0.1, 24 * 60),
    // Ordinary notes must stay under the note budget (50/s) or the loss count means nothing.
    noteRate: num("note-rate", values["note-rate"], 0.1, 25),
    endpoint,
    port: num("port", values.port, 1, 65535, true),
    dropEveryS: num("drop-every", values["drop-every"], 5, 1e9),
    floodEveryS: num("flood-every", values["flood-every"], 5, 1e9),
    // Over 499 in one second would be a flood window (10 × 50/s): a sustained one disconnects.
    floodNotes: num("flood-notes", values["flood-notes"], 1, 490, true),
    badEveryS: num("bad-every", values["bad-every"], 1, 1e9),
    redisDownS: num("redis-down", values["redis-down"], 0, 600),
    slowConsumers: num("slow-consumers", values["slow-consumers"], 0, 50, true),
    seed: values.seed === undefined ? Date.now() % 2 ** 31 : num("seed", values.seed, 0, 2 ** 31, true),
  };
}

/** Only this machine: the soak must never be pointed at someone else's server. */
function checkLocalEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.includes("://") ? raw : `http://${raw}`);
  } catch {
    throw new Error(`--endpoint "${raw}" is not a URL`);
  }
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    throw new Error(`--endpoint must be on 127.0.0.1 or localhost, not "${url.hostname}"`);
  }
  const protocol = url.protocol === "https:" || url.protocol === "wss:" ? "https:" : "http:";
  return `${protocol}//${url.host}`;
}
