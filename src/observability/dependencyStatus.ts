/**
 * What the process knows about the services it depends on (Redis now, the jam database later).
 * Each service registers one probe; `/health` reads the tracked states from memory, `/ready` asks
 * every probe to answer for real, with a short timeout.
 */
export type DependencyName = "redis" | "database";
export type DependencyState = "ok" | "down" | "none";

export interface DependencyProbe {
  /** From the connection state the service's client tracks: never waits on the network. */
  state(): DependencyState;
  /** Whether the service answers a request within `timeoutMs`. */
  answers(timeoutMs: number): Promise<boolean>;
}

export type DependencyStates = Record<DependencyName, DependencyState>;

export interface Readiness {
  ready: boolean;
  states: DependencyStates;
}

/** How long `/ready` waits for a dependency: a probe that answers later counts as down. */
export const READINESS_TIMEOUT_MS = 500;

const NAMES: readonly DependencyName[] = ["redis", "database"];

export class DependencyStatus {
  private readonly probes = new Map<DependencyName, DependencyProbe>();

  register(name: DependencyName, probe: DependencyProbe): void {
    this.probes.set(name, probe);
  }

  /** Unregistered services are "none": not configured. */
  states(): DependencyStates {
    return { redis: this.stateOf("redis"), database: this.stateOf("database") };
  }

  async readiness(timeoutMs = READINESS_TIMEOUT_MS): Promise<Readiness> {
    const answers = await Promise.all(NAMES.map((name) => this.probe(name, timeoutMs)));
    const states = Object.fromEntries(NAMES.map((name, i) => [name, answers[i]])) as DependencyStates;
    return { ready: answers.every((state) => state !== "down"), states };
  }

  private stateOf(name: DependencyName): DependencyState {
    return this.probes.get(name)?.state() ?? "none";
  }

  private async probe(name: DependencyName, timeoutMs: number): Promise<DependencyState> {
    const probe = this.probes.get(name);
    if (probe === undefined) return "none";
    const answered = await probe.answers(timeoutMs).catch(() => false);
    return answered ? "ok" : "down";
  }
}
