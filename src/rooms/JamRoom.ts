/**
 * A jam session: the message gate validates, the rules in `src/rules/` decide, and the room writes
 * the answer into the synced state or relays it. Colyseus workarounds live in the base room.
 */
import type { Client } from "@colyseus/core";
import type { RateCategory } from "../config/rateLimits";
import type { Settings } from "../config/settings";
import type { Logger } from "../logger";
import type { JamMetrics } from "../observability/metrics";
import { CloseCode, MessageError } from "../protocol/codes";
import { messageSchemas, type ClientMessage } from "../protocol/messages";
import { parseJoinProfile, type JoinProfile, type RoomOptions } from "../protocol/options";
import type { ConnectionVerdict } from "../rules/connectionLimits";
import { addTrackRefusal, newTrackId, unknownTrack } from "../rules/pattern";
import { kickRefusal, signalRefusal, transferHostRefusal } from "../rules/roles";
import type { JamState } from "../schema/JamState";
import type { Track } from "../schema/Track";
import type { JamStore } from "../storage/jamStore";
import { ColyseusRoom } from "./ColyseusRoom";
import { assertRoomFor } from "./admit";
import { JamKeeper } from "./jamKeeper";
import { openJam } from "./jamOpening";
import { SAVE_NOW, saveLiveJam } from "./liveJams";
import * as jam from "./jamStateWriter";
import { addMember, memberOf, nameOf, participantOf, removeListener } from "./members";
import { MessageGate, type Handlers } from "./messageGate";
import { broadcast, relayToOthers, relayedEvent, relayedNote, relayedSignal, send } from "./outbox";
import type { CodeClaim } from "./roomCodes";
import type { RecordingWriter } from "./recordingWriter";
import { RoomTransport } from "./roomTransport";
import { markingSaves } from "./savedJams";

export interface JamRoomDeps {
  settings: Settings;
  logger: Logger;
  metrics: JamMetrics;
  store: JamStore;
  /** Writes every recording room's batches of the second together. */
  recordings: RecordingWriter;
}

/** Clients are told to come back this long after the drain ends, when a new process is up. */
const RESTART_MARGIN_MS = 2000;

export abstract class JamRoom extends ColyseusRoom<JamState, jam.JamListing, JoinProfile> {
  protected abstract readonly deps: JamRoomDeps;

  /**
   * Set in onCreate once the code is claimed, before any client can reach the room: only a room
   * that claimed a code releases one. One field for the three: a room's own fields are kept few
   * (ColyseusRoom.ts says why).
   */
  private claimed: { claim: CodeClaim; options: RoomOptions; log: Logger } | undefined;
  /** Set in onCreate; a room whose onCreate failed has none and still answers its patch ticks. */
  private transport: RoomTransport | undefined;
  private gateInstance: MessageGate | undefined;
  /** Set in onCreate: the jam is saved from then on, with its versions and recordings. */
  private keeper: JamKeeper | undefined;

  // ─── lifecycle ────────────────────────────────────────────────────────────────────────────────

  override onCreate(rawOptions: unknown): Promise<void> {
    return this.guardCreate(this.setUp(rawOptions));
  }

  protected override authorize(_client: Client, rawOptions: unknown): JoinProfile {
    const profile = parseJoinProfile(rawOptions, this.deps.settings);
    this.assertRoomFor(profile);
    return profile;
  }

  protected override admit(client: Client, profile: JoinProfile): void {
    // Re-checked: two joins may both have passed `authorize` before either got here.
    this.assertRoomFor(profile);
    const id = client.sessionId;
    const role = addMember(this.state, { id, name: profile.name, instrument: profile.instrument, joinedAt: this.now() }, profile.listener);
    this.gate.open(id);
    // Listeners are neither saved with the jam nor counted in the listing.
    if (role !== "listener") {
      this.keeper?.saving.musicianJoined(profile.name);
      this.publishListing();
    }
    this.logger.info({ sessionId: id, role, participants: this.state.participants.size, listeners: this.state.listeners.size }, "joined");
  }

