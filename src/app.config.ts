/**
 * All wiring: transport limits, scale-out, the room, HTTP routes, metrics, monitor, logging.
 * `createAppConfig` takes its settings so tests can boot the same server with a controllable clock
 * or a short grace period.
 */
import { matchMaker } from "@colyseus/core";
import config from "@colyseus/tools";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { scaleOut } from "./config/scaleOut";
import type { Settings } from "./config/settings";
import { clientAddressOf } from "./http/clientAddress";
import { installColyseusWorkarounds } from "./http/colyseusWorkarounds";
import { applyMatchmakingCors, originPolicy, rejectForeignOrigins } from "./http/cors";
import { httpLimits, limitRequests } from "./http/limits";
import { metricsRoute } from "./http/metricsRoute";
import { mountMonitor } from "./http/monitor";
import { jamFileRoutes } from "./http/jamFileRoutes";
import { jamRoutes } from "./http/jamRoutes";
import { roomRoutes } from "./http/roomRoutes";
import { createLogger, type Logger } from "./logger";
import { colyseusLogger } from "./observability/colyseusLogger";
import { DependencyStatus } from "./observability/dependencyStatus";
import { liveCounts } from "./observability/liveCounts";
import { JamMetrics } from "./observability/metrics";
import { jamRoomWith } from "./rooms/configuredJamRoom";
import { processTimer, RECORDING_BATCH_EVERY_MS, RecordingWriter } from "./rooms/recordingWriter";
import { JAM_ROOM_NAME } from "./rooms/roomName";
import { SWEEP_EVERY_MS, scheduleExpirySweeps, sweepLock } from "./storage/expirySweep";
import type { JamStore } from "./storage/jamStore";
import { TrackedJamStore } from "./storage/trackedJamStore";

/** `jamStore` is migrated already (see index.ts); the server closes it when it shuts down. */
export function createAppConfig(settings: Settings, logger: Logger = createLogger(settings.logLevel), jamStore: JamStore) {
  const metrics = new JamMetrics(liveCounts);
  const allowedOrigin = originPolicy(settings.corsOrigins);
  const dependencies = new DependencyStatus();
  const store = new TrackedJamStore(jamStore);
  dependencies.register("database", store);
  metrics.trackSavedJams(() => store.count());
  const shared = scaleOut(settings, logger, dependencies);
  const limits = httpLimits(settings, shared.redis, logger);
  const addressOf = clientAddressOf(settings.trustProxy);
  return config({
    displayLogs: false,
    options: {
      logger: colyseusLogger(logger),
      greet: false,
      ...shared.options,
    },
    initializeTransport: (options) => {
      // Here, not in initializeExpress: @colyseus/tools adds a CORS middleware that grants every
      // origin (and answers preflights itself) between the two.
      options.app.use(rejectForeignOrigins(allowedOrigin));
      // Keep `...options`: it carries the HTTP server express is attached to.
      return new WebSocketTransport({
        ...options,
        maxPayload: settings.maxPayloadBytes,
        // Colyseus' default pings every 3 s and closes after two unanswered: a vanished client is
        // noticed within 9 s. One ping every 4.5 s (the default), closed when it goes unanswered,
        // notices it as late at worst with a third fewer pings, each a write and a read.
        pingInterval: settings.pingIntervalMs,
        pingMaxRetries: 1,
        verifyClient: (info, accept) => accept(allowedOrigin(info.origin)),
      });
    },
    initializeGameServer: (gameServer) => {
      applyMatchmakingCors(allowedOrigin, settings.corsOrigins);
      installColyseusWorkarounds(gameServer, { limits, allowedOrigin, addressOf, logger });
      const recordings = new RecordingWriter({ store, metrics, logger, everyMs: RECORDING_BATCH_EVERY_MS, every: processTimer });
      liveCounts.track(gameServer.define(JAM_ROOM_NAME, jamRoomWith({ settings, logger, metrics, store, recordings })));
      const stopSweeps = scheduleExpirySweeps({
        store,
        ttlDays: settings.jamTtlDays,
        now: settings.now,
        takeLock: sweepLock(() => matchMaker.presence, SWEEP_EVERY_MS / 1000),
        logger,
      });
      // After every room was disposed, so after every room saved its jam.
      gameServer.onShutdown(() => {
        stopSweeps();
        return store.close();
      });
    },
    initializeExpress: (app) => {
      app.set("trust proxy", settings.trustProxy ?? false);
      const lookupLimit = limitRequests(limits.join, addressOf);
      app.use(roomRoutes(dependencies, lookupLimit));
      app.use(jamRoutes(store, lookupLimit));
      app.use(jamFileRoutes(store, lookupLimit));
      app.use(metricsRoute(metrics));
      mountMonitor(app, settings, logger);
    },
  });
}
