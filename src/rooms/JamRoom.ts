/**
 * A jam session. The room validates what clients send, asks the rules in `src/rules/` what follows,
 * and writes the answer into the synced state or relays it. Musical logic does not live here.
 */
import { Deferred, Protocol, Room, SchemaSerializer, getMessageBytes, type Client, type ClientPrivate, type RoomException, type Serializer } from "@colyseus/core";
import type { Settings } from "../config/settings";
import { RATE_CATEGORY_OF, type RateCategory } from "../config/rateLimits";
import type { Logger } from "../logger";
import { LogSampler } from "../observability/logSampler";
import type { JamMetrics } from "../observability/metrics";
import { JoinRefused, MessageError, refuse, type MessageErrorCode } from "../protocol/errors";
import { DEFAULT_LOOP_STEPS, DEFAULT_TEMPO } from "../protocol/limits";
import { isPlausibleMsgpack } from "../protocol/frameGuard";
import { messageSchemas, parseMessage, type ClientMessage, type MessageSchemas, type MessageType } from "../protocol/messages";
import { parseJoinProfile, parseRoomOptions, type JoinProfile, type RoomOptions } from "../protocol/options";
import { FLOODING_CLOSE_CODE, KICKED_CLOSE_CODE, ROOM_FAILED_CLOSE_CODE, type RelayedEvent, type RelayedNote, type ServerMessages } from "../protocol/serverMessages";
import { ClientLimiter } from "../rules/clientLimiter";
import { isNameTaken } from "../rules/labels";
import { newTrackId } from "../rules/pattern";
import { mayDriveTransport, nextHost } from "../rules/roles";
import * as sequencer from "../rules/sequencer";
import { JamState } from "../schema/JamState";
import { Participant } from "../schema/Participant";
import { Step } from "../schema/Step";
import { Track } from "../schema/Track";
import { CompactSchemaSerializer } from "./compactSerializer";
import { ConnectionGuard, SWEEP_MS, cutOff } from "./connectionGuard";
import { outgoingWrites, socketOf } from "./writeCoalescer";
import { CODE_REFRESH_MS, claimRoomCode, claimsExpire, refreshRoomCode, releaseRoomCode } from "./roomCodes";

export interface JamRoomDeps {
  settings: Settings;
  logger: Logger;
  metrics: JamMetrics;
}

/** What `GET /rooms` and `GET /rooms/:code` read from the matchmaker listing of every process. */
export interface JamListing {
  roomCode: string;
  participants: number;
  maxParticipants: number;
  tempo: number;
  isPlaying: boolean;
}

type Handler<T extends MessageType> = (client: Client, message: ClientMessage<T>) => void;

/** Clients are told to come back this long after the drain ends, when a new process is up. */
const RESTART_MARGIN_MS = 2000;

/**
 * Colyseus counts unused seat reservations toward `maxClients` and then answers every join with
 * "locked": anyone with the code could lock the room with reservations they never use. Keep the
 * limit out of reach and say "full" ourselves; per-address join limits bound the reservations.
 */
const UNBOUNDED_SEATS = 1_000_000_000;

export abstract class JamRoom extends Room<JamState, JamListing, unknown, JoinProfile> {
  protected abstract readonly deps: JamRoomDeps;

  private options!: RoomOptions;
  private schemas!: MessageSchemas;
  // Replaced in setUp; a default so a room whose onCreate failed still answers its patch ticks.
  private transport = sequencer.stoppedTransport(DEFAULT_TEMPO, DEFAULT_LOOP_STEPS);
  private log!: Logger;
  /** Set once the code is claimed: only a room that claimed a code releases one. */
  private claimedCode: string | undefined;
  private readonly limiters = new Map<string, ClientLimiter<RateCategory>>();
  private readonly reconnections = new Map<string, Deferred<Client>>();
  private guard!: ConnectionGuard;
  /** At most one "message rejected" line a second per room. */
  private readonly rejectionLog = new LogSampler(1000);

