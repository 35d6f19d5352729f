/**
 * Colyseus' own log lines, through our structured logger. Colyseus logs at "error" whatever a
 * client sends that it cannot read (an oversized frame, bytes that are not msgpack) — the client's
 * fault, answered by closing that connection. Those go out at "warn" so "error" means the server.
 */
import type { logger as coreLogger } from "@colyseus/core";
import type { Logger } from "../logger";

type ColyseusLogger = typeof coreLogger;

const CLIENT_FAULTS = [
  /Max payload size exceeded/,
  /Data read, but end of buffer not reached/,
  /Unknown extension type/,
  /Unexpected end of (buffer|MessagePack data)/,
  /Invalid (UTF-8|WebSocket frame)/,
];

/** Colyseus passes one string (often a stack) or a format string and values. */
function lineOf(args: unknown[]): string {
  return args.map((arg) => (arg instanceof Error ? (arg.stack ?? arg.message) : String(arg))).join(" ");
}

export function colyseusLogger(logger: Logger): ColyseusLogger {
  const log = logger.child({ component: "colyseus" });
  return {
    trace: (...args: unknown[]) => log.trace(lineOf(args)),
    debug: (...args: unknown[]) => log.debug(lineOf(args)),
    info: (...args: unknown[]) => log.info(lineOf(args)),
    warn: (...args: unknown[]) => log.warn(lineOf(args)),
    error: (...args: unknown[]) => {
      const line = lineOf(args);
      if (CLIENT_FAULTS.some((fault) => fault.test(line))) log.warn({ clientFault: true }, line);
      else log.error(line);
    },
  };
}
