/**
 * Every Colyseus 0.16 workaround of the HTTP side, in one place.
 *
 * 1. Matchmaking (`POST /matchmake/:method/:room`) does not go through Express: Colyseus' Server
 *    replaces the HTTP server's 'request' listeners with its own (attachMatchMakingRoutes), which
 *    reads the whole body with no limit, serves any Origin, counts nothing, and takes the client
 *    address from spoofable X-Real-IP/X-Forwarded-For headers. `gateRequests` wraps that listener:
 *    every request with a Content-Length over the limit gets 413; a matchmaking POST from a foreign
 *    Origin 403; over its address' budget 429; and its streamed body is counted and cut at the limit.
 * 2. Colyseus calls `options.hasOwnProperty` and JSON-clones the options for a seat reservation;
 *    a key named like an Object.prototype member or deep nesting then fails with a misleading
 *    message. `matchMaker.controller.invokeMethod` is wrapped to refuse such options first.
 *
 * To remove: on a Colyseus whose matchmaking routes are ordinary middleware (0.17+ routes them
 * through its own router), move the gate's checks into middleware in front of that router, check
 * options in the room's static `onAuth` if Colyseus still inspects them first, and delete this file
 * and its one call in app.config.ts.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { matchMaker, type Server } from "@colyseus/core";
import type { Logger } from "../logger";
import { HttpError } from "../protocol/errors";
import { checkOptionsShape } from "../protocol/optionsShape";
import type { ClientAddressOf } from "./clientAddress";
import { sendHttpError } from "./httpErrors";
import type { OriginPolicy } from "./cors";
import { MAX_BODY_BYTES, tooManyRequestsHeaders, type HttpLimits, type RequestLimiter } from "./limits";

export interface GateOptions {
  limits: HttpLimits;
  allowedOrigin: OriginPolicy;
  addressOf: ClientAddressOf;
  logger: Logger;
}

/** Which budget a matchmaking method counts against; `reconnect` (and anything unknown) counts against none. */
function budgetOf(method: string | undefined, limits: HttpLimits): RequestLimiter | undefined {
  if (method === "create" || method === "joinOrCreate") return limits.create;
  if (method === "join" || method === "joinById") return limits.join;
  return undefined;
}

/** The same test Colyseus' listener uses to take a request as matchmaking. */
function isMatchmaking(url: string): boolean {
  return url.indexOf(`/${matchMaker.controller.matchmakeRoute}`) !== -1;
}

/** The method Colyseus will invoke, parsed as Colyseus parses it. */
function methodOf(url: string): string | undefined {
  const parts: string[] = url.match(matchMaker.controller.allowedRoomNameChars) ?? [];
  const at = parts.indexOf(matchMaker.controller.matchmakeRoute);
  return at === -1 ? undefined : parts[at + 1];
}

function corsHeaders(req: IncomingMessage): Record<string, string> {
  return { ...matchMaker.controller.getCorsHeaders(req), "Access-Control-Expose-Headers": "Retry-After" };
}

/** Answers with an error and closes the connection, so an unread body is never read. */
function refuse(res: ServerResponse, answer: (typeof HttpError)[keyof typeof HttpError], headers: Record<string, string> = {}): void {
  sendHttpError(res, answer, { ...headers, Connection: "close" });
}

/** How long a refused body's connection stays open to read and drop what its client still sends. */
const LINGER_MS = 2000;

/**
 * Refuses a body while it is still arriving. Closing a connection with unread data makes the
 * kernel answer with a reset, which can wipe the 413 from the client's receive buffer before it
 * reads it: so the answer goes out on a connection that stays open, what the client still sends is
 * read and dropped, and the connection closes when the client does, or after LINGER_MS.
 */
function refuseBodyInFlight(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): void {
  req.removeAllListeners("data");
  req.removeAllListeners("end");
  req.on("data", () => undefined);
  req.resume();
  const linger = setTimeout(() => req.socket.destroy(), LINGER_MS);
  req.socket.once("close", () => clearTimeout(linger));
  sendHttpError(res, HttpError.REQUEST_TOO_LARGE, headers);
}

/**
 * Runs `pass` (Colyseus' listener, which attaches its own 'data' listener at once) and then stands
 * between the request and that listener: chunks are forwarded only while the body stays within
 * the limit, so Colyseus never buffers more than MAX_BODY_BYTES.
 */
function passWithBoundedBody(req: IncomingMessage, res: ServerResponse, pass: () => void): void {
  const before = new Set(req.listeners("data"));
  pass();
  const theirs = req.listeners("data").filter((listener) => !before.has(listener)) as ((chunk: Buffer) => void)[];
  for (const listener of theirs) req.removeListener("data", listener);
  let received = 0;
  req.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received <= MAX_BODY_BYTES) {
      for (const listener of theirs) listener.call(req, chunk);
      return;
    }
    refuseBodyInFlight(req, res, corsHeaders(req));
  });
}

async function gateMatchmaking(req: IncomingMessage, res: ServerResponse, gate: GateOptions): Promise<boolean> {
  // Preflights and GETs carry no options and create nothing: Colyseus answers them.
  if (req.method !== "POST") return true;
  if (!gate.allowedOrigin(req.headers.origin)) {
    refuse(res, HttpError.ORIGIN_NOT_ALLOWED);
    return false;
  }
  const budget = budgetOf(methodOf(req.url ?? ""), gate.limits);
  if (budget === undefined) return true;
  const verdict = await budget.consume(gate.addressOf(req));
  if (verdict.allowed) return true;
  refuse(res, HttpError.TOO_MANY_REQUESTS, { ...corsHeaders(req), ...tooManyRequestsHeaders(verdict.retryAfterS) });
  return false;
}

/** Wraps the HTTP server's 'request' listeners (Colyseus' matchmaking one, which forwards to Express). */
function gateRequests(server: NonNullable<Server["transport"]["server"]>, gate: GateOptions): void {
  const listeners = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const pass = () => {
      for (const listener of listeners) listener.call(server, req, res);
    };
    // Express routes: the declared length is enough, their own parsers read the body.
    if (Number(req.headers["content-length"]) > MAX_BODY_BYTES) return refuse(res, HttpError.REQUEST_TOO_LARGE);
    if (!isMatchmaking(req.url ?? "")) return pass();
    gateMatchmaking(req, res, gate).then(
      (allowed) => {
        if (allowed && !res.headersSent && !req.destroyed) passWithBoundedBody(req, res, pass);
      },
      (error: unknown) => {
        gate.logger.error({ err: error }, "matchmaking request gate failed");
        res.destroy();
      },
    );
  });
}

/** The controller method Colyseus' listener calls with the parsed body; kept to wrap it (again) per server. */
const originalInvokeMethod = matchMaker.controller.invokeMethod;

function checkOptionsFirst(): void {
  matchMaker.controller.invokeMethod = function (method, roomName, clientOptions, authOptions) {
    // A throw here reaches the client as `{code, error}`: colyseus.js rejects with that code.
    checkOptionsShape(clientOptions);
    return originalInvokeMethod.call(this, method, roomName, clientOptions, authOptions);
  };
}

export function installColyseusWorkarounds(gameServer: Server, gate: GateOptions): void {
  checkOptionsFirst();
  const server = gameServer.transport.server;
  if (server === undefined) throw new Error("the transport has no HTTP server to guard");
  gateRequests(server, gate);
  gate.limits.start();
  server.once("close", () => void gate.limits.stop());
}
