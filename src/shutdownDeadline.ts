/**
 * Colyseus drains on SIGTERM/SIGINT by itself (matchmaking stops, each room's onBeforeShutdown
 * runs, then it exits). This bounds it: a room or connection that never finishes closing must not
 * keep a deploy waiting until PM2 kills the process without a word.
 */
import type { Logger } from "./logger";

/** Beyond the rooms' drain: time for the last closes, the transport and the presence to finish. */
export const SHUTDOWN_MARGIN_MS = 5000;

export function armShutdownDeadline(drainMs: number, logger: Logger): void {
  const arm = (signal: NodeJS.Signals) => {
    const deadlineMs = drainMs + SHUTDOWN_MARGIN_MS;
    logger.info({ signal, drainMs, deadlineMs }, "shutdown requested");
    setTimeout(() => {
      logger.error({ deadlineMs }, "graceful shutdown did not finish in time, exiting");
      process.exit(1);
    }, deadlineMs).unref();
  };
  process.once("SIGTERM", arm);
  process.once("SIGINT", arm);
}