  // ─── lifecycle ────────────────────────────────────────────────────────────────────────────────

  override async onCreate(rawOptions: unknown): Promise<void> {
    const created = this.setUp(rawOptions);
    // Colyseus starts the patch interval before onCreate and never disposes a room whose onCreate
    // failed: stop it and let auto-dispose take the room away now rather than in 15 s.
    created.catch(() => {
      this.patchRate = 0;
      this.resetAutoDisposeTimeout(0);
    });
    return created;
  }

  private async setUp(rawOptions: unknown): Promise<void> {
    const { settings } = this.deps;
    // Everything is validated before the code is claimed: a refusal after the claim would leak it.
    this.options = parseRoomOptions(rawOptions, settings.maxParticipants);
    parseJoinProfile(rawOptions, settings);
    const code = await claimRoomCode(this.presence);
    if (code === null) throw refuse.codeUnavailable();
    this.roomId = code;
    this.claimedCode = code;
    this.log = this.deps.logger.child({ room: code });
    this.guard = new ConnectionGuard(settings);

    this.schemas = messageSchemas(this.options.loopSteps);
    this.transport = sequencer.stoppedTransport(this.options.tempo, this.options.loopSteps);
    this.state = new JamState().assign({
      roomCode: code,
      tempo: this.options.tempo,
      loopSteps: this.options.loopSteps,
      transport: this.options.transport,
    });
    this.maxClients = UNBOUNDED_SEATS;
    this.setSeatReservationTime(settings.joinDeadlineMs / 1000);
    this.clock.setInterval(() => this.cutOffOverLimit(), SWEEP_MS);
    await this.setPrivate(this.options.private);
    this.publishListing();
    if (claimsExpire(this.presence)) this.clock.setInterval(() => this.keepCodeClaimed(), CODE_REFRESH_MS);
    this.registerMessages();
    this.deps.metrics.roomsCreated.inc();
    this.log.info({ options: this.options, participants: 0 }, "room created");
  }

  override onAuth(_client: Client, rawOptions: unknown): JoinProfile {
    const profile = parseJoinProfile(rawOptions, this.deps.settings);
    this.assertRoomFor(profile);
    return profile;
  }

  override onJoin(client: Client, _options: unknown, profile: JoinProfile): void {
    // Re-checked: two joins may both have passed onAuth before either got here.
    this.assertRoomFor(profile);
    const isHost = this.state.participants.size === 0;
    const participant = new Participant().assign({
      id: client.sessionId,
      name: profile.name,
      instrument: profile.instrument,
      isHost,
      joinedAt: this.now(),
      connected: true,
      muted: false,
    });
    this.state.participants.set(client.sessionId, participant);
    if (isHost) this.state.host = client.sessionId;
    this.limiters.set(client.sessionId, new ClientLimiter(this.deps.settings.rateLimits, this.deps.settings.floodPolicy));
    this.publishListing();
    this.log.info({ sessionId: client.sessionId, isHost, participants: this.state.participants.size }, "joined");
  }

  override async onLeave(client: Client, consented: boolean): Promise<void> {
    const id = client.sessionId;
    const participant = this.state.participants.get(id);
    const grace = this.deps.settings.reconnectGraceS;
    if (consented || participant === undefined || grace <= 0) {
      this.removeParticipant(id, consented ? "left" : "dropped");
      return;
    }
    // allowReconnection must come before any await (Colyseus 0.16).
    const reconnection = this.allowReconnection(client, grace);
    // Colyseus 0.16 clears its grace timer only on a successful reconnection: after a kick or a
    // disconnect the timer (and this room with it) would live on for the whole grace.
    const graceTimer = this.reservedSeatTimeouts[id];
    this.reconnections.set(id, reconnection);
    participant.connected = false;
    this.log.info({ sessionId: id, graceS: grace, participants: this.state.participants.size }, "dropped, waiting for reconnection");
    // A Deferred on success; a plain rejected promise when the client had not finished joining.
    const reconnected = await Promise.resolve(reconnection).then(
      () => true,
      () => false,
    );
    clearTimeout(graceTimer);
    this.reconnections.delete(id);
    if (reconnected && this.state.participants.has(id)) {
      participant.connected = true;
      this.deps.metrics.reconnections.inc();
      this.log.info({ sessionId: id, participants: this.state.participants.size }, "reconnected");
    } else {
      this.removeParticipant(id, "reconnection grace expired");
    }
  }

