/** What each scenario measures, as drivers report it to the runner and the runner writes it to JSON. */
import type { PatternsSeen } from "./patternEdits";
import type { Summary } from "./stats";

export type Target = "jam" | "ws" | "socketio";
/** Every server the bench starts: the targets, and the bare Colyseus room of the idle-room floor (bench/refs/colyseusFloor.ts). */
export type ServerTarget = Target | "floor";

export interface RelayResult {
  target: Target;
  /** "bench": this folder's driver; "loadgen.js": the shared reference load generator. */
  tool: "bench" | "loadgen.js";
  /** Each room's notes spread over the note period instead of sent close together (bench driver only). */
  interleaved?: boolean;
  rooms: number;
  perRoom: number;
  rate: number;
  clients: number;
  connectMs: number;
  windowS: number;
  sentPerSec: number;
  deliveredPerSec: number;
  lossPct: number;
  latencyMs: Pick<Summary, "p50" | "p95" | "p99" | "max">;
  serverCpuPct: number;
  cpuUsPerDelivery: number;
  /** The load generator's own CPU over the window: near 100 % means it, not the server, set the pace. */
  generatorCpuPct: number;
  serverRssMiB: number;
  /** Server CPU over the window ÷ notes sent in it (bench driver only): what one note costs, all its copies included. */
  cpuUsPerSentNote?: number;
}

export interface JoinsResult {
  target: Target;
  /** jam: `create`; ws / Socket.IO: the first connect + join of a room key. */
  createMs: Summary;
  /** jam: `joinById`; ws / Socket.IO: connect + join of an existing room key. */
  joinMs: Summary;
  failures: number;
  firstFailure?: string;
}

export interface StateResult {
  rooms: number;
  perRoom: number;
  changes: number;
  /** Changes not seen by every client within 2 s. */
  missed: number;
  /** Host sends `tempo` → the last client of the room sees the new tempo. */
  seenByAllMs: Summary;
  /** Host sends `tempo` → each client sees it. */
  perClientMs: Summary;
}

export interface ClockResult {
  clients: number;
  pings: number;
  estimator: string;
  /** |estimated offset − true offset (0: one machine, one clock)|, every estimate after warm-up. */
  errorMs: Summary;
  meanSignedErrorMs: number;
  /** |offset| of single ping/pong samples, before any filtering. */
  rawErrorMs: Summary;
  rttMs: Summary;
}

export interface SequencerPhaseCounts {
  patches: number;
  exact: number;
  offByOneNearBoundary: number;
  inconsistent: number;
}

export interface SequencerResult {
  bpm: number;
  loopSteps: number;
  minutes: number;
  /** How the listener bracketed each patch's send time: a ping this often, each pong carrying serverTime. */
  pingEveryMs: number;
  /** Patches that carried a new currentStep and had a pong on either side within 25 ms. */
  patches: number;
  /** Patches not judged: pinging paused while relay CPU was measured. */
  unjudged: number;
  /** currentStep equal to the formula at some instant of the patch's send-time bracket. */
  exact: number;
  /** One step off, the formula's step boundary within 2 ms of the bracket. */
  offByOneNearBoundary: number;
  /** Everything else. */
  inconsistent: number;
  worstInconsistent?: { stepError: number; msFromBracket: number; bracketMs: number; phase: string };
  /** Width of the send-time brackets (serverTime of the pong after − of the pong before, + 1 ms). */
  bracketMs: Summary;
  /** For patches one step behind the formula at arrival: how long after the step boundary they arrived. */
  arrivalPastBoundaryMs: Summary;
  /** Steps between what clients received during the last 10 s and the formula from the first anchor. */
  driftSteps: number;
  driftCheckedPatches: number;
  playStartedAtChanged: boolean;
  byPhase: Record<string, SequencerPhaseCounts>;
}

