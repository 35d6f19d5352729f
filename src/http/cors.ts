/**
 * CORS_ORIGINS: which web origins may use this server. @colyseus/tools answers every origin on the
 * express routes and Colyseus on matchmaking, so the allow-list is applied in three places:
 * express routes (403 for another origin), matchmaking (its CORS headers) and WebSocket upgrades.
 * Requests without an Origin header (servers, native apps, curl) are not browsers and pass.
 */
import type { IncomingMessage } from "node:http";
import { matchMaker } from "@colyseus/core";
import type { RequestHandler } from "express";
import { HttpError } from "../protocol/errors";
import { sendHttpError } from "./httpErrors";

export type OriginPolicy = (origin: string | undefined) => boolean;

export function originPolicy(allowed: readonly string[] | undefined): OriginPolicy {
  if (allowed === undefined) return () => true;
  // "null" (sandboxed frames, file: pages) is never an allowed origin, whatever the list says.
  const set = new Set(allowed.map((origin) => new URL(origin).origin).filter((origin) => origin !== "null"));
  return (origin) => origin === undefined || set.has(origin);
}

export function rejectForeignOrigins(allowed: OriginPolicy): RequestHandler {
  return (req, res, next) => {
    if (allowed(req.headers.origin)) return next();
    sendHttpError(res, HttpError.ORIGIN_NOT_ALLOWED);
  };
}

/** Matchmaking's CORS headers: a foreign origin is answered with an origin that is not its own. */
export function applyMatchmakingCors(allowed: OriginPolicy, allowList: readonly string[] | undefined): void {
  matchMaker.controller.getCorsHeaders = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    const answer = allowed(origin) ? (origin ?? "*") : (allowList?.[0] ?? "null");
    return { "Access-Control-Allow-Origin": answer, Vary: "Origin" };
  };
}
