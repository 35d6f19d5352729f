/**
 * Musicians editing the shared pattern while they play: each room's host adds a few tracks, then
 * `editorsPerRoom` clients of each room send `setStep`, `ratePerS` each, evenly paced (editors'
 * phases spread over the period, as notes are). Every edit sets a random step of a random track to
 * random values, so an edit the store lost shows as a step that differs. Notes alone never mark a
 * jam dirty: these edits are what makes the server save during a relay run.
 */
import { stateWhere } from "../../support/clients";
import { type JamRoom, onServerMessage } from "./jamClients";
import { paced } from "./pacing";

export const EDITED_TRACKS = ["drums", "bass", "keys", "lead"] as const;
const PREPARE_TIMEOUT_MS = 10_000;

export interface StepView {
  on: boolean;
  note: number;
  velocity: number;
}

/** A room's pattern as a client decoded it, tracks in id order. */
export type PatternView = { id: string; steps: StepView[] }[];

/** Each room's code → the pattern its clients last saw. */
export type PatternsSeen = Record<string, PatternView>;

function patternOf(room: JamRoom): PatternView {
  return Array.from(room.state.tracks.values(), (track) => ({
    id: track.id,
    steps: Array.from(track.steps, (step) => ({ on: step.on, note: step.note, velocity: step.velocity })),
  })).sort((a, b) => a.id.localeCompare(b.id));
}

const randomInt = (from: number, to: number): number => from + Math.floor(Math.random() * (to - from + 1));

export class PatternEditing {
  /** Edits sent while counting. */
  sent = 0;
  refused = 0;
  firstRefusal: string | undefined;
  private counting = false;
  private stopPacing: () => void = () => undefined;

  constructor(
    private readonly rooms: readonly JamRoom[][],
    readonly editorsPerRoom: number,
    readonly ratePerS: number,
  ) {}

  /** The tracks edits go to, in every room, seen by every client before editing starts. */
  async prepare(): Promise<void> {
    for (const members of this.rooms) {
      for (const id of EDITED_TRACKS) members[0].send("addTrack", { id, instrument: id });
      for (const member of members) {
        onServerMessage(member, "error", (error) => {
          if (error.type !== "setStep" && error.type !== "addTrack") return;
          this.refused++;
          this.firstRefusal ??= `${error.code}: ${error.message}`;
        });
      }
    }
    await Promise.all(
      this.rooms.flat().map((room) => stateWhere(room, (state) => state.tracks?.size === EDITED_TRACKS.length, PREPARE_TIMEOUT_MS)),
    );
  }

  start(): void {
    const editors = this.rooms.flatMap((members) => members.slice(0, this.editorsPerRoom));
    this.stopPacing = paced(editors.length, this.ratePerS, (i) => {
      if (this.counting) this.sent++;
      editors[i].send("setStep", {
        track: EDITED_TRACKS[randomInt(0, EDITED_TRACKS.length - 1)],
        step: randomInt(0, editors[i].state.loopSteps - 1),
        on: Math.random() < 0.5,
        note: randomInt(36, 84),
        velocity: randomInt(1, 127),
      });
    });
  }

  count(on: boolean): void {
    this.counting = on;
  }

  stop(): void {
    this.stopPacing();
  }

  /** Each room's pattern as its host last decoded it, and how many clients saw anything else. */
  seen(): { patterns: PatternsSeen; clientsDisagreeing: number } {
    const patterns: PatternsSeen = {};
    let clientsDisagreeing = 0;
    for (const members of this.rooms) {
      const pattern = patternOf(members[0]);
      patterns[members[0].roomId] = pattern;
      const text = JSON.stringify(pattern);
      for (const member of members.slice(1)) if (JSON.stringify(patternOf(member)) !== text) clientsDisagreeing++;
    }
    return { patterns, clientsDisagreeing };
  }
}