  override onBeforePatch(): void {
    if (this.transport.isPlaying) {
      this.state.currentStep = sequencer.currentStep(this.transport, this.now());
    }
  }

  override async onDispose(): Promise<void> {
    const code = this.claimedCode;
    if (code === undefined) return;
    this.log.info({ participants: this.state.participants.size }, "room disposed");
    await releaseRoomCode(this.presence, code).catch((error: unknown) =>
      this.log.error({ err: error }, "could not release the room code"),
    );
  }

  /**
   * A deploy is taking this process away (Colyseus has stopped matchmaking already): tell clients
   * when to come back, let the room play on through the drain, then close it.
   */
  override onBeforeShutdown(): void {
    const drainMs = this.deps.settings.shutdownDrainMs;
    const notice: ServerMessages["server-restart"] = { reconnectInMs: drainMs + RESTART_MARGIN_MS };
    this.broadcast("server-restart", notice);
    this.log.info({ drainMs, participants: this.state.participants.size }, "shutting down: clients told, draining");
    this.clock.setTimeout(() => void this.disconnect(), drainMs);
  }

  /**
   * Checks a frame's structure before Colyseus decodes it: a frame of nested oversized msgpack
   * headers would otherwise stall the whole process while the decoder allocates for it. Such a
   * frame is closed with 4002, as Colyseus closes any frame it cannot decode.
   */
  protected override _onMessage(client: Client & ClientPrivate, buffer: Buffer): void {
    if (buffer[0] === Protocol.ROOM_DATA && !isPlausibleMsgpack(buffer, 1)) {
      this.deps.metrics.rejected(MessageError.BAD_REQUEST, "unknown");
      client.leave(Protocol.WS_CLOSE_WITH_ERROR, "malformed message");
      return;
    }
    super._onMessage(client, buffer);
  }

  /** Records when each seat was reserved: the join deadline counts from then. */
  protected override _reserveSeat(sessionId: string, joinOptions?: unknown, authData?: unknown, seconds?: number, allowReconnection?: boolean, devMode?: boolean): Promise<boolean> {
    if (allowReconnection !== true) this.guard?.seatReserved(sessionId);
    return super._reserveSeat(sessionId, joinOptions, authData, seconds, allowReconnection, devMode);
  }

  /** Assigning `state` makes Colyseus install a stock SchemaSerializer: use the compact one instead. */
  override setSerializer(serializer: Serializer<JamState>): void {
    const stock = serializer instanceof SchemaSerializer && !(serializer instanceof CompactSchemaSerializer);
    super.setSerializer(stock ? new CompactSchemaSerializer<JamState>() : serializer);
  }

  /**
   * A patch that cannot be encoded throws from Colyseus' patch timer, outside onUncaughtException,
   * and would end the process: close this one room instead.
   */
  override broadcastPatch(): boolean {
    try {
      return super.broadcastPatch();
    } catch (error) {
      this.log.error({ err: error, participants: this.state.participants.size }, "state could not be encoded, closing the room");
      this.patchRate = 0;
      void this.disconnect(ROOM_FAILED_CLOSE_CODE);
      return false;
    }
  }

