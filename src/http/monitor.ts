/**
 * `@colyseus/monitor` at `/colyseus`, behind HTTP basic auth. Its API can dispose any room and kick
 * any client, so without a password it is not mounted at all.
 */
import { monitor } from "@colyseus/monitor";
import type { Express } from "express";
import basicAuth from "express-basic-auth";
import type { Settings } from "../config/settings";
import type { Logger } from "../logger";

export const MONITOR_PATH = "/colyseus";

export function mountMonitor(app: Express, settings: Pick<Settings, "monitorUser" | "monitorPassword">, logger: Logger): void {
  if (settings.monitorPassword === undefined) {
    logger.info(`monitor not mounted: set MONITOR_PASSWORD (and MONITOR_USER) to serve it at ${MONITOR_PATH}`);
    return;
  }
  const auth = basicAuth({
    users: { [settings.monitorUser]: settings.monitorPassword },
    challenge: true,
    realm: "jam-server monitor",
  });
  app.use(MONITOR_PATH, auth, monitor());
  logger.info({ path: MONITOR_PATH, user: settings.monitorUser }, "monitor mounted behind basic auth");
}
