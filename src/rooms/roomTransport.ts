/**
 * The room's transport: the sequencer's timeline and the messages that move it (tempo, play,
 * pause, stop, seek), start or stop a recording, or bring back a version. The room's policy
 * decides who may; the sequencer rule says what follows; the recording hears every change. Every
 * change goes out in a patch at once rather than at the next tick: clients schedule ahead, and a
 * patch's wait would eat their lead-in.
 */
import type { Client } from "@colyseus/core";
import type { Settings } from "../config/settings";
import type { TransportPolicy } from "../protocol/limits";
import type { ClientMessage } from "../protocol/messages";
import { refusal } from "../rules/refusal";
import { restoreVersionRefusal, transportRefusal } from "../rules/roles";
import * as sequencer from "../rules/sequencer";
import type { JamState } from "../schema/JamState";
import * as jam from "./jamStateWriter";
import type { MessageGate } from "./messageGate";
import type { JamKeeper } from "./jamKeeper";
import { replaceTracks } from "./savedJams";

type TransportMessage = "tempo" | "play" | "pause" | "stop" | "seek" | "record" | "restoreVersion";

export interface RoomTransportDeps {
  settings: Pick<Settings, "playLeadInMs" | "now">;
  /** Sends the state's changes now, not at the next patch tick. */
  patchNow: () => void;
  state: () => JamState;
  policy: TransportPolicy;
  gate: MessageGate;
  /** Hears every change (the recording), keeps and restores versions. */
  keeper: JamKeeper;
}

type Move = (transport: sequencer.Transport, now: number) => sequencer.Transport;

export class RoomTransport {
  constructor(
    private readonly deps: RoomTransportDeps,
    /** Playing or not shows in the room's listing. */
    private readonly publishListing: () => void,
    private timeline: sequencer.Transport,
  ) {}

  get isPlaying(): boolean {
    return this.timeline.isPlaying;
  }

  /**
   * Whether `beforePatch` has work at every patch: while playing, `currentStep` follows the clock,
   * and a waiting tempo change must be taken in at its instant. Stopped, nothing moves with time.
   */
  get followsTheClock(): boolean {
    return this.timeline.isPlaying || this.timeline.nextAt !== 0;
  }

  /**
   * Before every patch: a waiting tempo change whose instant has come is taken in (so the first
   * patch at or after `nextAt` carries it; clients switch at `nextAt` by themselves), and
   * `currentStep` follows the clock.
   */
  beforePatch(now: number): void {
    if (!this.timeline.isPlaying) return;
    this.settleIfDue(now);
    this.deps.state().currentStep = sequencer.currentStep(this.timeline, now);
  }

  // The transport's messages, each handed over by the room's handler table (JamRoom.ts).

  tempo(client: Client, { tempo }: ClientMessage<"tempo">): void {
    this.drive(client, "tempo", (s, now) => sequencer.setTempo(s, now, tempo, this.deps.settings.playLeadInMs));
  }

  play(client: Client, { step }: ClientMessage<"play">): void {
    this.drive(client, "play", (s, now) => sequencer.play(s, now, this.deps.settings.playLeadInMs, step));
  }

  pause(client: Client): void {
    this.drive(client, "pause", (s, now) => sequencer.pause(s, now));
  }

  stop(client: Client): void {
    this.drive(client, "stop", (s, now) => sequencer.stop(s, now));
  }

  seek(client: Client, { step }: ClientMessage<"seek">): void {
    this.drive(client, "seek", (s, now) => sequencer.seek(s, now, this.deps.settings.playLeadInMs, step));
  }

  private isHost(client: Client): boolean {
    return this.deps.state().host === client.sessionId;
  }

  private mayDrive(client: Client, type: Exclude<TransportMessage, "restoreVersion">): boolean {
    return !this.deps.gate.refused(client, type, transportRefusal(this.deps.policy, this.isHost(client)));
  }

  private drive(client: Client, type: "tempo" | "play" | "pause" | "stop" | "seek", move: Move): void {
    if (!this.mayDrive(client, type)) return;
    this.move(move);
    this.deps.patchNow();
  }

  private move(move: Move): void {
    const now = this.deps.settings.now();
    this.settleIfDue(now);
    const before = this.timeline;
    this.timeline = move(before, now);
    this.write(before, now, now);
  }

  /** Writes the timeline into the state; the recording hears the change as of `at`. */
  private write(before: sequencer.Transport, now: number, at: number): void {
    const state = this.deps.state();
    if (jam.applySequencer(state, this.timeline, now)) this.publishListing();
    this.deps.keeper.recorder.transportChanged(before, this.timeline, state.currentStep, at);
  }

  /** A waiting tempo change whose instant has come takes over (recorded at that instant). */
  private settleIfDue(now: number): boolean {
    const before = this.timeline;
    this.timeline = sequencer.settle(before, now);
    if (this.timeline === before) return false;
    this.write(before, now, before.nextAt);
    return true;
  }

  record(client: Client, { on }: ClientMessage<"record">): void {
    if (!this.mayDrive(client, "record")) return;
    const { recorder } = this.deps.keeper;
    if (on) recorder.start();
    else void recorder.stop("asked");
    this.deps.patchNow();
  }

  /** The host brings back a version: its pattern, and its tempo by the sequencer's rules. */
  restoreVersion(client: Client, { version }: ClientMessage<"restoreVersion">): void {
    const { gate, keeper, state } = this.deps;
    if (gate.refused(client, "restoreVersion", restoreVersionRefusal(this.isHost(client)))) return;
    void keeper.versions
      .restore(version, (found) => {
        replaceTracks(state(), found.tracks);
        this.move((s, now) => sequencer.setTempo(s, now, found.settings.tempo, this.deps.settings.playLeadInMs));
        keeper.saving.markDirty();
        this.deps.patchNow();
      })
      .then((outcome) => {
        if (outcome === "not found") gate.refused(client, "restoreVersion", refusal("NOT_FOUND", `no version ${version} of this jam`));
      });
  }
}
