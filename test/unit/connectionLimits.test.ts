import assert from "node:assert/strict";
import { connectionVerdict } from "../../src/rules/connectionLimits";

describe("rules > connectionVerdict", () => {
  const limits = { maxBufferedBytes: 1024, joinDeadlineMs: 10_000 };

  it("lets a joined connection with little unread data be", () => {
    assert.equal(connectionVerdict({ pendingBytes: 1024, joining: false, waitedMs: 60_000 }, limits), "ok");
  });

  it("calls a connection over the buffer limit slow, joined or not", () => {
    assert.equal(connectionVerdict({ pendingBytes: 1025, joining: false, waitedMs: 0 }, limits), "slow");
    assert.equal(connectionVerdict({ pendingBytes: 1025, joining: true, waitedMs: 0 }, limits), "slow");
  });

  it("calls a connection still joining at the deadline half-joined, whatever it holds", () => {
    assert.equal(connectionVerdict({ pendingBytes: 0, joining: true, waitedMs: 9_999 }, limits), "ok");
    assert.equal(connectionVerdict({ pendingBytes: 0, joining: true, waitedMs: 10_000 }, limits), "half-joined");
    assert.equal(connectionVerdict({ pendingBytes: 5000, joining: true, waitedMs: 10_000 }, limits), "half-joined");
  });
});
