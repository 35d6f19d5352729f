/**
 * Create and join options, from `unknown` to typed values. Names are checked separately from the
 * other options because a bad name is refused with its own words ("invalid name").
 */
import { z } from "zod";
import { nameClaimOf, type JoinTokenSettings } from "../auth/joinToken";
import { checkLabel } from "../rules/labels";
import { describeIssue } from "./describeIssue";
import { refuse } from "./errors";
import {
  DEFAULT_INSTRUMENT,
  DEFAULT_LOOP_STEPS,
  DEFAULT_TEMPO,
  MAX_LOOP_STEPS,
  MAX_PARTICIPANTS_LIMIT,
  MAX_TEMPO,
  MIN_LOOP_STEPS,
  MIN_PARTICIPANTS,
  MIN_TEMPO,
  TRANSPORT_POLICIES,
  type TransportPolicy,
} from "./limits";

export interface RoomOptions {
  tempo: number;
  maxParticipants: number;
  private: boolean;
  transport: TransportPolicy;
  loopSteps: number;
}

export interface JoinProfile {
  name: string;
  instrument: string;
  /** Joins as a listener (follows the jam without playing) instead of as a musician. */
  listener: boolean;
}

const instrument = z.unknown().transform((input, ctx) => {
  if (input === undefined) return DEFAULT_INSTRUMENT;
  const check = checkLabel(input, "instrument");
  if (check.ok) return check.value;
  ctx.addIssue({ code: "custom", message: check.reason });
  return z.NEVER;
});

/** A room's settings and their ranges: create options add defaults; a saved jam has every one. */
export const roomSettings = z.object({
  tempo: z.number().min(MIN_TEMPO).max(MAX_TEMPO),
  maxParticipants: z.int().min(MIN_PARTICIPANTS).max(MAX_PARTICIPANTS_LIMIT),
  private: z.boolean(),
  transport: z.enum(TRANSPORT_POLICIES),
  loopSteps: z.int().min(MIN_LOOP_STEPS).max(MAX_LOOP_STEPS),
});

function roomOptionsSchema(defaultMaxParticipants: number) {
  const { tempo, maxParticipants, loopSteps } = roomSettings.shape;
  return z.object({
    tempo: tempo.default(DEFAULT_TEMPO),
    maxParticipants: maxParticipants.default(defaultMaxParticipants),
    private: roomSettings.shape.private.default(false),
    transport: roomSettings.shape.transport.default("host"),
    loopSteps: loopSteps.default(DEFAULT_LOOP_STEPS),
  });
}

function asObject(input: unknown): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input)) throw refuse.invalidOption("options must be an object");
  return input as Record<string, unknown>;
}

/** The room's own options from `client.create("jam", options)`; throws JoinRefused. */
export function parseRoomOptions(input: unknown, defaultMaxParticipants: number): RoomOptions {
  const result = roomOptionsSchema(defaultMaxParticipants).safeParse(asObject(input));
  if (!result.success) throw refuse.invalidOption(describeIssue(result.error, "invalid options"));
  return result.data;
}

/**
 * The joiner's name, instrument and whether it only listens; throws JoinRefused. With a JWT secret in `tokens` the
 * name is the token's `name` claim and `options.name` is ignored; the token's lifetime is held to
 * `jwtMaxAgeS`, judged by the settings' clock.
 */
export function parseJoinProfile(input: unknown, tokens?: JoinTokenSettings): JoinProfile {
  const options = asObject(input);
  const secret = tokens?.jwtSecret;
  const rawName =
    tokens === undefined || secret === undefined
      ? options.name
      : nameClaimOf(options.token, { secret, maxAgeS: tokens.jwtMaxAgeS, nowMs: tokens.now() });
  const name = checkLabel(rawName, "name");
  if (!name.ok) throw refuse.invalidName(rawName === undefined ? "name is required" : name.reason);
  const parsed = instrument.safeParse(options.instrument);
  if (!parsed.success) throw refuse.invalidOption(describeIssue(parsed.error, "invalid instrument"));
  const listener = options.listener === undefined ? false : options.listener;
  if (typeof listener !== "boolean") throw refuse.invalidOption("listener must be true or false");
  return { name: name.value, instrument: parsed.data, listener };
}