  /** Musicians and listeners alike keep their place through a dropped connection, for the grace. */
  protected override async depart(client: Client, consented: boolean): Promise<void> {
    const id = client.sessionId;
    const member = memberOf(this.state, id);
    const grace = this.deps.settings.reconnectGraceS;
    if (consented || member === undefined || grace <= 0) return this.removeMember(id, consented ? "left" : "dropped");
    const held = this.holdSeat(client, grace);
    member.connected = false;
    this.logger.info({ sessionId: id, graceS: grace, participants: this.state.participants.size }, "dropped, waiting for reconnection");
    if ((await held) && memberOf(this.state, id) === member) {
      member.connected = true;
      this.deps.metrics.reconnections.inc();
      this.logger.info({ sessionId: id, participants: this.state.participants.size }, "reconnected");
    } else {
      this.removeMember(id, "reconnection grace expired");
    }
  }

  override onBeforePatch(): void {
    this.transport?.beforePatch(this.now());
  }

  protected override needsEveryPatch(): boolean {
    return this.transport?.followsTheClock ?? false;
  }

  protected override async disposed(): Promise<void> {
    if (this.claimed === undefined) return;
    this.logger.info({ participants: this.state.participants.size }, "room disposed");
    // Saved before the code goes: once released, another create may open the jam from the store.
    await this.keeper?.close();
    await this.claimed.claim.release().catch((error: unknown) => this.logger.error({ err: error }, "could not release the room code"));
  }

  /**
   * A deploy is taking this process away (Colyseus has stopped matchmaking already): tell clients
   * when to come back, let the room play on through the drain, then close it.
   */
  override onBeforeShutdown(): void {
    const drainMs = this.deps.settings.shutdownDrainMs;
    broadcast(this, "server-restart", { reconnectInMs: drainMs + RESTART_MARGIN_MS });
    this.logger.info({ drainMs, participants: this.state.participants.size }, "shutting down: clients told, draining");
    this.clock.setTimeout(() => void Promise.resolve(this.keeper?.saving.flush()).then(() => this.disconnect()), drainMs);
  }

  /** Saves the jam now, for a remix of it from any process (liveJams.ts); resolves whether it is saved. */
  [SAVE_NOW](): Promise<boolean> {
    return this.keeper?.saving.settle() ?? Promise.resolve(false);
  }

  protected override get logger(): Logger {
    return this.claimed?.log ?? this.deps.logger;
  }

  protected override onMalformedFrame(): void {
    this.deps.metrics.rejected(MessageError.BAD_REQUEST, "unknown");
  }

  /** A half-joined connection is removed as if it had never come; a slow one keeps its grace. */
  protected override onCutOff(client: Client, verdict: Exclude<ConnectionVerdict, "ok">): void {
    this.logger.warn({ sessionId: client.sessionId, verdict, participants: this.state.participants.size }, "connection cut off");
    this.deps.metrics.connectionsCut.inc({ reason: verdict });
    if (verdict === "half-joined") this.removeMember(client.sessionId, "never finished joining");
  }

  private async setUp(rawOptions: unknown): Promise<void> {
    const { settings, store, metrics, recordings } = this.deps;
    const { claim, options, state, transport, record } = await openJam(rawOptions, this.presence, store, settings, saveLiveJam);
    this.roomId = claim.code;
    this.claimed = { claim, options, log: this.deps.logger.child({ room: claim.code }) };
    this.state = state;
    const current = () => this.state;
    const log = () => this.logger;
    const keeper = new JamKeeper({ store, writer: recordings, metrics, settings, options, record, state: current, log, clock: this.clock });
    this.keeper = keeper;
    const desk = new RoomTransport(
      {
        settings,
        state: current,
        policy: options.transport,
        gate: this.gate,
        keeper,
        patchNow: () => this.broadcastPatch(),
      },
      () => this.publishListing(),
      transport,
    );
    this.transport = desk;
    // Saved at once: opening counts as a use (expiry), and a new jam's code is taken in the store.
    keeper.saving.markDirty();
    this.limitConnections(settings);
    await this.setPrivate(options.private);
    this.publishListing();
    claim.keepAlive(this.clock.setInterval.bind(this.clock), (error) =>
      this.logger.error({ err: error }, "could not refresh the room code claim"),
    );
    this.gate.register((listener) => this.onEveryMessage(listener), messageSchemas(options.loopSteps), JamRoom.handlers, this);
    this.deps.metrics.roomsCreated.inc();
    this.logger.info({ options, participants: 0 }, "room created");
  }

