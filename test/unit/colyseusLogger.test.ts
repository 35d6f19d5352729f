import assert from "node:assert/strict";
import { colyseusLogger } from "../../src/observability/colyseusLogger";
import { CapturedLog } from "../helpers/capturedLog";

/** A pino logger writing JSON lines into an array. */
function capturingLogger() {
  return new CapturedLog<{ level: number; msg: string; component?: string; clientFault?: boolean }>("trace");
}

const WARN = 40;
const ERROR = 50;

describe("colyseusLogger", () => {
  it("logs what a client caused (an oversized frame, bytes that are not msgpack) at warn, not error", () => {
    const { logger, lines } = capturingLogger();
    const log = colyseusLogger(logger);
    log.error("RangeError: Max payload size exceeded\n    at Receiver.haveLength");
    log.error(new Error("Data read, but end of buffer not reached 60"));
    assert.deepEqual(
      lines.map(({ level, clientFault }) => ({ level, clientFault })),
      [
        { level: WARN, clientFault: true },
        { level: WARN, clientFault: true },
      ],
    );
  });

  it("keeps the server's own errors at error, with their stack, marked as Colyseus'", () => {
    const { logger, lines } = capturingLogger();
    colyseusLogger(logger).error(new Error("presence went away"));
    assert.equal(lines[0]?.level, ERROR);
    assert.equal(lines[0]?.component, "colyseus");
    assert.match(lines[0]?.msg ?? "", /presence went away\n\s+at /);
  });

  it("joins a format string and its values into one line", () => {
    const { logger, lines } = capturingLogger();
    colyseusLogger(logger).info("listening on", 2567);
    assert.equal(lines[0]?.msg, "listening on 2567");
  });
});
