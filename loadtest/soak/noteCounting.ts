/**
 * Notes as a soak client receives them: each checked (right room, not its own, intact), its latency
 * measured, and its seq put to the receiver's note ledger; lost and excused gaps counted.
 */
import type { SoakClient } from "./client";
import { isRecord, NOTE_LEAD_MS, noteFor, velocityFor } from "./messages";
import type { Gap } from "./noteLedger";
import { example, latency, stats } from "./stats";

/** Every session id a soak client ever had → that client (a rejoin gets a new one). */
export const sessions = new Map<string, SoakClient>();

/** A `note` message arrived at `receiver`. */
export function countNote(receiver: SoakClient, message: unknown): void {
  if (!isRecord(message)) {
    stats.notesCorrupt++;
    example("corrupt", `not an object: ${JSON.stringify(message)}`);
    return;
  }
  const senderId = message.senderId;
  const sender = typeof senderId === "string" ? sessions.get(senderId) : undefined;
  if (sender === undefined || sender.group !== receiver.group || sender === receiver) {
    stats.notesMisrouted++;
    example(
      "misrouted",
      `${receiver.name} in ${receiver.group.code} got ${JSON.stringify(message)} from ${sender?.name ?? "unknown"} in ${sender?.group.code ?? "?"}`,
    );
    return;
  }
  const seq = message.seq;
  if (seq === undefined) {
    stats.floodNotesDelivered++;
    return;
  }
  if (
    typeof seq !== "number" ||
    message.note !== noteFor(seq) ||
    message.velocity !== velocityFor(seq) ||
    typeof message.at !== "number" ||
    typeof message.instrument !== "string" ||
    message.on !== true
  ) {
    stats.notesCorrupt++;
    example("corrupt", JSON.stringify(message));
    return;
  }
  stats.notesDelivered++;
  const sentAt = message.at - NOTE_LEAD_MS;
  const lat = Date.now() + receiver.pings.serverOffsetMs - sentAt;
  latency.total.add(lat);
  latency.window.add(lat);

  const receipt = receiver.ledger.receive(senderId as string, sender.ledger, seq);
  if (receipt.kind === "duplicate") {
    stats.notesDuplicated++;
    example("duplicate", `${receiver.name} got seq ${seq} from ${sender.name} after ${receipt.lastSeq}`);
  } else if (receipt.gap !== undefined) {
    countGap(receiver, sender, receipt.gap);
  }
}

function countGap(receiver: SoakClient, sender: SoakClient, gap: Gap): void {
  stats.notesExcused += gap.excused;
  if (gap.lost > 0) {
    stats.notesLost += gap.lost;
    example(
      "lost",
      `${receiver.name} (${receiver.sessionId}) missed ${gap.lost} of seqs ${gap.from}…${gap.to} from ${sender.name} (${sender.sessionId}) in ${receiver.group.code} at ${new Date().toISOString()}`,
    );
  }
}

/** After the final barriers: whatever a connected roommate sent and never arrived at `receiver` is lost. */
export function countTail(receiver: SoakClient): void {
  if (!receiver.connected) return;
  for (const sender of receiver.group.clients) {
    if (sender === receiver || !sender.connected) continue;
    const gap = receiver.ledger.tail(sender.sessionId, sender.ledger);
    if (gap !== undefined) countGap(receiver, sender, gap);
  }
}
