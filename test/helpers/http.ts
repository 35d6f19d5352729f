/**
 * Plain HTTP requests for the tests of the HTTP limits: JSON answers with their headers, and
 * streamed bodies sent a chunk at a time so a test sees where the server stopped reading.
 */
import { connect } from "node:net";

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

/** A chunked body, once its last (empty) chunk has arrived. */
function dechunk(data: Buffer): string | undefined {
  const parts: Buffer[] = [];
  for (let at = 0; ; ) {
    const line = data.indexOf("\r\n", at);
    if (line < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, line).toString("latin1"), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(parts).toString("utf8");
    if (data.length < line + 2 + size) return undefined;
    parts.push(data.subarray(line + 2, line + 2 + size));
    at = line + 2 + size + 2;
  }
}

/** The status and body of a whole HTTP/1.1 answer in `data`, or undefined while more is to come. */
function parseAnswer(data: Buffer, closed: boolean): { status: number; body: string } | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const head = data.subarray(0, end).toString("latin1");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  const body = data.subarray(end + 4);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const decoded = dechunk(body);
    return decoded === undefined ? undefined : { status, body: decoded };
  }
  if (length === undefined) return closed ? { status, body: body.toString("utf8") } : undefined;
  return body.length >= Number(length) ? { status, body: body.subarray(0, Number(length)).toString("utf8") } : undefined;
}

/**
 * POSTs a body of `totalBytes` to `url` in `chunk`-sized writes (chunked encoding unless
 * `contentLength` is given), honouring back-pressure, and stops writing as soon as an answer
 * arrives. Resolves with the answer; rejects if the connection ends without one. On a raw socket:
 * a server that answers and closes makes the next write fail (EPIPE), and Node's HTTP client would
 * then drop an answer it had received but not yet read.
 */
export function streamBody(
  url: string,
  { totalBytes, chunk, contentLength, holdOpen = false }: { totalBytes: number; chunk: Buffer; contentLength?: number; holdOpen?: boolean },
): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    const { hostname, port, pathname, search } = new URL(url);
    const socket = connect(Number(port), hostname);
    const chunked = contentLength === undefined;
    let sent = 0;
    let answered = false;
    let received = Buffer.alloc(0);
    const settle = (closed: boolean) => {
      const answer = parseAnswer(received, closed);
      if (answer !== undefined) {
        answered = true;
        resolve({ ...answer, sentBytes: sent });
        socket.destroy();
      } else if (closed) {
        reject(new Error(`the connection closed without an answer after ${sent} body bytes`));
      }
    };
    socket.on("data", (data: Buffer) => {
      received = Buffer.concat([received, data]);
      settle(false);
    });
    // Writes after the server closed fail: expected; the answer (if any) is read all the same.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (!answered) settle(true);
    });
    const framing = chunked ? "transfer-encoding: chunked" : `content-length: ${contentLength}`;
    socket.write(`POST ${pathname}${search} HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`);
    const pump = () => {
      while (!answered && !socket.destroyed && sent < totalBytes) {
        const part = chunk.subarray(0, Math.min(chunk.length, totalBytes - sent));
        sent += part.length;
        const framed = chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from("\r\n")]) : part;
        if (!socket.write(framed)) return void socket.once("drain", pump);
      }
      // Held open, the body never ends: only the server's limit can answer it.
      if (!answered && !socket.destroyed && !holdOpen && chunked) socket.write("0\r\n\r\n");
    };
    pump();
  });
}
