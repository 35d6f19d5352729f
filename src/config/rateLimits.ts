/** Per-client message budgets of the contract (token buckets), by the kind of message. */
import type { BucketSpec } from "../rules/tokenBucket";
import type { MessageType } from "../protocol/messages";

export const RATE_CATEGORIES = ["note", "event", "chat", "signal", "ping", "transport", "pattern", "profile", "unknown"] as const;
export type RateCategory = (typeof RATE_CATEGORIES)[number];

export const DEFAULT_RATE_LIMITS: Record<RateCategory, BucketSpec> = {
  note: { ratePerS: 50, burst: 100 },
  event: { ratePerS: 20, burst: 20 },
  chat: { ratePerS: 5, burst: 5 },
  signal: { ratePerS: 50, burst: 50 },
  ping: { ratePerS: 10, burst: 20 },
  transport: { ratePerS: 10, burst: 10 },
  pattern: { ratePerS: 30, burst: 60 },
  // Not named by the contract: own instrument/mute and host actions, so none of them can be spammed.
  profile: { ratePerS: 10, burst: 20 },
  // Message types the contract does not have: each is answered with BAD_REQUEST, so they are
  // budgeted too, or a client could make the server answer a flood.
  unknown: { ratePerS: 5, burst: 10 },
};

export const RATE_CATEGORY_OF: Record<MessageType, RateCategory> = {
  note: "note",
  event: "event",
  chat: "chat",
  signal: "signal",
  ping: "ping",
  tempo: "transport",
  play: "transport",
  pause: "transport",
  stop: "transport",
  seek: "transport",
  record: "transport",
  restoreVersion: "transport",
  addTrack: "pattern",
  setStep: "pattern",
  clearTrack: "pattern",
  removeTrack: "pattern",
  instrument: "profile",
  mute: "profile",
  transferHost: "profile",
  kick: "profile",
};