export interface MemoryResult {
  target: ServerTarget;
  rooms: number;
  perRoom: number;
  clients: number;
  connectMs: number;
  baselineRssMiB: number;
  loadedRssMiB: number;
  baselineHeapMiB?: number;
  loadedHeapMiB?: number;
  rssKiBPerClient: number;
  rssKiBPerRoom: number;
  heapKiBPerClient?: number;
  heapKiBPerRoom?: number;
  /** Server CPU % while the rooms sit idle (one client each, nothing sent), from 32 s after the joins, over 20 s. */
  idleCpuPct?: number;
  /** Idle rooms only: RSS and heap per room after that window, 52 s after the joins. */
  settledRssKiBPerRoom?: number;
  settledHeapKiBPerRoom?: number;
}

/** Where the jam server kept saved jams in a saving run. */
export type StoreVariant = "memory" | "file" | "postgres";

/** Pattern edits (`setStep`) sent during a relay run's window. */
export interface EditFigures {
  editorsPerRoom: number;
  /** setStep per second per editor. */
  ratePerS: number;
  sentPerSec: number;
  /** Edits refused (any `error` answer to a setStep), over the whole run. */
  refused: number;
  firstRefusal?: string;
  /** Clients whose pattern differed from their room host's once the edits had stopped. */
  clientsDisagreeing: number;
}

/** Saves over a relay run's window, from the server's GET /metrics before and after it. */
export interface SaveFigures {
  saves: number;
  savesPerSec: number;
  failures: number;
  /** From jam_save_duration_seconds: p50 / p99 interpolated inside their bucket, mean exact (sum ÷ count). */
  latencyMs: { p50: number; p99: number; mean: number };
  /** Upper bounds of the buckets p50 and p99 fall in (ms; Infinity above the last). */
  bucketMs: { p50: number; p99: number };
}

/** Deliveries to one kind of receiver (musicians or listeners) in a relay run. */
export interface ReceiverFigures {
  perRoom: number;
  deliveredPerSec: number;
  lossPct: number;
  latencyMs: Pick<Summary, "p50" | "p95" | "p99" | "max">;
}

/** What the recordings wrote to the store over a relay run's window, from GET /metrics. */
export interface RecordingWrites {
  batches: number;
  batchesPerSec: number;
  events: number;
  eventsPerSec: number;
}

/** Notes the musicians sent while their rooms recorded, and note-ons the stored recordings hold. */
export interface RecordedNotes {
  sent: number;
  stored: number;
  /** Rooms whose recording holds fewer notes than were sent to the room. */
  roomsShort: number;
}

/**
 * The relay driver's result: the relay, and what else the run asked for — pattern edits
 * (`--edit-rate`), recordings (`--record`), listeners (`--listeners`).
 */
export interface EditedRelayResult extends RelayResult {
  edits?: EditFigures;
  saves?: SaveFigures;
  /** The pattern each room's host saw once the edits had stopped and the grace passed (not kept in the report). */
  patternsSeen?: PatternsSeen;
  /** Date.now() when the last edit was sent. */
  editsEndedAt?: number;
  /** CPU of the processes named by `--cpu-of` (the database's, outside the server), % of one core. */
  storeCpuPct?: number;
  /** With `--save-metrics` or `--record`: the recordings' writes over the window. */
  recordingWrites?: RecordingWrites;
  /** With `--record`: every room's recording read back after the band left. */
  recordedNotes?: RecordedNotes;
  /** With `--listeners`: the deliveries to musicians and to listeners apart (the main figures count both). */
  byRole?: { musicians: ReceiverFigures; listeners: ReceiverFigures };
}

export interface SavingRelayResult extends RelayResult {
  store: StoreVariant;
  /** PostgreSQL: its backends' CPU for the bench's database over the window, % of one core. */
  storeCpuPct?: number;
  edits: EditFigures;
  saves?: SaveFigures;
}

/** Saved jams read back from the store and compared with the last pattern the clients saw. */
export interface ReadbackResult {
  jams: number;
  /** Jams with no row in the store. */
  missing: number;
  /** Tracks the clients had that the saved jam lacks, or has and they did not. */
  tracksDiffering: number;
  /** Steps whose `on`, `note` or `velocity` differ: each is at least one edit not saved. */
  stepsDiffering: number;
}

