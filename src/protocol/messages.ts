/**
 * Client → server messages: one zod schema per type. Some ranges depend on the room (`loopSteps`),
 * so there is one set per loop length, built on first use and shared by every room of that length
 * (a set is ~80 KiB of heap: per room it was most of an idle room's footprint). Every payload
 * arrives as `unknown` and leaves here typed, or as a sentence that says which rule it broke.
 */
import { z } from "zod";
import { describeIssue } from "./describeIssue";
import { checkLabel } from "../rules/labels";
import { checkJson, type JsonValue } from "../rules/jsonValue";
import { isWellFormed } from "../rules/wellFormed";
import { TRACK_ID_PATTERN, isUsableTrackId } from "../rules/pattern";
import { MAX_TEMPO, MIN_TEMPO } from "./limits";

export const EVENT_PAYLOAD_MAX_BYTES = 2 * 1024;
export const SIGNAL_DATA_MAX_BYTES = 12 * 1024;
export const CHAT_MAX_CHARS = 500;
const UINT32_MAX = 2 ** 32 - 1;

const midi = z.int().min(0).max(127);
const velocity = z.int().min(1).max(127);
const sessionId = z.string().min(1).max(64);
const trackId = z.string().regex(TRACK_ID_PATTERN, "must be 1–32 of a-z, 0-9, _ and -").refine(isUsableTrackId, "is a reserved name");
// Relayed text with a lone surrogate reaches every recipient as broken UTF-8 (labels check it too).
const WELL_FORMED = "must be well-formed Unicode (no lone surrogates)";
const label = (what: string) =>
  z.unknown().transform((input, ctx) => {
    const check = checkLabel(input, what);
    if (check.ok) return check.value;
    ctx.addIssue({ code: "custom", message: check.reason });
    return z.NEVER;
  });
const json = (maxBytes: number) =>
  z.unknown().transform((input, ctx): JsonValue | undefined => {
    if (input === undefined) return undefined;
    const check = checkJson(input, maxBytes);
    if (check.ok) return check.value;
    ctx.addIssue({ code: "custom", message: check.reason });
    return z.NEVER;
  });

function buildMessageSchemas(loopSteps: number) {
  const loopStep = z
    .int()
    .min(0)
    .max(loopSteps - 1);
  return {
    note: z.object({
      note: midi,
      velocity: velocity.default(100),
      on: z.boolean().default(true),
      step: z.int().min(0).optional(),
      at: z.number().optional(),
      seq: z.int().min(0).max(UINT32_MAX).optional(),
    }),
    event: z.object({
      eventName: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, "must be 1–64 of A-Z, a-z, 0-9, :, _, . and -"),
      payload: json(EVENT_PAYLOAD_MAX_BYTES).optional(),
    }),
    chat: z.object({ text: z.string().min(1).max(CHAT_MAX_CHARS).refine(isWellFormed, WELL_FORMED) }),
    instrument: z.object({ instrument: label("instrument") }),
    mute: z.object({ muted: z.boolean() }),
    tempo: z.object({ tempo: z.number().min(MIN_TEMPO).max(MAX_TEMPO) }),
    play: z.object({ step: loopStep.optional() }),
    pause: z.object({}),
    stop: z.object({}),
    seek: z.object({ step: loopStep }),
    transferHost: z.object({ to: sessionId }),
    kick: z.object({ sessionId }),
    addTrack: z.object({ id: trackId.optional(), instrument: label("instrument") }),
    setStep: z.object({ track: trackId, step: loopStep, on: z.boolean(), note: midi.optional(), velocity: velocity.optional() }),
    clearTrack: z.object({ track: trackId }),
    removeTrack: z.object({ track: trackId }),
    record: z.object({ on: z.boolean() }),
    restoreVersion: z.object({ version: z.int().min(1) }),
    ping: z.object({ t: z.number() }),
    signal: z.object({
      to: sessionId,
      kind: z.enum(["offer", "answer", "ice"]),
      data: json(SIGNAL_DATA_MAX_BYTES),
    }),
  };
}

export type MessageSchemas = ReturnType<typeof buildMessageSchemas>;

/** At most one entry per allowed loop length (MIN_LOOP_STEPS…MAX_LOOP_STEPS), so never unbounded. */
const schemasByLoopSteps = new Map<number, MessageSchemas>();

/** The shared schema set for rooms whose loop is `loopSteps` long. */
export function messageSchemas(loopSteps: number): MessageSchemas {
  let schemas = schemasByLoopSteps.get(loopSteps);
  if (schemas === undefined) {
    schemas = buildMessageSchemas(loopSteps);
    schemasByLoopSteps.set(loopSteps, schemas);
  }
  return schemas;
}
export type MessageType = keyof MessageSchemas;
export type ClientMessage<T extends MessageType> = z.output<MessageSchemas[T]>;

export const MESSAGE_TYPES = Object.keys(messageSchemas(16)) as MessageType[];
const KNOWN_MESSAGE_TYPES = new Set<string>(MESSAGE_TYPES);

export function isMessageType(type: string): type is MessageType {
  return KNOWN_MESSAGE_TYPES.has(type);
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A missing payload counts as `{}` (so `room.send("stop")` works); anything else must be an object. */
export function parseMessage<T extends MessageType>(schemas: MessageSchemas, type: T, payload: unknown): Parsed<ClientMessage<T>> {
  const input = payload === undefined ? {} : payload;
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, reason: "payload must be an object" };
  }
  const result = (schemas[type] as unknown as z.ZodType<ClientMessage<T>>).safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, reason: describeIssue(result.error, "invalid payload") };
}
