// @colyseus/tools loads .env files when it is imported: settings are read after it.
import { listen } from "@colyseus/tools";
import { createAppConfig } from "./app.config";
import { loadSettingsOrExit } from "./config/settings";
import { createLogger } from "./logger";
import { armShutdownDeadline } from "./shutdownDeadline";

const settings = loadSettingsOrExit();
const logger = createLogger(settings.logLevel);
armShutdownDeadline(settings.shutdownDrainMs, logger);
listen(createAppConfig(settings, logger)).then(
  () => logger.info({ port: settings.processPort }, "listening"),
  (error: unknown) => {
    logger.fatal({ err: error }, "could not start");
    process.exit(1);
  },
);
