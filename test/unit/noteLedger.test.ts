import assert from "node:assert/strict";
import { NoteLedger } from "../../loadtest/soak/noteLedger";

/** A sender that has sent seqs 1…`count`. */
function senderWith(count: number): NoteLedger {
  const sender = new NoteLedger();
  for (let seq = 1; seq <= count; seq++) sender.sent(sender.nextSeq);
  return sender;
}

/** A receiver that connected before sender "s" sent anything. */
function connectedPair(): { sender: NoteLedger; receiver: NoteLedger } {
  const sender = new NoteLedger();
  const receiver = new NoteLedger();
  receiver.connected([{ sessionId: "s", ledger: sender }]);
  return { sender, receiver };
}

describe("noteLedger > receive", () => {
  it("counts a gap in a sender's seqs as lost", () => {
    const { sender, receiver } = connectedPair();
    for (let i = 0; i < 5; i++) sender.sent(sender.nextSeq);
    assert.deepEqual(receiver.receive("s", sender, 1), { kind: "inOrder", gap: undefined });
    assert.deepEqual(receiver.receive("s", sender, 4), { kind: "inOrder", gap: { from: 2, to: 3, lost: 2, excused: 0 } });
  });

  it("excuses a gap the sender may have lost in a drop (after its last confirmed seq)", () => {
    const { sender, receiver } = connectedPair();
    for (let i = 0; i < 2; i++) sender.sent(sender.nextSeq);
    sender.confirm(2);
    for (let i = 0; i < 3; i++) sender.sent(sender.nextSeq);
    sender.markUncertain();
    sender.sent(sender.nextSeq);
    assert.ok(sender.isExcused(3) && sender.isExcused(5) && !sender.isExcused(2) && !sender.isExcused(6));
    receiver.receive("s", sender, 2);
    assert.deepEqual(receiver.receive("s", sender, 6), { kind: "inOrder", gap: { from: 3, to: 5, lost: 0, excused: 3 } });
  });

  it("counts a seq that arrives again, or late, as a duplicate", () => {
    const sender = senderWith(3);
    const receiver = new NoteLedger();
    receiver.receive("s", sender, 1);
    receiver.receive("s", sender, 3);
    assert.deepEqual(receiver.receive("s", sender, 3), { kind: "duplicate", lastSeq: 3 });
    assert.deepEqual(receiver.receive("s", sender, 2), { kind: "duplicate", lastSeq: 3 });
  });

  it("expects nothing sent before the receiver connected", () => {
    const sender = senderWith(10);
    const receiver = new NoteLedger();
    receiver.connected([{ sessionId: "s", ledger: sender }]);
    sender.sent(sender.nextSeq);
    assert.deepEqual(receiver.receive("s", sender, 11), { kind: "inOrder", gap: undefined });
  });

  it("expects nothing a rejoined sender sent before its new session began", () => {
    const sender = senderWith(7);
    sender.startSession();
    sender.sent(sender.nextSeq);
    const receiver = new NoteLedger();
    assert.deepEqual(receiver.receive("s2", sender, 8), { kind: "inOrder", gap: undefined });
  });
});

describe("noteLedger > tail", () => {
  it("counts what a sender sent after the last seq that arrived as lost", () => {
    const { sender, receiver } = connectedPair();
    for (let i = 0; i < 4; i++) sender.sent(sender.nextSeq);
    receiver.receive("s", sender, 1);
    receiver.receive("s", sender, 2);
    assert.deepEqual(receiver.tail("s", sender), { from: 3, to: 4, lost: 2, excused: 0 });
  });

  it("finds nothing missing once everything arrived", () => {
    const { sender, receiver } = connectedPair();
    sender.sent(sender.nextSeq);
    receiver.receive("s", sender, 1);
    assert.equal(receiver.tail("s", sender), undefined);
  });
});
