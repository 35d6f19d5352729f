/**
 * How the jam server is launched in production: node with the flags PM2 gives it
 * (ecosystem.config.js `node_args`, the same as `npm start`), so what is measured is what runs.
 */
import { resolve } from "node:path";
import { REPO_ROOT } from "./serverEnv";

export function serverNodeArgs(): string[] {
  const loaded: unknown = require(resolve(REPO_ROOT, "ecosystem.config.js"));
  const app: unknown =
    typeof loaded === "object" && loaded !== null && "apps" in loaded && Array.isArray(loaded.apps) ? loaded.apps[0] : undefined;
  const args: unknown = typeof app === "object" && app !== null && "node_args" in app ? app.node_args : [];
  if (!Array.isArray(args) || !args.every((arg): arg is string => typeof arg === "string")) {
    throw new Error("ecosystem.config.js: node_args must be a list of strings");
  }
  return args;
}