  // ─── messages ─────────────────────────────────────────────────────────────────────────────────

  /**
   * One table for every room; those that can change what is saved mark the jam dirty (savedJams.ts).
   * The transport's messages are the transport's (roomTransport.ts): handlers are registered once it
   * exists.
   */
  private static readonly handlers: Handlers<JamRoom> = markingSaves<JamRoom>(
    {
      note: (room, client, message) => room.relayNote(client, message),
      event: (room, client, message) => relayToOthers(room.clients, client, "event", relayedEvent(message, client.sessionId)),
      chat: (room, client, message) => room.chat(client, message.text),
      instrument: (room, client, { instrument }) => participantOf(room.state, client).assign({ instrument }),
      mute: (room, client, { muted }) => participantOf(room.state, client).assign({ muted }),
      transferHost: (room, client, message) => room.transferHost(client, message.to),
      kick: (room, client, message) => room.kick(client, message.sessionId),
      addTrack: (room, client, message) => room.addTrack(client, message),
      setStep: (room, client, message) => jam.setStep(room.trackFor(client, "setStep", message.track), message),
      clearTrack: (room, client, message) => jam.clearTrack(room.trackFor(client, "clearTrack", message.track)),
      removeTrack: (room, client, { track }) => room.trackFor(client, "removeTrack", track) && room.state.tracks.delete(track),
      ping: (room, client, message) => send(client, "pong", { t: message.t, serverTime: room.now() }),
      signal: (room, client, message) => room.relaySignal(client, message),
      tempo: (room, client, message) => room.desk.tempo(client, message),
      play: (room, client, message) => room.desk.play(client, message),
      pause: (room, client) => room.desk.pause(client),
      stop: (room, client) => room.desk.stop(client),
      seek: (room, client, message) => room.desk.seek(client, message),
      record: (room, client, message) => room.desk.record(client, message),
      restoreVersion: (room, client, message) => room.desk.restoreVersion(client, message),
    },
    (room) => room.keeper?.saving.markDirty(),
  );

  private chat(client: Client, text: string): void {
    broadcast(this, "chat", { senderId: client.sessionId, name: nameOf(this.state, client), text, at: this.now() });
  }

  private relayNote(client: Client, message: ClientMessage<"note">): void {
    const { instrument, name } = participantOf(this.state, client);
    relayToOthers(this.clients, client, "note", relayedNote(message, client.sessionId, instrument));
    this.keeper?.recorder.note(message, name, instrument);
    this.deps.metrics.noteRelayed(this.clients.length - 1);
  }

  private transferHost(client: Client, to: string): void {
    if (this.gate.refused(client, "transferHost", transferHostRefusal(this.state, client.sessionId, to))) return;
    const from = jam.setHost(this.state, to);
    if (from !== null) this.logger.info({ from, to, participants: this.state.participants.size }, "host changed");
  }

  private kick(client: Client, target: string): void {
    if (this.gate.refused(client, "kick", kickRefusal(this.state, client.sessionId, target))) return;
    // Removed first, so `depart` finds no participant and grants no reconnection grace.
    this.removeMember(target, `kicked by ${client.sessionId}`);
    this.releaseSeat(target);
    this.clients.getById(target)?.leave(CloseCode.KICKED, "removed by the host");
  }

