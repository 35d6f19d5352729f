/**
 * The environment a server process started by the tooling (tests, bench, soak, fault scripts) gets:
 * the caller's, minus every variable the server reads, so a developer's REDIS_URL or JWT_SECRET
 * cannot change what a test or a measurement sees. Each tool then sets what it means to.
 */
import { resolve } from "node:path";
import { SETTINGS_VARIABLES } from "../src/config/settings";

/** The repository root: servers run from there, as `npm run dev` and `npm start` would. */
export const REPO_ROOT = resolve(__dirname, "..");

/**
 * The variables the server reads: its settings schema, plus those read outside it — REDIS_URI and
 * COLYSEUS_CLOUD by @colyseus/tools, TEST_PORT by the test boot.
 */
export const SERVER_VARIABLES: readonly string[] = [...SETTINGS_VARIABLES, "REDIS_URI", "COLYSEUS_CLOUD", "TEST_PORT"];

/** This process's environment without any of the server's variables. */
export function scrubbedEnvironment(): NodeJS.ProcessEnv {
  const inherited = { ...process.env };
  for (const name of SERVER_VARIABLES) delete inherited[name];
  return inherited;
}
