/**
 * Helpers for lifecycle and HTTP tests: refused create/join assertions, HTTP reads, waiting for a
 * server-side room to be disposed, dropping a connection the way a network failure would.
 */
import assert from "node:assert/strict";
import type { Client, Room as ServerRoom } from "@colyseus/core";
import type { Room } from "colyseus.js";
import type { JamTestServer } from "./server";

/**
 * An `assert.rejects` validator for a refused create/join: the rejection carries `code` and a
 * message matching `words`.
 */
export function refusal(code: number, words: RegExp): (error: unknown) => true {
  return (error: unknown) => {
    assert.ok(error instanceof Error, `rejects with an Error, got ${String(error)}`);
    assert.equal((error as Error & { code?: unknown }).code, code, `code of "${error.message}"`);
    assert.match(error.message, words);
    return true;
  };
}

export interface HttpAnswer<T> {
  status: number;
  contentType: string | null;
  body: T;
}

/** GET `path` on the test server's HTTP port; never throws on a 4xx/5xx status. */
export async function getJson<T = unknown>(server: JamTestServer, path: string): Promise<HttpAnswer<T>> {
  const response = await fetch(server.endpoint.replace(/^ws/, "http") + path);
  const contentType = response.headers.get("content-type");
  const body = (await response.json()) as T;
  return { status: response.status, contentType, body };
}

/**
 * Resolves once the server-side room is disposed (after its `onDispose` has finished). Subscribe
 * before doing what should dispose it.
 */
export function roomDisposed(room: ServerRoom, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`room ${room.roomId} not disposed within ${timeoutMs} ms`)), timeoutMs);
    room._events.once("disconnect", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Closes the connection without a consented leave (as a network failure would); resolves with the close code. */
export function drop(room: Room): Promise<number> {
  return room.leave(false);
}

/**
 * Resolves once the server-side room has finished processing the leave of `sessionId` (for a drop:
 * once its reconnection grace is over without a reconnection). Subscribe before the leave.
 */
export function clientLeft(room: ServerRoom, sessionId: string, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`leave of ${sessionId} not processed within ${timeoutMs} ms`)), timeoutMs);
    const listener = (client: Client) => {
      if (client.sessionId !== sessionId) return;
      clearTimeout(timer);
      room._events.off("leave", listener);
      resolve();
    };
    room._events.on("leave", listener);
  });
}