  /** Without this, Colyseus 0.16 ends the whole process when any handler throws. */
  override onUncaughtException(error: RoomException<this>, methodName: string): void {
    const cause: unknown = error.cause ?? error;
    if (cause instanceof JoinRefused) {
      (this.log ?? this.deps.logger).info({ code: cause.code, reason: cause.message }, "join refused");
      return;
    }
    (this.log ?? this.deps.logger).error({ err: cause, methodName }, "room handler failed");
  }

  // ─── messages ─────────────────────────────────────────────────────────────────────────────────

  private registerMessages(): void {
    this.on("note", this.relayNote);
    this.on("event", this.relayEvent);
    this.on("chat", this.sendChat);
    this.on("instrument", this.setInstrument);
    this.on("mute", this.setMuted);
    this.on("tempo", this.setTempo);
    this.on("play", this.play);
    this.on("pause", this.pause);
    this.on("stop", this.stop);
    this.on("seek", this.seek);
    this.on("transferHost", this.transferHost);
    this.on("kick", this.kick);
    this.on("addTrack", this.addTrack);
    this.on("setStep", this.setStep);
    this.on("clearTrack", this.clearTrack);
    this.on("removeTrack", this.removeTrack);
    this.on("ping", this.answerPing);
    this.on("signal", this.relaySignal);
    // Unknown types would otherwise close the connection (4002); the contract answers BAD_REQUEST.
    // Colyseus calls this with (client, type, payload) for an unregistered type, but with
    // (client, payload) for a message whose type is literally "*".
    this.onMessage("*", (client: Client, ...rest: unknown[]) => this.rejectUnknownType(client, rest.length >= 2 ? String(rest[0]) : "*"));
    this.onMessage("__no_message_handler", (client) => this.rejectUnknownType(client, "__no_message_handler"));
  }

  /** Registers `handler` behind the rate limit and the payload validator of `type`. */
  private on<T extends MessageType>(type: T, handler: Handler<T>): void {
    const category = RATE_CATEGORY_OF[type];
    this.onMessage(type, (client: Client, payload: unknown) => {
      if (!this.admit(client, category, type)) return;
      const parsed = parseMessage(this.schemas, type, payload);
      if (!parsed.ok) return this.reject(client, MessageError.BAD_REQUEST, type, parsed.reason);
      handler.call(this, client, parsed.value);
    });
  }

  private relayNote(client: Client, message: ClientMessage<"note">): void {
    const relayed: RelayedNote = {
      note: message.note,
      velocity: message.velocity,
      on: message.on,
      senderId: client.sessionId,
      instrument: this.participantOf(client).instrument,
    };
    if (message.step !== undefined) relayed.step = message.step;
    if (message.at !== undefined) relayed.at = message.at;
    if (message.seq !== undefined) relayed.seq = message.seq;
    this.relayToOthers("note", relayed, client);
    this.deps.metrics.notesRelayed.inc();
    this.deps.metrics.noteDeliveries.inc(this.clients.length - 1);
  }

  private relayEvent(client: Client, message: ClientMessage<"event">): void {
    const relayed: RelayedEvent = { eventName: message.eventName, senderId: client.sessionId };
    if (message.payload !== undefined) relayed.payload = message.payload;
    this.relayToOthers("event", relayed, client);
  }

  private sendChat(client: Client, message: ClientMessage<"chat">): void {
    const line: ServerMessages["chat"] = {
      senderId: client.sessionId,
      name: this.participantOf(client).name,
      text: message.text,
      at: this.now(),
    };
    this.broadcast("chat", line);
  }

  private setInstrument(client: Client, message: ClientMessage<"instrument">): void {
    this.participantOf(client).instrument = message.instrument;
  }

  private setMuted(client: Client, message: ClientMessage<"mute">): void {
    this.participantOf(client).muted = message.muted;
  }

  private setTempo(client: Client, message: ClientMessage<"tempo">): void {
    if (!this.mayDriveTransport(client, "tempo")) return;
    this.applyTransport(sequencer.setTempo(this.transport, this.now(), message.tempo));
  }