export interface StormResult {
  store: StoreVariant;
  relay: SavingRelayResult;
  /** Read while the rooms were still open, `whileOpenAfterMs` after the last edit. */
  whileOpen: ReadbackResult;
  whileOpenAfterMs: number;
  /** Read after the clients left and the server stopped (SIGTERM). */
  afterStop: ReadbackResult;
  /** The server exited by itself after SIGTERM, with code 0. */
  stoppedCleanly: boolean;
}

export interface StartupResult {
  store: Exclude<StoreVariant, "memory">;
  jams: number;
  /** Seeding the store through the store API, before the server started. */
  seedS: number;
  /** The embedded database's files (jams.sqlite and its WAL), bytes; PostgreSQL: the database's size. */
  storeBytes: number;
  /** One entry per start: spawn → first 200 from GET /ready, and the RSS right then. */
  startMs: number[];
  rssMiB: number[];
}

export interface SavingFigures {
  /** Relay 50×8×8 with one pattern editor per room, every store variant, interleaved rounds. */
  relay: SavingRelayResult[];
  storms: StormResult[];
  startups: StartupResult[];
  notes: string[];
}

/** One relay run of the recording scenario: every room recording or none, on one store. */
export interface RecordingRelayResult extends EditedRelayResult {
  store: Exclude<StoreVariant, "memory">;
  recording: boolean;
}

/** One relay run of the listeners scenario: musicians only, or musicians and listeners. */
export interface ListenerRelayResult extends EditedRelayResult {
  listenersPerRoom: number;
}

/** A jam's memory (issue 13): recording's cost, and fan-out to listeners; interleaved rounds. */
export interface JamMemoryFigures {
  recording: RecordingRelayResult[];
  listeners: ListenerRelayResult[];
  notes: string[];
}

/** The transport as a musician's state had it. */
export interface TransportSnapshot {
  isPlaying: boolean;
  playStartedAt: number;
  tempo: number;
}

/**
 * One musician of the crash scenario, as its driver saw it; times are Date.now() of that machine
 * (the runner's kill time is on the same clock).
 */
export interface CrashSession {
  jam: number;
  code: string;
  /** The track this musician alone edits. */
  track: string;
  /** The transport once the jam played, before any edit. */
  before: TransportSnapshot;
  /**
   * Every setStep sent before the connection dropped, in order: [step, note, sentAt, appliedAt], where
   * appliedAt is when the sender first saw it in the state (0: never, before the drop).
   */
  edits: [number, number, number, number][];
  droppedAt?: number;
  /** Connected again (in a room with the state received) after the drop. */
  backAt?: number;
  /** Back through a new room (the jam opened again), not a reconnection to the old one. */
  reopened?: boolean;
  /** When it first tried to open its jam again (after its reconnection attempts found the room gone). */
  reopeningAt?: number;
  /**
   * A reconnection attempt was answered 4214 (token refused): the room it asked for by id was one a
   * bandmate had opened again under the same code, and the client retries that until its grace ends.
   */
  reconnectionRefused?: boolean;
  /** The state as it was when the session was back: the transport, its code and its track's steps ([on, note]; null: no such track). */
  after?: TransportSnapshot & { code: string; cells: [boolean, number][] | null };
  /** The session ended instead (its status went `disconnected`): reason and error. */
  gaveUp?: string;
}

export interface CrashDriverResult {
  sessions: CrashSession[];
  /** The musicians' matchmaking calls after the drop by outcome: { "reconnect 4213": 400, "create 4235": 12, … }. */
  calls: Record<string, number>;
  /** Notes received by the musicians between the end of set-up and the drop, and over how long. */
  notesReceived: number;
  steadyMs: number;
}

/** One run of the capacity search. */
export interface CapacityStep {
  rooms: number;
  musicians: number;
  passed: boolean;
  p99Ms?: number;
  lossPct?: number;
  deliveredPerSec?: number;
  serverCpuPct?: number;
  generatorCpuPct?: number;
}

/** The most musicians one process serves within the relay limits (rooms of `perRoom` at `rate` notes/s). */
export interface CapacityResult {
  target: Target;
  perRoom: number;
  rate: number;
  musicians: number;
  rooms: number;
  /** Every step passed up to the search's ceiling: the capacity is at least this. */
  capped: boolean;
  steps: CapacityStep[];
}
