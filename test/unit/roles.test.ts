import assert from "node:assert/strict";
import { LISTENER_MESSAGE_TYPES, listenerRefusal, mayDriveTransport, nextHost, type HostCandidate } from "../../src/rules/roles";
import { MESSAGE_TYPES } from "../../src/protocol/messages";

describe("roles > nextHost", () => {
  it("picks the longest-present connected participant", () => {
    const candidates: HostCandidate[] = [
      { id: "late", joinedAt: 3000, connected: true },
      { id: "early", joinedAt: 1000, connected: true },
      { id: "middle", joinedAt: 2000, connected: true },
    ];
    assert.equal(nextHost(candidates), "early");
  });

  it("passes over a longer-present participant who is disconnected (in reconnection grace)", () => {
    const candidates: HostCandidate[] = [
      { id: "gone", joinedAt: 1000, connected: false },
      { id: "late", joinedAt: 3000, connected: true },
      { id: "middle", joinedAt: 2000, connected: true },
    ];
    assert.equal(nextHost(candidates), "middle");
  });

  it("falls back to the longest-present participant when nobody is connected", () => {
    const candidates: HostCandidate[] = [
      { id: "b", joinedAt: 2000, connected: false },
      { id: "a", joinedAt: 1000, connected: false },
      { id: "c", joinedAt: 3000, connected: false },
    ];
    assert.equal(nextHost(candidates), "a");
  });

  it("picks the only connected participant even if everyone else has been there longer", () => {
    const candidates: HostCandidate[] = [
      { id: "a", joinedAt: 1000, connected: false },
      { id: "b", joinedAt: 2000, connected: false },
      { id: "newcomer", joinedAt: 9000, connected: true },
    ];
    assert.equal(nextHost(candidates), "newcomer");
  });

  it("gives a tie on joinedAt to the earlier entry", () => {
    const candidates: HostCandidate[] = [
      { id: "first", joinedAt: 1000, connected: true },
      { id: "second", joinedAt: 1000, connected: true },
    ];
    assert.equal(nextHost(candidates), "first");
  });

  it("picks the only participant of a one-person room", () => {
    assert.equal(nextHost([{ id: "solo", joinedAt: 5, connected: true }]), "solo");
  });

  it("is undefined for an empty room", () => {
    assert.equal(nextHost([]), undefined);
  });
});

describe("roles > mayDriveTransport", () => {
  it('lets only the host drive the transport under the "host" policy', () => {
    assert.equal(mayDriveTransport("host", true), true);
    assert.equal(mayDriveTransport("host", false), false);
  });

  it('lets everyone drive the transport under the "everyone" policy', () => {
    assert.equal(mayDriveTransport("everyone", true), true);
    assert.equal(mayDriveTransport("everyone", false), true);
  });
});

describe("roles > listenerRefusal", () => {
  it("lets a listener send chat and ping", () => {
    assert.equal(listenerRefusal("chat"), null);
    assert.equal(listenerRefusal("ping"), null);
  });

  it("refuses every other message type of the protocol with NOT_ALLOWED, naming it", () => {
    const others = MESSAGE_TYPES.filter((type) => !LISTENER_MESSAGE_TYPES.has(type));
    assert.ok(others.length >= 16, `only ${others.length} other types`);
    for (const type of others) {
      const refusal = listenerRefusal(type);
      assert.equal(refusal?.code, "NOT_ALLOWED", type);
      assert.match(refusal?.reason ?? "", new RegExp(type), type);
    }
  });

  it("refuses a type the protocol may add later (record, restoreVersion) without a change here", () => {
    assert.equal(listenerRefusal("record")?.code, "NOT_ALLOWED");
    assert.equal(listenerRefusal("restoreVersion")?.code, "NOT_ALLOWED");
  });
});