  private play(client: Client, message: ClientMessage<"play">): void {
    if (!this.mayDriveTransport(client, "play")) return;
    this.applyTransport(sequencer.play(this.transport, this.now(), this.deps.settings.playLeadInMs, message.step));
  }

  private pause(client: Client): void {
    if (!this.mayDriveTransport(client, "pause")) return;
    this.applyTransport(sequencer.pause(this.transport, this.now()));
  }

  private stop(client: Client): void {
    if (!this.mayDriveTransport(client, "stop")) return;
    this.applyTransport(sequencer.stop(this.transport));
  }

  private seek(client: Client, message: ClientMessage<"seek">): void {
    if (!this.mayDriveTransport(client, "seek")) return;
    this.applyTransport(sequencer.seek(this.transport, this.now(), this.deps.settings.playLeadInMs, message.step));
  }

  private transferHost(client: Client, message: ClientMessage<"transferHost">): void {
    if (!this.isHost(client)) return this.reject(client, MessageError.NOT_ALLOWED, "transferHost", "only the host can hand over the host role");
    if (!this.state.participants.has(message.to)) {
      return this.reject(client, MessageError.NOT_FOUND, "transferHost", `no participant "${message.to}" in this room`);
    }
    this.setHost(message.to);
  }

  private kick(client: Client, message: ClientMessage<"kick">): void {
    const target = message.sessionId;
    if (!this.isHost(client)) return this.reject(client, MessageError.NOT_ALLOWED, "kick", "only the host can remove participants");
    if (target === client.sessionId) return this.reject(client, MessageError.NOT_ALLOWED, "kick", "the host cannot kick themselves; leave instead");
    if (!this.state.participants.has(target)) {
      return this.reject(client, MessageError.NOT_FOUND, "kick", `no participant "${target}" in this room`);
    }
    // Removed first, so onLeave finds no participant and grants no reconnection grace.
    this.removeParticipant(target, `kicked by ${client.sessionId}`);
    this.cancelReconnection(target);
    this.clients.getById(target)?.leave(KICKED_CLOSE_CODE, "removed by the host");
  }

  private addTrack(client: Client, message: ClientMessage<"addTrack">): void {
    const { tracks } = this.state;
    if (tracks.size >= this.deps.settings.maxTracks) {
      return this.reject(client, MessageError.BAD_REQUEST, "addTrack", `the pattern already has the most tracks allowed (${this.deps.settings.maxTracks})`);
    }
    if (message.id !== undefined && tracks.has(message.id)) {
      return this.reject(client, MessageError.BAD_REQUEST, "addTrack", `track "${message.id}" already exists`);
    }
    const id = message.id ?? newTrackId((candidate) => tracks.has(candidate));
    const track = new Track().assign({ id, instrument: message.instrument, createdBy: client.sessionId });
    for (let i = 0; i < this.options.loopSteps; i++) track.steps.push(new Step());
    tracks.set(id, track);
  }

  private setStep(client: Client, message: ClientMessage<"setStep">): void {
    const step = this.trackFor(client, "setStep", message.track)?.steps[message.step];
    if (step === undefined) return;
    step.on = message.on;
    if (message.note !== undefined) step.note = message.note;
    if (message.velocity !== undefined) step.velocity = message.velocity;
  }

  private clearTrack(client: Client, message: ClientMessage<"clearTrack">): void {
    this.trackFor(client, "clearTrack", message.track)?.steps.forEach((step) => (step.on = false));
  }

  private removeTrack(client: Client, message: ClientMessage<"removeTrack">): void {
    if (this.trackFor(client, "removeTrack", message.track) === undefined) return;
    this.state.tracks.delete(message.track);
  }

  private answerPing(client: Client, message: ClientMessage<"ping">): void {
    client.send("pong", { t: message.t, serverTime: this.now() } satisfies ServerMessages["pong"]);
  }

