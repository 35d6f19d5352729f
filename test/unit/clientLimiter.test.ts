import assert from "node:assert/strict";
import { ClientLimiter, RATE_NOTICE_INTERVAL_MS, type Admission } from "../../src/rules/clientLimiter";

type Kind = "note" | "chat" | "frozen";

function limiter(): ClientLimiter<Kind> {
  return new ClientLimiter<Kind>({
    note: { ratePerS: 50, burst: 100 },
    chat: { ratePerS: 5, burst: 5 },
    // Never refills: every admit after the first is over the limit.
    frozen: { ratePerS: 0, burst: 1 },
  });
}

function admitMany(l: ClientLimiter<Kind>, kind: Kind, now: number, count: number): Admission[] {
  const out: Admission[] = [];
  for (let i = 0; i < count; i++) out.push(l.admit(kind, now));
  return out;
}

describe("clientLimiter > admit", () => {
  it("accepts a full burst of notes", () => {
    const l = limiter();
    assert.deepEqual(new Set(admitMany(l, "note", 1000, 100)), new Set(["accept"]));
  });

  it("drops the first excess message and says to notify the sender", () => {
    const l = limiter();
    admitMany(l, "chat", 1000, 5);
    assert.equal(l.admit("chat", 1000), "drop-and-notify");
  });

  it("drops further excess without another notice within the same second", () => {
    const l = limiter();
    admitMany(l, "chat", 1000, 5);
    assert.equal(l.admit("chat", 1000), "drop-and-notify");
    assert.equal(l.admit("chat", 1000), "drop");
    assert.equal(l.admit("chat", 1100), "drop");
  });

  it("refills at the rate after the burst: chat 5 a second", () => {
    const l = limiter();
    admitMany(l, "chat", 1000, 5);
    assert.equal(l.admit("chat", 1100), "drop-and-notify"); // 0.5 tokens
    assert.equal(l.admit("chat", 1300), "accept"); // 1.5 tokens
    assert.equal(l.admit("chat", 1300), "drop");
  });

  it("notifies at most once a second however hard the client floods", () => {
    const l = limiter();
    assert.equal(l.admit("frozen", 0), "accept");
    const notices: number[] = [];
    for (let now = 1; now <= 3500; now += 1) {
      if (l.admit("frozen", now) === "drop-and-notify") notices.push(now);
    }
    assert.deepEqual(notices, [1, 1 + RATE_NOTICE_INTERVAL_MS, 1 + 2 * RATE_NOTICE_INTERVAL_MS, 1 + 3 * RATE_NOTICE_INTERVAL_MS]);
  });

  it("notifies again exactly one second after the previous notice, not before", () => {
    const l = limiter();
    l.admit("frozen", 0);
    assert.equal(l.admit("frozen", 10), "drop-and-notify");
    assert.equal(l.admit("frozen", 1009), "drop");
    assert.equal(l.admit("frozen", 1010), "drop-and-notify");
  });

  it("shares the once-a-second notice across kinds of message", () => {
    const l = limiter();
    l.admit("frozen", 0);
    admitMany(l, "chat", 0, 5);
    assert.equal(l.admit("frozen", 10), "drop-and-notify");
    assert.equal(l.admit("chat", 20), "drop");
  });

  it("keeps a separate budget for each kind of message", () => {
    const l = limiter();
    admitMany(l, "chat", 1000, 5);
    assert.equal(l.admit("chat", 1000), "drop-and-notify");
    assert.equal(l.admit("note", 1000), "accept");
  });

  it("keeps separate budgets for separate clients", () => {
    const a = limiter();
    const b = limiter();
    admitMany(a, "chat", 1000, 6);
    assert.equal(b.admit("chat", 1000), "accept");
  });

  it("starts a kind's bucket full on its first message, whenever that is", () => {
    const l = limiter();
    assert.deepEqual(new Set(admitMany(l, "chat", 5_000_000, 5)), new Set(["accept"]));
    assert.equal(l.admit("chat", 5_000_000), "drop-and-notify");
  });
});
