/** Every HTTP error answer is written one way: the HttpError table's status and `{"error"}` body. */
import type { ServerResponse } from "node:http";
import type { HttpErrorAnswer } from "../protocol/codes";

/** Writes an error answer on a raw or an Express response (a response already under way is cut). */
export function sendHttpError(res: ServerResponse, answer: HttpErrorAnswer, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(answer.status, { ...headers, "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify({ error: answer.error }));
}
