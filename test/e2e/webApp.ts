/**
 * The example app (examples/react) for browser tests: built with its own Vite against a given jam
 * server, served from a tiny static server with the single-page fallback (`/jam/:code` → index.html),
 * and the Chromium that drives it; `startAppUnderTest` puts the three together with an in-process
 * jam server.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import type { Settings } from "../../src/config/settings";
import type { JamStore } from "../../src/storage/jamStore";
import { bootJamServer, memoryStore, type JamTestServer } from "../helpers/server";

export const APP_DIR = resolve(__dirname, "..", "..", "examples", "react");
const VITE_BIN = join(APP_DIR, "node_modules", "vite", "bin", "vite.js");

/** Debian's Chromium (`apt-get install -y chromium`); overridable for other machines. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Headless, and quiet on a machine with a closed network: no sandbox (root in CI), no GPU, none of
 * Chromium's own background connections. Playwright adds `--headless` and a new, empty
 * `--user-data-dir` of its own for every launch (and deletes it on close).
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/** Why browser tests cannot run here, or undefined when they can. */
export function missingPrerequisite(): string | undefined {
  if (!existsSync(CHROMIUM_PATH)) {
    return (
      `Chromium is not installed at ${CHROMIUM_PATH}. Install Debian's package: ` +
      "`apt-get update && apt-get install -y --no-install-recommends chromium` " +
      "(or set CHROMIUM_PATH, or SKIP_BROWSER_TESTS=1 to skip the browser tests). " +
      "Do not let a test tool download a browser."
    );
  }
  if (!existsSync(VITE_BIN)) {
    return "The example app's dependencies are missing: run `npm install` at the repository root (its postinstall installs examples/react), or `npm install --prefix examples/react`.";
  }
  return undefined;
}

/** Builds the app into a new temporary folder, pointed at `jamServer` (e.g. "ws://127.0.0.1:2700"). */
export async function buildApp(jamServer: string): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), "jam-app-"));
  const args = [VITE_BIN, "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"];
  const output: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: APP_DIR,
      env: { ...process.env, VITE_JAM_SERVER: jamServer },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.on("error", fail);
    child.on("exit", done);
  });
  if (code !== 0) {
    await rm(outDir, { recursive: true, force: true });
    throw new Error(`vite build failed (exit ${code}):\n${output.join("")}`);
  }
  return outDir;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1 (a free port); paths without a file extension get index.html. */
export async function serveStatic(dir: string): Promise<StaticSite> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    const file = extname(path) === "" ? "index.html" : normalize(path).replace(/^([/\\]|\.\.)+/, "");
    readFile(join(dir, file)).then(
      (body) => {
        response.writeHead(200, { "Content-Type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream" });
        response.end(body);
      },
      () => {
        response.writeHead(404, { "Content-Type": "text/plain" });
        response.end("not found");
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Each wait for something to show up on a page. */
export const UI_TIMEOUT_MS = 5000;

/** A jam server in this process, the app built against it and served, and Chromium. */
export interface AppUnderTest {
  server: JamTestServer;
  site: StaticSite;
  browser: Browser;
  /** What any page opened with `openPage` threw. */
  pageErrors: string[];
  /** A page in a browser profile of its own (its own storage: another person), with short waits. */
  openPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Boots a jam server with `settings` (and `store`, default in memory) on a free port, builds and
 * serves the app for it, launches Chromium.
 */
export async function startAppUnderTest(settings: Partial<Settings>, store: JamStore = memoryStore()): Promise<AppUnderTest> {
  const missing = missingPrerequisite();
  if (missing !== undefined) throw new Error(missing);
  const server = await bootJamServer(settings, await freePort(), store);
  const opened: { appDir?: string; site?: StaticSite; browser?: Browser } = {};
  const close = async () => {
    await opened.browser?.close();
    await opened.site?.close();
    if (opened.appDir !== undefined) await rm(opened.appDir, { recursive: true, force: true });
    await server.colyseus.shutdown();
  };
  try {
    opened.appDir = await buildApp(server.endpoint);
    const site = await serveStatic(opened.appDir);
    opened.site = site;
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, chromiumSandbox: false });
    opened.browser = browser;
    const pageErrors: string[] = [];
    const openPage = async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(UI_TIMEOUT_MS);
      const page = await context.newPage();
      page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
      return page;
    };
    return { server, site, browser, pageErrors, openPage, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The participant row of `name` on `page`. */
export function participantRow(page: Page, name: string): Locator {
  return page.getByRole("list", { name: "Participants" }).getByRole("listitem").filter({ hasText: name });
}
