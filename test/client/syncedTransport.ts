/** The client's view of a server transport, for the client's sequencer and scheduler tests. */
import type { TransportState } from "../../client/src";
import * as server from "../../src/rules/sequencer";

export const T0 = 1_800_000_000_000;
export const LEAD_IN = 100;

/**
 * What a client holds after the server applied `transport` and sent the patch at `patchAt`: the
 * room takes in a tempo change whose instant has come before every patch, as `beforePatch` does.
 */
export function synced(sent: server.Transport, patchAt: number): TransportState {
  const transport = server.settle(sent, patchAt);
  return {
    tempo: transport.tempo,
    loopSteps: transport.loopSteps,
    isPlaying: transport.isPlaying,
    playStartedAt: transport.playStartedAt,
    currentStep: server.currentStep(transport, patchAt),
    nextTempo: transport.nextTempo,
    nextPlayStartedAt: transport.nextPlayStartedAt,
    nextAt: transport.nextAt,
  };
}
