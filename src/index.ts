// @colyseus/tools loads .env files when it is imported: settings are read after it.
import { listen } from "@colyseus/tools";
import { createAppConfig } from "./app.config";
import { loadSettingsOrExit } from "./config/settings";
import { createLogger } from "./logger";
import { keepOnlyColyseusPm2Metrics } from "./observability/pm2Metrics";
import { armShutdownDeadline } from "./shutdownDeadline";
import { openJamStore } from "./storage/openJamStore";

const settings = loadSettingsOrExit();
const logger = createLogger(settings.logLevel);
armShutdownDeadline(settings.shutdownDrainMs, logger);
keepOnlyColyseusPm2Metrics();

async function start(): Promise<void> {
  const store = openJamStore(settings, logger);
  // Migrated before the first room can open a saved jam or save one.
  await store.migrate();
  await listen(createAppConfig(settings, logger, store));
}

start().then(
  () => logger.info({ port: settings.processPort }, "listening"),
  (error: unknown) => {
    logger.fatal({ err: error }, "could not start");
    process.exit(1);
  },
);