  private addTrack(client: Client, message: ClientMessage<"addTrack">): void {
    const { tracks } = this.state;
    const idTaken = message.id !== undefined && tracks.has(message.id);
    if (this.gate.refused(client, "addTrack", addTrackRefusal(tracks.size, this.deps.settings.maxTracks, message.id, idTaken))) return;
    jam.addTrack(this.state, message.id ?? newTrackId((candidate) => tracks.has(candidate)), message.instrument, client.sessionId);
  }

  private relaySignal(client: Client, message: ClientMessage<"signal">): void {
    const connected = this.state.participants.get(message.to)?.connected === true;
    const target = connected ? this.clients.getById(message.to) : undefined;
    if (this.gate.refused(client, "signal", signalRefusal(client.sessionId, message.to, target !== undefined))) return;
    if (target !== undefined) send(target, "signal", relayedSignal(message, client.sessionId));
  }

  // ─── helpers ──────────────────────────────────────────────────────────────────────────────────

  private now(): number {
    return this.deps.settings.now();
  }

  /** Made on first use: `deps` is the subclass's field, not there yet while this class initialises. */
  private get gate(): MessageGate {
    this.gateInstance ??= new MessageGate({
      settings: this.deps.settings,
      metrics: this.deps.metrics,
      log: () => this.logger,
      participants: () => this.state.participants.size,
      isListener: (sessionId) => this.state.listeners.size > 0 && this.state.listeners.has(sessionId),
      onFlood: (client, category) => this.removeFlooder(client, category),
    });
    return this.gateInstance;
  }

  /** The transport's handlers run only once onCreate made it (they are registered after). */
  private get desk(): RoomTransport {
    if (this.transport === undefined) throw new Error("the room has no transport before onCreate");
    return this.transport;
  }

  private get roomOptions(): RoomOptions {
    if (this.claimed === undefined) throw new Error("the room has no options before onCreate");
    return this.claimed.options;
  }

  private trackFor(client: Client, type: "setStep" | "clearTrack" | "removeTrack", id: string): Track | undefined {
    const track = this.state.tracks.get(id);
    if (track === undefined) this.gate.refused(client, type, unknownTrack(id));
    return track;
  }

  private assertRoomFor(profile: JoinProfile): void {
    assertRoomFor(this.state, profile, this.roomOptions.maxParticipants, this.deps.settings.maxListeners);
  }

  /** A musician or a listener, gone for good (left, grace over, kicked, flooding, never joined). */
  private removeMember(id: string, reason: string): void {
    const musician = jam.removeParticipant(this.state, id);
    const outcome = musician ?? removeListener(this.state, id);
    if (outcome === null) return;
    this.deps.metrics.sessionDuration.observe(Math.max(0, this.now() - outcome.removed.joinedAt) / 1000);
    this.gate.close(id);
    const participants = this.state.participants.size;
    if (musician !== null && participants === 0) this.keeper?.bandLeft();
    if (outcome.hostChange !== null) this.logger.info({ ...outcome.hostChange, participants }, "host changed");
    this.publishListing();
    this.logger.info({ sessionId: id, reason, participants }, "participant removed");
  }

  /** The matchmaker listing is what other processes see of this room (`GET /rooms`). */
  private publishListing(): void {
    this.setMetadata(jam.listingOf(this.state, this.roomOptions.maxParticipants)).catch((error: unknown) =>
      this.logger.error({ err: error }, "could not update the room listing"),
    );
  }

  /**
   * A client far over its budget for seconds on end is broken or hostile: it is removed like a
   * kicked participant (no reconnection grace, token revoked) and told why with its close code.
   */
  private removeFlooder(client: Client, category: RateCategory): void {
    this.logger.warn({ sessionId: client.sessionId, category, participants: this.state.participants.size }, "flooding client disconnected");
    this.removeMember(client.sessionId, `flooding ${category} messages`);
    client.leave(CloseCode.FLOODING, `too many ${category} messages for too long`);
  }
}
