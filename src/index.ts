import { listen } from "@colyseus/tools";
import appConfig, { processLogger, settings } from "./app.config";
import { armShutdownDeadline } from "./shutdownDeadline";

armShutdownDeadline(settings.shutdownDrainMs, processLogger);
listen(appConfig).then(
  (server) => processLogger.info({ port: server["port"] }, "listening"),
  (error: unknown) => {
    processLogger.fatal({ err: error }, "could not start");
    process.exit(1);
  },
);
