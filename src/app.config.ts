/**
 * All wiring: transport limits, the room, HTTP routes, logging. `createAppConfig` takes its
 * settings so tests can boot the same server with a controllable clock or a short grace period.
 */
import config from "@colyseus/tools";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { loadSettingsOrExit, type Settings } from "./config/settings";
import { scaleOutOptions } from "./config/scaleOut";
import { roomRoutes } from "./http/roomRoutes";
import { createLogger, type Logger } from "./logger";
import { jamRoomWith } from "./rooms/JamRoom";
import { JAM_ROOM_NAME } from "./rooms/roomName";

export function createAppConfig(settings: Settings, logger: Logger = createLogger(settings.logLevel)) {
  return config({
    displayLogs: false,
    options: {
      // Colyseus' own log lines go through the same structured logger.
      logger,
      greet: false,
      ...scaleOutOptions(settings),
    },
    initializeTransport: (options) =>
      // Keep `...options`: it carries the HTTP server express is attached to.
      new WebSocketTransport({ ...options, maxPayload: settings.maxPayloadBytes }),
    initializeGameServer: (gameServer) => {
      gameServer.define(JAM_ROOM_NAME, jamRoomWith({ settings, logger }));
    },
    initializeExpress: (app) => {
      app.use(roomRoutes());
    },
  });
}

export default createAppConfig(loadSettingsOrExit());
