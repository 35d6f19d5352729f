/**
 * The contract's "Tempo changes land on a step" and "Transport changes leave at once", on a room
 * whose clock the test moves by hand.
 */
import assert from "node:assert/strict";
import { stateWhere } from "../../support/clients";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";
import { drive, LEAD_IN_MS, openJam as openTransportJam, sees, stepMsAt } from "../helpers/transportJam";

describe("JamRoom > tempo while playing", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now, playLeadInMs: LEAD_IN_MS });
  const openJam = (options: Record<string, unknown> = {}) => openTransportJam(server, clock, options);

  it("announces the change in next… and lands it on the first step boundary a lead-in away", async () => {
    const { host, guest, serverState, advance } = await openJam();
    const start = clock.time;
    const anchor = start + LEAD_IN_MS;
    await drive(host, "play", {}, { isPlaying: true, playStartedAt: anchor });
    // 5.48 steps in at 120 BPM (125 ms a step); 100 ms on is 6.28 steps: the boundary is step 7's.
    assert.equal(await advance(LEAD_IN_MS + 5 * 125 + 60), 5);
    const nextAt = anchor + 7 * 125;

    host.send("tempo", { tempo: 240 });
    const announced = { tempo: 120, playStartedAt: anchor, nextTempo: 240, nextAt, nextPlayStartedAt: nextAt - 7 * stepMsAt(240) };
    await sees(guest, announced);
    assert.equal(await advance(nextAt - 1 - clock.time), 6, "the old tempo until the boundary");
    await sees(guest, { tempo: 120, nextTempo: 240 });

    assert.equal(await advance(2), 7, "the same step count, on the new tempo");
    await sees(guest, { tempo: 240, playStartedAt: announced.nextPlayStartedAt, nextTempo: 0, nextPlayStartedAt: 0, nextAt: 0 });
    assert.equal(serverState().tempo, 240);
    assert.equal(await advance(62.5), 8, "a 240 BPM step later");
  });

  it("replaces a waiting change with a further one before it lands", async () => {
    const { host, guest, advance } = await openJam();
    await drive(host, "play", {}, { isPlaying: true });
    await advance(LEAD_IN_MS + 3 * 125 + 10);
    host.send("tempo", { tempo: 90 });
    await sees(guest, { nextTempo: 90 });
    const { nextAt } = guest.state;
    host.send("tempo", { tempo: 150 });
    await sees(guest, { tempo: 120, nextTempo: 150, nextAt });
  });

  for (const [type, payload] of [
    ["pause", {}],
    ["stop", {}],
    ["seek", { step: 2 }],
  ] as const) {
    it(`drops a waiting change on ${type}, keeping the running tempo`, async () => {
      const { host, guest, advance } = await openJam();
      await drive(host, "play", {}, { isPlaying: true });
      await advance(LEAD_IN_MS + 2 * 125 + 30);
      host.send("tempo", { tempo: 200 });
      await sees(guest, { nextTempo: 200 });
      host.send(type, payload);
      await sees(guest, { tempo: 120, nextTempo: 0, nextPlayStartedAt: 0, nextAt: 0 });
    });
  }

  it("applies a change at once while stopped", async () => {
    const { host, guest } = await openJam();
    host.send("tempo", { tempo: 77 });
    await sees(guest, { tempo: 77, nextTempo: 0, nextAt: 0 });
  });
});

describe("JamRoom > transport changes leave at once", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now, playLeadInMs: LEAD_IN_MS });

  const atOnce: [string, object, (state: { tempo: number; isPlaying: boolean; nextTempo: number; recording: boolean }) => boolean][] = [
    ["play", {}, (s) => s.isPlaying],
    ["tempo", { tempo: 133 }, (s) => s.tempo === 133],
    ["record", { on: true }, (s) => s.recording],
  ];
  for (const [type, payload, shows] of atOnce) {
    it(`sends ${type}'s change in a patch of its own, with the room's patch interval at 10 minutes`, async () => {
      const { host, guest, setPatchRate } = await openTransportJam(server, clock);
      setPatchRate(600_000);
      host.send(type, payload);
      // Without a patch sent at once, the guest would see nothing for 10 minutes.
      await stateWhere(guest, shows);
      if (type === "record") host.send("record", { on: false });
    });
  }

  it("sends a tempo change while playing at once, as an announcement", async () => {
    const { host, guest, setPatchRate } = await openTransportJam(server, clock);
    await drive(host, "play", {}, { isPlaying: true });
    clock.advance(LEAD_IN_MS + 500);
    setPatchRate(600_000);
    host.send("tempo", { tempo: 180 });
    await stateWhere(guest, (s) => s.nextTempo === 180);
  });
});
