import assert from "node:assert/strict";
import { ClientState, SchemaSerializer, type Client } from "@colyseus/core";
import { Decoder } from "@colyseus/schema";
import { MAX_LISTENERS_LIMIT, MAX_LOOP_STEPS, MAX_PARTICIPANTS_LIMIT } from "../../src/protocol/limits";
import { CompactSchemaSerializer, SCRATCH_BYTES } from "../../src/rooms/compactSerializer";
import { JamState } from "../../src/schema/JamState";
import { Listener } from "../../src/schema/Listener";
import { Participant } from "../../src/schema/Participant";
import { Step } from "../../src/schema/Step";
import { Track } from "../../src/schema/Track";

/** The most tracks MAX_TRACKS allows. */
const MAX_TRACKS_ALLOWED = 64;
/** 32 code points of 4 UTF-8 bytes: the longest label in bytes. */
const LONGEST_LABEL = "🎸".repeat(32);

function serializerFor(state: JamState): CompactSchemaSerializer<JamState> {
  const serializer = new CompactSchemaSerializer<JamState>();
  serializer.reset(state);
  return serializer;
}

/** A client of the given state that keeps what it is sent. */
function recordingClient(state: ClientState = ClientState.JOINED): { client: Client; sent: Buffer[] } {
  const sent: Buffer[] = [];
  const client = { state, raw: (bytes: Buffer) => sent.push(bytes) } as unknown as Client;
  return { client, sent };
}

/** A client-side copy of the state, built from a full-state message. */
function replicaFrom(fullState: Buffer): Decoder<JamState> {
  const decoder = new Decoder(new JamState());
  decoder.decode(fullState, { offset: 1 });
  return decoder;
}

function largestState(): JamState {
  const state = new JamState().assign({ roomCode: "ABCDEF", host: "s".repeat(9), loopSteps: MAX_LOOP_STEPS, playStartedAt: Date.now() });
  for (let p = 0; p < MAX_PARTICIPANTS_LIMIT; p++) {
    const id = `session${String(p).padStart(2, "0")}`;
    state.participants.set(
      id,
      new Participant().assign({ id, name: LONGEST_LABEL, instrument: LONGEST_LABEL, joinedAt: Date.now(), muted: true }),
    );
  }
  for (let l = 0; l < MAX_LISTENERS_LIMIT; l++) {
    const id = `listener${String(l).padStart(3, "0")}`;
    state.listeners.set(id, new Listener().assign({ id, name: LONGEST_LABEL, joinedAt: Date.now(), connected: false }));
  }
  for (let t = 0; t < MAX_TRACKS_ALLOWED; t++) {
    const id = `${String(t).padStart(2, "0")}${"t".repeat(30)}`;
    const track = new Track().assign({ id, instrument: LONGEST_LABEL, createdBy: "session00" });
    for (let s = 0; s < MAX_LOOP_STEPS; s++) track.steps.push(new Step().assign({ on: true, note: 127, velocity: 127 }));
    state.tracks.set(id, track);
  }
  return state;
}

describe("CompactSchemaSerializer", () => {
  it("encodes the largest state a room can hold in under half of its shared buffer", () => {
    const fullState = serializerFor(largestState()).getFullState();
    assert.ok(fullState.length < SCRATCH_BYTES / 2, `${fullState.length} bytes`);
    const replica = replicaFrom(fullState).state;
    assert.equal(replica.tracks.size, MAX_TRACKS_ALLOWED);
    assert.equal(replica.participants.size, MAX_PARTICIPANTS_LIMIT);
    assert.equal(replica.listeners.size, MAX_LISTENERS_LIMIT);
  });

  it("keeps each room's full state its own when another room encodes after it", () => {
    const ann = serializerFor(new JamState().assign({ roomCode: "AAAAAA", tempo: 90 }));
    const bob = serializerFor(new JamState().assign({ roomCode: "BBBBBB", tempo: 180 }));

    const annFull = ann.getFullState();
    bob.getFullState();

    assert.deepEqual(replicaFrom(annFull).state.toJSON(), replicaFrom(ann.getFullState()).state.toJSON());
    assert.equal(replicaFrom(annFull).state.roomCode, "AAAAAA");
    assert.equal(replicaFrom(annFull).state.tempo, 90);
  });

  it("sends a patch every joined client can still decode after other rooms have encoded theirs", () => {
    const annState = new JamState().assign({ roomCode: "AAAAAA" });
    const ann = serializerFor(annState);
    const replica = replicaFrom(ann.getFullState());
    const other = serializerFor(new JamState().assign({ roomCode: "BBBBBB" }));
    const joined = recordingClient();
    const joining = recordingClient(ClientState.JOINING);

    annState.tempo = 99;
    annState.isPlaying = true;
    assert.equal(ann.applyPatches([joined.client, joining.client]), true);
    other.getFullState();
    for (let i = 0; i < 3; i++) {
      other.getFullState();
      other.applyPatches([recordingClient().client]);
    }

    assert.equal(joined.sent.length, 1);
    assert.equal(joining.sent.length, 0, "a client still joining gets the full state instead");
    replica.decode(joined.sent[0] ?? Buffer.alloc(0), { offset: 1 });
    assert.equal(replica.state.tempo, 99);
    assert.equal(replica.state.isPlaying, true);
  });

  it("sends nothing when nothing changed", () => {
    const ann = serializerFor(new JamState());
    ann.getFullState();
    const joined = recordingClient();
    ann.applyPatches([joined.client]);

    assert.equal(ann.applyPatches([joined.client]), false);
    assert.equal(joined.sent.length, 1);
  });

  it("hands every room the stock serializer's handshake, encoded once", () => {
    const stock = new SchemaSerializer<JamState>();
    stock.reset(new JamState());
    const ann = serializerFor(new JamState());
    const bob = serializerFor(new JamState());

    assert.deepEqual(ann.handshake(), stock.handshake());
    assert.equal(ann.handshake(), bob.handshake());
  });
});