  private relaySignal(client: Client, message: ClientMessage<"signal">): void {
    if (message.to === client.sessionId) return this.reject(client, MessageError.BAD_REQUEST, "signal", "cannot signal yourself");
    const target = this.state.participants.get(message.to)?.connected ? this.clients.getById(message.to) : undefined;
    if (target === undefined) {
      return this.reject(client, MessageError.NOT_FOUND, "signal", `no connected participant "${message.to}" in this room`);
    }
    const relayed: ServerMessages["signal"] = { from: client.sessionId, kind: message.kind };
    if (message.data !== undefined) relayed.data = message.data;
    target.send("signal", relayed);
  }

  private rejectUnknownType(client: Client, type: string): void {
    if (!this.admit(client, "unknown", type)) return;
    this.reject(client, MessageError.BAD_REQUEST, type, `unknown message type "${type}"`);
  }

  // ─── helpers ──────────────────────────────────────────────────────────────────────────────────

  private now(): number {
    return this.deps.settings.now();
  }

  /**
   * Takes a token from the client's budget for `category`; over budget, drops (and says so at most
   * once a second). Messages of a client that is no longer a participant are dropped silently.
   */
  private admit(client: Client, category: RateCategory, type: string): boolean {
    const limiter = this.limiters.get(client.sessionId);
    // No limiter: the participant was removed (kicked, flooding) and its socket is still closing;
    // what it had in flight must not act in the room.
    if (limiter === undefined) return false;
    const admission = limiter.admit(category, this.now());
    if (admission === "accept") return true;
    if (admission === "disconnect") {
      this.deps.metrics.rejected(MessageError.RATE_LIMITED, type);
      this.removeFlooder(client, category);
      return false;
    }
    if (admission === "drop-and-notify") this.reject(client, MessageError.RATE_LIMITED, type, `too many ${category} messages, slow down`);
    else this.deps.metrics.rejected(MessageError.RATE_LIMITED, type);
    return false;
  }

  private reject(client: Client, code: MessageErrorCode, type: string, message: string): void {
    client.send("error", { code, message, type } satisfies ServerMessages["error"]);
    this.deps.metrics.rejected(code, type);
    const held = this.rejectionLog.take(this.now());
    if (held !== null) {
      const participants = this.state.participants.size;
      this.log.info({ sessionId: client.sessionId, code, type, reason: message, heldBack: held, participants }, "message rejected");
    }
  }

  /** broadcast(…, { except }) with each recipient's socket held to the end of the turn (see WriteCoalescer). */
  private relayToOthers<K extends keyof ServerMessages>(type: K, message: ServerMessages[K], sender: Client): void {
    const bytes = getMessageBytes.raw(Protocol.ROOM_DATA, type, message);
    for (const client of this.clients) {
      if (client === sender) continue;
      const socket = socketOf(client);
      if (socket !== undefined) outgoingWrites.hold(socket);
      client.enqueueRaw(bytes);
    }
  }

  /** Joined clients always have a participant; onJoin creates it before any message is handled. */
  private participantOf(client: Client): Participant {
    const participant = this.state.participants.get(client.sessionId);
    if (participant === undefined) throw new Error(`no participant for session ${client.sessionId}`);
    return participant;
  }

  private isHost(client: Client): boolean {
    return this.state.host === client.sessionId;
  }

  private mayDriveTransport(client: Client, type: MessageType): boolean {
    if (mayDriveTransport(this.options.transport, this.isHost(client))) return true;
    this.reject(client, MessageError.NOT_ALLOWED, type, "in this room only the host controls the transport");
    return false;
  }

  private trackFor(client: Client, type: MessageType, id: string): Track | undefined {
    const track = this.state.tracks.get(id);
    if (track === undefined) this.reject(client, MessageError.NOT_FOUND, type, `no track "${id}" in this room`);
    return track;
  }

  private assertRoomFor(profile: JoinProfile): void {
    const { participants } = this.state;
    if (participants.size >= this.options.maxParticipants) throw refuse.full(this.options.maxParticipants);
    const names = Array.from(participants.values(), (p) => p.name);
    if (isNameTaken(profile.name, names)) throw refuse.nameTaken(profile.name);
  }

