/**
 * Every type the client speaks, taken from the server's own declarations (type-only imports: no
 * server code ends up in a browser bundle, and nothing here can drift from what the server checks).
 */
import type { z } from "zod";
import type { JamSummary } from "../../src/http/jamRoutes";
import type { RoomSummary } from "../../src/http/roomRoutes";
import type { MessageErrorCode } from "../../src/protocol/errors";
import type { TransportPolicy } from "../../src/protocol/limits";
import type { ClientMessage, MessageSchemas, MessageType } from "../../src/protocol/messages";
import type { JoinProfile, RoomOptions } from "../../src/protocol/options";
import type { JsonValue } from "../../src/rules/jsonValue";
import type { JamState } from "../../src/schema/JamState";
import type { RecordingSummary, VersionSummary } from "../../src/storage/jamStore";

export type { JamState } from "../../src/schema/JamState";
export type { Participant } from "../../src/schema/Participant";
export type { Listener } from "../../src/schema/Listener";
export type { Track } from "../../src/schema/Track";
export type { Step } from "../../src/schema/Step";
export type {
  ChatLine,
  ErrorReply,
  Pong,
  RelayedEvent,
  RelayedNote,
  RelayedSignal,
  ServerMessages,
  ServerRestart,
} from "../../src/protocol/serverMessages";
export type { MessageErrorCode, MessageType, JsonValue, TransportPolicy };

/** Server → client message types: `note`, `event`, `chat`, `signal`, `pong`, `error`, `server-restart`. */
export type { ServerMessageType } from "../../src/protocol/serverMessages";

type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** Keys whose schema accepts `unknown` and checks it by hand (labels, free-form JSON). */
type HandCheckedKeys<In> = { [K in keyof In]-?: unknown extends In[K] ? K : never }[keyof In];
/**
 * What a client may send: the zod schema's input type (so defaulted fields such as `velocity` are
 * optional), except that fields the server checks by hand take their checked (output) type instead
 * of `unknown`.
 */
type WireInput<In, Out> = Simplify<Omit<In, HandCheckedKeys<In>> & Pick<Out, HandCheckedKeys<In> & keyof Out>>;

/** The payload of client → server message `T`, as the sender writes it. */
export type OutgoingMessage<T extends MessageType> = WireInput<z.input<MessageSchemas[T]>, ClientMessage<T>>;

export type NotePayload = OutgoingMessage<"note">;
export type SetStepPayload = OutgoingMessage<"setStep">;
export type SignalKind = OutgoingMessage<"signal">["kind"];

/** Who joins: a name, or with `JWT_SECRET` on the server a `token` that carries it; an instrument. */
type Person = ({ name: JoinProfile["name"]; token?: string } | { token: string; name?: JoinProfile["name"] }) & {
  instrument?: JoinProfile["instrument"];
};

/**
 * `join(code, options)`: a musician, or with `listener: true` a listener — someone who hears and
 * sees the jam and may chat, but plays nothing (and so is not refused when musicians fill the room).
 */
export type JoinOptions = Person & { listener?: JoinProfile["listener"] };

/** `create(options)`: the musician, and the room's own settings (all optional, server defaults). Never a listener. */
export type CreateOptions = Person &
  Partial<RoomOptions> & {
    /** Opens the saved jam with this code again (other settings are then the saved ones). */
    code?: string;
    /** A new jam, copied from the jam with this code (its settings, tempo and pattern; other settings are then ignored). */
    remixOf?: string;
  };

/** `GET /rooms/:code`: what a lobby or a shared link shows before joining. */
export type RoomInfo = RoomSummary;

/** `GET /jams/:code`: a saved jam, for a link that offers to open it again. */
export type SavedJamInfo = JamSummary;

/** `GET /jams/:code/versions`: one version of a saved jam (number, save time, tempo, how many tracks). */
export type VersionInfo = VersionSummary;

/** `GET /jams/:code/recordings`: one recording of a saved jam (start, length, how many notes, who played). */
export type RecordingInfo = RecordingSummary;

/** The fields of the state the sequencer maths needs; a `JamState` is one. */
export type TransportState = Pick<
  JamState,
  "tempo" | "loopSteps" | "isPlaying" | "playStartedAt" | "currentStep" | "nextTempo" | "nextPlayStartedAt" | "nextAt"
>;
