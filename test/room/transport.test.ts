import assert from "node:assert/strict";
import { firstMessage } from "../../support/clients";
import { ManualClock } from "../helpers/server";
import { useJamServer } from "../helpers/suite";
import { drive, formulaStep, LEAD_IN_MS, openJam as openTransportJam, refused, sees, stepMsAt, viewOf } from "../helpers/transportJam";

describe("JamRoom", () => {
  const clock = new ManualClock();
  const server = useJamServer({ now: clock.now });
  const openJam = (options: Record<string, unknown> = {}) => openTransportJam(server, clock, options);

  describe('transport policy "host"', () => {
    it("lets the host set the tempo", async () => {
      const { host, guest } = await openJam();

      host.send("tempo", { tempo: 140 });

      await sees(guest, { tempo: 140 });
      await sees(host, { tempo: 140 });
    });

    const attempts: Array<[string, object]> = [
      ["tempo", { tempo: 90 }],
      ["play", {}],
      ["play", { step: 3 }],
      ["pause", {}],
      ["stop", {}],
      ["seek", { step: 5 }],
    ];
    for (const [type, payload] of attempts) {
      it(`answers ${type} ${JSON.stringify(payload)} from a non-host with NOT_ALLOWED and changes nothing`, async () => {
        const { host, guest, serverState } = await openJam();
        // Something to pause or stop: the host plays from step 2.
        await drive(host, "play", { step: 2 }, { isPlaying: true, currentStep: 2 });
        const before = serverState().toJSON();
        const hostGets = firstMessage(host);

        assert.deepEqual(await refused(guest, type, payload), { code: "NOT_ALLOWED", type });

        assert.deepEqual(serverState().toJSON(), before);
        // The host was told nothing: its first message is the guest's marker note.
        guest.send("note", { note: 72, seq: 1 });
        assert.equal((await hostGets).type, "note");
        await sees(guest, viewOf(serverState()));
      });
    }
  });

  describe('transport policy "everyone"', () => {
    it("lets any participant drive the transport", async () => {
      const { host, guest } = await openJam({ transport: "everyone" });
      const start = clock.time;

      await drive(guest, "tempo", { tempo: 150 }, { tempo: 150 });
      await drive(guest, "play", { step: 1 }, { isPlaying: true, currentStep: 1, playStartedAt: start + LEAD_IN_MS - stepMsAt(150) });
      await drive(guest, "seek", { step: 7 }, { isPlaying: true, currentStep: 7 });
      await drive(guest, "pause", {}, { isPlaying: false, currentStep: 7, playStartedAt: 0 });
      await drive(guest, "stop", {}, { isPlaying: false, currentStep: 0, playStartedAt: 0 });
      await sees(host, { tempo: 150, isPlaying: false, currentStep: 0, playStartedAt: 0 });
    });
  });

  describe('onMessage("tempo")', () => {
    it("accepts 20 and 300 BPM", async () => {
      const { host, guest } = await openJam();

      await drive(host, "tempo", { tempo: 20 }, { tempo: 20 });
      await drive(host, "tempo", { tempo: 300 }, { tempo: 300 });
      await drive(host, "tempo", { tempo: 97.5 }, { tempo: 97.5 });
      await sees(guest, { tempo: 97.5 });
    });

    for (const [label, payload] of [
      ["19.9 BPM", { tempo: 19.9 }],
      ["301 BPM", { tempo: 301 }],
      ["0 BPM", { tempo: 0 }],
      ["a string", { tempo: "120" }],
      ["a missing tempo", {}],
    ] as Array<[string, unknown]>) {
      it(`answers ${label} with BAD_REQUEST and keeps the tempo`, async () => {
        const { host, guest, serverState } = await openJam({ tempo: 110 });

        assert.deepEqual(await refused(host, "tempo", payload), { code: "BAD_REQUEST", type: "tempo" });

        assert.equal(serverState().tempo, 110);
        await drive(host, "seek", { step: 3 }, { currentStep: 3 });
        await sees(guest, { tempo: 110, currentStep: 3 });
      });
    }
  });

  describe('onMessage("play")', () => {
    it("starts at now + lead-in from the current step", async () => {
      const { host, guest } = await openJam();
      const start = clock.time;

      await drive(host, "play", {}, { isPlaying: true, currentStep: 0, playStartedAt: start + LEAD_IN_MS });
      await sees(guest, { isPlaying: true, currentStep: 0, playStartedAt: start + LEAD_IN_MS });
    });

    it("holds the start step during the lead-in, then follows the formula", async () => {
      const { host, guest, advance } = await openJam();
      const start = clock.time;
      const stepMs = stepMsAt(120);
      const playStartedAt = start + LEAD_IN_MS - 4 * stepMs;

      await drive(host, "play", { step: 4 }, { isPlaying: true, currentStep: 4, playStartedAt });

      // 50 ms in, the formula alone would say step 3: the start step holds until the lead-in ends.
      assert.equal(formulaStep(playStartedAt, 120, 16, start + 50), 3);
      assert.equal(await advance(50), 4);
      assert.equal(await advance(49), 4);
      assert.equal(await advance(1), 4); // the lead-in ends: step 4 begins
      assert.equal(await advance(stepMs - 1), 4);
      assert.equal(await advance(1), 5);
      assert.equal(await advance(3 * stepMs + 60), 8);
      // Past the end of the loop it wraps: 8 + 10 = 18 → 2.
      assert.equal(await advance(10 * stepMs), 2);
      assert.equal(clock.time - start, LEAD_IN_MS + 14 * stepMs + 60);
      await sees(guest, { isPlaying: true, currentStep: 2, playStartedAt });
    });

    it("starts from a given step", async () => {
      const { host, guest, advance } = await openJam({ tempo: 100 });
      const start = clock.time;
      const stepMs = stepMsAt(100); // 150 ms

      await drive(host, "play", { step: 15 }, { isPlaying: true, currentStep: 15, playStartedAt: start + LEAD_IN_MS - 15 * stepMs });
      assert.equal(await advance(LEAD_IN_MS + stepMs), 0);
      await sees(guest, { currentStep: 0, playStartedAt: start + LEAD_IN_MS - 15 * stepMs });
    });

    it("restarts from a given step while playing", async () => {
      const { host, advance } = await openJam();
      const stepMs = stepMsAt(120);
      await drive(host, "play", {}, { isPlaying: true });
      assert.equal(await advance(LEAD_IN_MS + 5 * stepMs + 10), 5);
      const now = clock.time;

      await drive(host, "play", { step: 12 }, { isPlaying: true, currentStep: 12, playStartedAt: now + LEAD_IN_MS - 12 * stepMs });
      assert.equal(await advance(LEAD_IN_MS + stepMs), 13);
    });

    for (const [label, payload] of [
      ["step = loopSteps", { step: 16 }],
      ["a negative step", { step: -1 }],
      ["a fractional step", { step: 1.5 }],
      ["a string step", { step: "1" }],
    ] as Array<[string, unknown]>) {
      it(`answers ${label} with BAD_REQUEST and does not start`, async () => {
        const { host, serverState } = await openJam();
        const before = serverState().toJSON();

        assert.deepEqual(await refused(host, "play", payload), { code: "BAD_REQUEST", type: "play" });

        assert.deepEqual(serverState().toJSON(), before);
        assert.equal(serverState().isPlaying, false);
      });
    }
  });

  describe('onMessage("pause")', () => {
    it("stops the transport and keeps currentStep; play resumes from there", async () => {
      const { host, guest, advance } = await openJam();
      const stepMs = stepMsAt(120);
      await drive(host, "play", {}, { isPlaying: true });
      assert.equal(await advance(LEAD_IN_MS + 6 * stepMs + 30), 6);

      await drive(host, "pause", {}, { isPlaying: false, currentStep: 6, playStartedAt: 0 });
      await sees(guest, { isPlaying: false, currentStep: 6, playStartedAt: 0 });
      assert.equal(await advance(10_000), 6);

      const resumedAt = clock.time;
      await drive(host, "play", {}, { isPlaying: true, currentStep: 6, playStartedAt: resumedAt + LEAD_IN_MS - 6 * stepMs });
      assert.equal(await advance(LEAD_IN_MS + stepMs), 7);
    });
  });

  describe('onMessage("stop")', () => {
    it("stops the transport and rewinds to step 0", async () => {
      const { host, guest, advance } = await openJam();
      const stepMs = stepMsAt(120);
      await drive(host, "play", { step: 3 }, { isPlaying: true });
      assert.equal(await advance(LEAD_IN_MS + 4 * stepMs), 7);

      await drive(host, "stop", {}, { isPlaying: false, currentStep: 0, playStartedAt: 0 });
      await sees(guest, { isPlaying: false, currentStep: 0, playStartedAt: 0 });
      assert.equal(await advance(5_000), 0);

      const restart = clock.time;
      await drive(host, "play", {}, { isPlaying: true, currentStep: 0, playStartedAt: restart + LEAD_IN_MS });
    });
  });

  describe('onMessage("seek")', () => {
    it("moves the position while stopped; play starts from there", async () => {
      const { host, guest, advance } = await openJam();

      await drive(host, "seek", { step: 9 }, { isPlaying: false, currentStep: 9, playStartedAt: 0 });
      await sees(guest, { isPlaying: false, currentStep: 9, playStartedAt: 0 });
      assert.equal(await advance(3_000), 9);

      const start = clock.time;
      await drive(host, "play", {}, { isPlaying: true, currentStep: 9, playStartedAt: start + LEAD_IN_MS - 9 * stepMsAt(120) });
    });

    it("moves the position while playing and keeps playing from the new step", async () => {
      const { host, guest, serverState, advance } = await openJam();
      const stepMs = stepMsAt(120);
      await drive(host, "play", {}, { isPlaying: true });
      assert.equal(await advance(LEAD_IN_MS + 4 * stepMs + 10), 4);

      await drive(host, "seek", { step: 10 }, { isPlaying: true, currentStep: 10 });
      const seekedAt = clock.time;

      // Whether or not a seek waits out a lead-in, 10 ms past lead-in + 2 steps it is on step 12.
      assert.equal(await advance(LEAD_IN_MS + 2 * stepMs + 10), 12);
      const { playStartedAt } = serverState();
      assert.equal(formulaStep(playStartedAt, 120, 16, clock.time), 12);
      assert.ok(playStartedAt <= seekedAt + LEAD_IN_MS - 10 * stepMs && playStartedAt >= seekedAt - 10 * stepMs - stepMs);
      assert.equal(await advance(5 * stepMs), 1);
      await sees(guest, { isPlaying: true, currentStep: 1, playStartedAt });
    });

    for (const [label, payload] of [
      ["step = loopSteps", { step: 16 }],
      ["step > loopSteps", { step: 200 }],
      ["a negative step", { step: -1 }],
      ["a fractional step", { step: 2.5 }],
      ["a missing step", {}],
    ] as Array<[string, unknown]>) {
      it(`answers ${label} with BAD_REQUEST and keeps the position`, async () => {
        const { host, serverState } = await openJam();
        await drive(host, "seek", { step: 6 }, { currentStep: 6 });

        assert.deepEqual(await refused(host, "seek", payload), { code: "BAD_REQUEST", type: "seek" });

        assert.equal(serverState().currentStep, 6);
      });
    }

    it("bounds seek by the room's own loopSteps", async () => {
      const { host } = await openJam({ loopSteps: 8 });

      assert.deepEqual(await refused(host, "seek", { step: 8 }), { code: "BAD_REQUEST", type: "seek" });
      await drive(host, "seek", { step: 7 }, { currentStep: 7 });
    });
  });

  describe("a long run", () => {
    it("still equals the formula after hours at 300 BPM", async () => {
      const { host, guest, serverState, advance } = await openJam({ tempo: 300 });
      const start = clock.time;
      const playStartedAt = start + LEAD_IN_MS;
      await drive(host, "play", {}, { isPlaying: true, playStartedAt });

      const hour = 3_600_000;
      for (const ms of [3 * hour + 1_234, 5 * hour + 17, 24 * hour + 33, 7 * 24 * hour + 49]) {
        const step = await advance(ms);
        const now = clock.time;
        // Counted independently of the server: 50 ms steps since start + lead-in.
        const expected = Math.floor((now - start - LEAD_IN_MS) / 50) % 16;
        assert.equal(step, expected, `after ${now - start} ms`);
        assert.equal(serverState().playStartedAt, playStartedAt);
      }
      await sees(guest, { tempo: 300, isPlaying: true, playStartedAt });
    });

    it("still equals the formula after hours at a tempo with a fractional step length", async () => {
      const { host, serverState, advance } = await openJam({ tempo: 137 });
      const start = clock.time;
      await drive(host, "play", {}, { isPlaying: true, playStartedAt: start + LEAD_IN_MS });

      for (const ms of [2 * 3_600_000 + 11, 9 * 3_600_000 + 71]) {
        const step = await advance(ms);
        assert.equal(step, formulaStep(serverState().playStartedAt, 137, 16, clock.time));
        assert.equal(step, Math.floor(((clock.time - start - LEAD_IN_MS) * 137 * 4) / 60000) % 16);
      }
    });
  });
});