  private applyTransport(next: sequencer.Transport): void {
    const before = this.transport;
    this.transport = next;
    this.state.tempo = next.tempo;
    this.state.isPlaying = next.isPlaying;
    this.state.playStartedAt = next.playStartedAt;
    this.state.currentStep = sequencer.currentStep(next, this.now());
    if (before.tempo !== next.tempo || before.isPlaying !== next.isPlaying) this.publishListing();
  }

  private setHost(id: string | undefined): void {
    const previous = this.state.host;
    if (previous === (id ?? "")) return;
    const old = this.state.participants.get(previous);
    if (old !== undefined) old.isHost = false;
    const next = id === undefined ? undefined : this.state.participants.get(id);
    if (next !== undefined) next.isHost = true;
    this.state.host = id ?? "";
    this.log.info({ from: previous, to: id, participants: this.state.participants.size }, "host changed");
  }

  private removeParticipant(id: string, reason: string): void {
    const participant = this.state.participants.get(id);
    if (participant === undefined) return;
    this.state.participants.delete(id);
    this.deps.metrics.sessionDuration.observe(Math.max(0, this.now() - participant.joinedAt) / 1000);
    this.limiters.delete(id);
    if (this.state.host === id) {
      this.setHost(nextHost(Array.from(this.state.participants.values())));
    }
    this.publishListing();
    this.log.info({ sessionId: id, reason, participants: this.state.participants.size }, "participant removed");
  }

  /** The matchmaker listing is what other processes see of this room (`GET /rooms`). */
  private publishListing(): void {
    this.setMetadata({
      roomCode: this.roomId,
      participants: this.state.participants.size,
      maxParticipants: this.options.maxParticipants,
      tempo: this.state.tempo,
      isPlaying: this.state.isPlaying,
    }).catch((error: unknown) => this.log.error({ err: error }, "could not update the room listing"));
  }

  /**
   * A client far over its budget for seconds on end is broken or hostile: it is removed like a
   * kicked participant (no reconnection grace, token revoked) and told why with its close code.
   */
  private removeFlooder(client: Client, category: RateCategory): void {
    this.log.warn({ sessionId: client.sessionId, category, participants: this.state.participants.size }, "flooding client disconnected");
    this.removeParticipant(client.sessionId, `flooding ${category} messages`);
    client.leave(FLOODING_CLOSE_CODE, `too many ${category} messages for too long`);
  }

  /** Ends a participant's reconnection grace now; onLeave then removes it. */
  private cancelReconnection(id: string): void {
    const pending = this.reconnections.get(id);
    if (pending instanceof Deferred) pending.reject(new Error("reconnection cancelled"));
  }

  /**
   * A connection that never finished joining is removed as if it had never come; one that does not
   * read what it is sent is dropped (its reconnection grace applies), so it cannot make the server
   * hold an unbounded backlog for it.
   */
  private cutOffOverLimit(): void {
    for (const [client, verdict] of this.guard.check(this.clients)) {
      const { sessionId } = client;
      this.log.warn({ sessionId, verdict, participants: this.state.participants.size }, "connection cut off");
      this.deps.metrics.connectionsCut.inc({ reason: verdict });
      if (verdict === "half-joined") this.removeParticipant(sessionId, "never finished joining");
      cutOff(client);
    }
  }

  private keepCodeClaimed(): void {
    refreshRoomCode(this.presence, this.roomId).catch((error: unknown) =>
      this.log.error({ err: error }, "could not refresh the room code claim"),
    );
  }
}

/** The room class Colyseus instantiates, bound to this process's settings and logger. */
export function jamRoomWith(deps: JamRoomDeps) {
  return class ConfiguredJamRoom extends JamRoom {
    protected override readonly deps = deps;
  };
}
