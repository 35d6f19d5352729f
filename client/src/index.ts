/**
 * jam-server client: create/join jams with typed errors, typed messages and state, automatic
 * reconnection, the server's clock and the sequencer maths for lookahead scheduling.
 */
export { JamClient, type JamClientOptions, type ConnectHooks, type FetchLike } from "./JamClient";
export { JamSession, type SessionOptions } from "./JamSession";
export type { ConnectionStatus, DisconnectReason, StatusDetail, StatusListener } from "./sessionStatus";
export type { StateCallbacks, StateWatcher } from "./stateWatchers";
// Every code a client can see, and every server → client message type: the server's own tables.
export { CloseCode, HttpError, JoinError, MessageError } from "../../src/protocol/codes";
export { SERVER_MESSAGE_TYPES } from "../../src/protocol/serverMessages";
export { DEFAULT_BACKOFF_MS, DEFAULT_RECONNECT_GRACE_MS, DEFAULT_REOPEN_BACKOFF_MS, DEFAULT_REOPEN_FOR_MS } from "./reconnectSchedule";
export {
  JamError,
  RoomNotFound,
  JamNotSaved,
  RoomFull,
  NameTaken,
  InvalidName,
  InvalidOption,
  InvalidRoomCode,
  NoFreeRoomCode,
  Unauthorized,
  ServerUnavailable,
  ConnectionFailed,
  toJamError,
  preflightError,
  type JamErrorCode,
} from "./errors";
export {
  ServerClock,
  monotonicNow,
  realTimers,
  type ClockEstimate,
  type ClockOptions,
  type PingChannel,
  type SyncQuality,
  type Timers,
} from "./clock";
export { stepAt, upcomingSteps, stepDurationMs, stepMs, transportOf, type ScheduledStep } from "./sequencer";
export {
  StepScheduler,
  DEFAULT_LOOKAHEAD_MS,
  DEFAULT_SCHEDULER_TICK_MS,
  type StepSchedulerOptions,
  type StepSource,
} from "./stepScheduler";
export { normalizeRoomCode, ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH, JAM_ROOM_NAME } from "./roomCode";
export type * from "./types";
