import assert from "node:assert/strict";
import type { JamState } from "../../src/schema/JamState";
import { collect, firstMessage, messageWhere, nextMessage, recordMessages, stateWhere } from "../../support/clients";
import { openJam as openJamWith, type Profile } from "../helpers/jam";
import { useJamServer } from "../helpers/suite";

describe("JamRoom", () => {
  const server = useJamServer();

  const openJam = (...profiles: [Profile, ...Profile[]]) => openJamWith(server, ...profiles);

  const trio = () => openJam({ name: "Ann", instrument: "bass" }, { name: "Bob", instrument: "drums" }, { name: "Cy" });

  describe('onMessage("note")', () => {
    it("relays a note to every other participant and never back to the sender", async () => {
      const [ann, bob, cy] = await trio();
      const annGets = firstMessage(ann);
      const bobGets = nextMessage(bob, "note");
      const cyGets = nextMessage(cy, "note");

      ann.send("note", { note: 60, seq: 1 });

      assert.equal((await bobGets).seq, 1);
      assert.equal((await cyGets).seq, 1);
      // Ann's own note would have reached her before anything Bob sends from now on.
      bob.send("note", { note: 62, seq: 2 });
      const annFirst = await annGets;
      assert.equal(annFirst.type, "note");
      assert.deepEqual(annFirst.message, { note: 62, velocity: 100, on: true, seq: 2, senderId: bob.sessionId, instrument: "drums" });
    });

    it("relays exactly { note, velocity, on, step, at, seq, senderId, instrument } when every field is given", async () => {
      const [ann, bob, cy] = await trio();
      const bobGets = nextMessage(bob, "note");
      const cyGets = nextMessage(cy, "note");

      ann.send("note", { note: 64, velocity: 90, on: false, step: 3, at: 1_800_000_000_123.5, seq: 4_000_000_000 });

      const expected = {
        note: 64,
        velocity: 90,
        on: false,
        step: 3,
        at: 1_800_000_000_123.5,
        seq: 4_000_000_000,
        senderId: ann.sessionId,
        instrument: "bass",
      };
      assert.deepEqual(await bobGets, expected);
      assert.deepEqual(await cyGets, expected);
    });

    it("defaults velocity to 100 and on to true, and leaves out step, at and seq when absent", async () => {
      const [ann, bob] = await trio();
      const bobGets = nextMessage(bob, "note");

      ann.send("note", { note: 60 });

      assert.deepEqual(await bobGets, { note: 60, velocity: 100, on: true, senderId: ann.sessionId, instrument: "bass" });
    });

    it("accepts the edges of every range", async () => {
      const [ann, bob] = await trio();
      const received = collect(bob, "note");
      const edges = [
        { note: 0, velocity: 1, on: true, step: 0, at: 0, seq: 0 },
        { note: 127, velocity: 127, on: false, step: 1000, at: -5, seq: 2 ** 32 - 1 },
      ];

      for (const payload of edges) ann.send("note", payload);
      await messageWhere(bob, "note", (note) => note.seq === 2 ** 32 - 1);

      assert.deepEqual(
        received,
        edges.map((payload) => ({ ...payload, senderId: ann.sessionId, instrument: "bass" })),
      );
    });

    it("takes senderId and instrument from the connection, never from the payload, and relays no extra field", async () => {
      const [ann, bob, cy] = await trio();
      const bobGets = nextMessage(bob, "note");

      ann.send("note", { note: 60, senderId: cy.sessionId, instrument: "kazoo", name: "Cy", extra: { evil: true } });

      assert.deepEqual(await bobGets, { note: 60, velocity: 100, on: true, senderId: ann.sessionId, instrument: "bass" });
    });

    it("carries the sender's current instrument after an instrument change", async () => {
      const [ann, bob] = await trio();
      ann.send("instrument", { instrument: "theremin" });
      await stateWhere(bob, (state) => state.participants.get(ann.sessionId)?.instrument === "theremin");
      const bobGets = nextMessage(bob, "note");

      ann.send("note", { note: 60 });

      assert.equal((await bobGets).instrument, "theremin");
    });

    it("delivers a burst from every musician at once whole and in each sender's order", async () => {
      // Notes reaching the server in the same turn leave it in one write per recipient: this is
      // the case where frames for one socket are held and flushed together.
      const band = await openJam({ name: "Ann" }, { name: "Bob" }, { name: "Cy" }, { name: "Dee" });
      const heard = band.map((musician) => collect(musician, "note"));
      const perSender = 20;
      const lastArrivals = band.map((musician, index) =>
        Promise.all(
          band
            .filter((_, other) => other !== index)
            .map((_, position) => {
              const sender = position >= index ? position + 1 : position;
              return messageWhere(musician, "note", (note) => note.seq === sender * 100 + perSender - 1);
            }),
        ),
      );

      for (let k = 0; k < perSender; k++) {
        for (const [index, musician] of band.entries()) musician.send("note", { note: 60 + (k % 12), seq: index * 100 + k });
      }
      await Promise.all(lastArrivals);

      heard.forEach((received, index) => {
        const fromOthers = band.filter((_, other) => other !== index);
        assert.equal(received.length, fromOthers.length * perSender);
        for (const sender of fromOthers) {
          const seqs = received.filter((note) => note.senderId === sender.sessionId).map((note) => note.seq);
          const first = band.indexOf(sender) * 100;
          assert.deepEqual(
            seqs,
            Array.from({ length: perSender }, (_, k) => first + k),
          );
        }
      });
    });

    it("does not change the state", async () => {
      const [ann, bob, cy] = await trio();
      const serverRoom = server.colyseus.getRoomById<JamState>(ann.roomId);
      const before = serverRoom.state.toJSON();
      const bobChanges = collect(bob, "note");

      ann.send("note", { note: 60, step: 2, seq: 1 });
      ann.send("note", { note: 61, velocity: 5, on: false, seq: 2 });
      cy.send("note", { note: 62, at: 1, seq: 3 });
      await Promise.all([messageWhere(bob, "note", (note) => note.seq === 2), messageWhere(bob, "note", (note) => note.seq === 3)]);

      assert.equal(bobChanges.length, 3);
      assert.deepEqual(serverRoom.state.toJSON(), before);
      // Bob's copy agrees with the server's once a later change (Cy's mute) reaches him.
      cy.send("mute", { muted: true });
      await stateWhere(bob, (state) => state.participants.get(cy.sessionId)?.muted === true);
      const after = serverRoom.state.toJSON();
      assert.deepEqual(bob.state.toJSON(), after);
    });

    describe("with an invalid payload", () => {
      const invalid: Array<[string, unknown]> = [
        ["no payload at all", undefined],
        ["a null payload", null],
        ["a number as payload", 60],
        ["a string as payload", "C4"],
        ["an array as payload", [60]],
        ["a missing note", { velocity: 100 }],
        ["note -1", { note: -1 }],
        ["note 128", { note: 128 }],
        ["a fractional note", { note: 60.5 }],
        ["note as a string", { note: "60" }],
        ["velocity 0", { note: 60, velocity: 0 }],
        ["velocity 128", { note: 60, velocity: 128 }],
        ["a fractional velocity", { note: 60, velocity: 99.5 }],
        ["on as a string", { note: 60, on: "yes" }],
        ["on as a number", { note: 60, on: 1 }],
        ["a negative step", { note: 60, step: -1 }],
        ["a fractional step", { note: 60, step: 2.5 }],
        ["at as a string", { note: 60, at: "now" }],
        ["a negative seq", { note: 60, seq: -1 }],
        ["seq above uint32", { note: 60, seq: 2 ** 32 }],
        ["a fractional seq", { note: 60, seq: 1.5 }],
      ];

      for (const [label, payload] of invalid) {
        it(`answers ${label} with BAD_REQUEST to the sender only, relays nothing and keeps the connection open`, async () => {
          const [ann, bob, cy] = await trio();
          const annGets = firstMessage(ann);
          const bobGets = firstMessage(bob);
          const cyGets = firstMessage(cy);

          ann.send("note", payload);
          ann.send("note", { note: 72, seq: 99 });

          const annFirst = await annGets;
          assert.equal(annFirst.type, "error");
          const { code, type, message } = annFirst.message as { code: string; type: string; message: string };
          assert.deepEqual({ code, type }, { code: "BAD_REQUEST", type: "note" });
          assert.equal(typeof message, "string");
          const marker = {
            type: "note",
            message: { note: 72, velocity: 100, on: true, seq: 99, senderId: ann.sessionId, instrument: "bass" },
          };
          assert.deepEqual(await bobGets, marker);
          assert.deepEqual(await cyGets, marker);
          assert.equal(ann.connection.isOpen, true);
        });
      }

      it("answers a raw-bytes note with BAD_REQUEST and relays nothing", async () => {
        const [ann, bob] = await trio();
        const annGets = firstMessage(ann);
        const bobGets = firstMessage(bob);

        ann.sendBytes("note", new Uint8Array([60, 100]));
        ann.send("note", { note: 72, seq: 99 });

        const annFirst = await annGets;
        assert.equal(annFirst.type, "error");
        const { code, type } = annFirst.message as { code: string; type: string };
        assert.deepEqual({ code, type }, { code: "BAD_REQUEST", type: "note" });
        assert.deepEqual((await bobGets).message, {
          note: 72,
          velocity: 100,
          on: true,
          seq: 99,
          senderId: ann.sessionId,
          instrument: "bass",
        });
      });

      it("sends exactly one error per invalid note and keeps relaying the valid ones in order", async () => {
        const [ann, bob] = await trio();
        const annSaw = recordMessages(ann);
        const bobNotes = collect(bob, "note");

        ann.send("note", { note: 60, seq: 1 });
        ann.send("note", { note: 999, seq: 2 });
        ann.send("note", { note: 61, seq: 3 });
        ann.send("note", { note: 62, velocity: 0, seq: 4 });
        ann.send("note", { note: 63, seq: 5 });
        await messageWhere(bob, "note", (note) => note.seq === 5);
        ann.send("ping", { t: 1 });
        await nextMessage(ann, "pong");

        assert.deepEqual(
          bobNotes.map((note) => note.seq),
          [1, 3, 5],
        );
        assert.deepEqual(
          annSaw.map(({ type }) => type),
          ["error", "error", "pong"],
        );
      });
    });
  });
});
