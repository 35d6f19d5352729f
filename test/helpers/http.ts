/**
 * Plain HTTP requests for the tests of the HTTP limits: JSON answers with their headers, and
 * streamed bodies sent a chunk at a time so a test sees where the server stopped reading.
 */
import { request } from "node:http";

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A request to `base + path`; the answer's JSON (or text) body, never a throw on a status. */
export async function send(
  base: string,
  path: string,
  { method = "GET", headers = {}, json }: { method?: string; headers?: Record<string, string>; json?: unknown } = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: json === undefined ? headers : { "content-type": "application/json", ...headers } };
  if (json !== undefined) init.body = JSON.stringify(json);
  const response = await fetch(base + path, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the text itself is what the test compares.
  }
  return { status: response.status, headers: response.headers, body };
}

export interface StreamedAnswer {
  status: number;
  body: string;
  /** Body bytes the client had handed to its socket when the answer came. */
  sentBytes: number;
}

/**
 * POSTs a body of `totalBytes` to `url` in `chunk`-sized writes (chunked encoding unless
 * `contentLength` is given), honouring back-pressure, and stops writing as soon as an answer
 * arrives. Resolves with the answer; rejects if the connection ends without one.
 */
export function streamBody(
  url: string,
  { totalBytes, chunk, contentLength, holdOpen = false }: { totalBytes: number; chunk: Buffer; contentLength?: number; holdOpen?: boolean },
): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (contentLength !== undefined) headers["content-length"] = String(contentLength);
    const req = request(url, { method: "POST", headers });
    let sent = 0;
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8"), sentBytes: sent }));
      res.on("error", reject);
    });
    // After the answer the server closes the connection while we may still be writing: expected.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && sent < totalBytes) {
        const part = chunk.subarray(0, Math.min(chunk.length, totalBytes - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once("drain", pump);
      }
      // Held open, the body never ends: only the server's limit can answer it.
      if (!answered && !holdOpen) req.end();
    };
    pump();
  });
}
