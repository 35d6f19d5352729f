/**
 * Colyseus' SchemaSerializer with the room's encode buffers shared by every room of the process.
 *
 * The stock serializer gives each room three 8 KiB buffers (patch encoding, full-state encoding,
 * the type handshake): 24 KiB of an idle room's ~60 KiB. Encoding is synchronous, so one scratch
 * buffer per kind serves all rooms, provided nothing keeps a view into it: a patch or full state
 * leaves here as its own exact-size copy (a socket that cannot flush at once holds on to what it
 * was given, so handing out a view of a reused buffer would let the next encode rewrite bytes
 * still queued for a slow client), and the handshake, the same for every room of a state class,
 * is encoded once per class.
 *
 * It also says when the state changes: every write anywhere (handlers, timers, async callbacks,
 * joins) enqueues its change tree on the encoder's root, so a hook there lets the room's patch
 * scheduler leave a room alone until it has something to send (patchScheduler.ts).
 */
import { Protocol, SchemaSerializer, ClientState, type Client } from "@colyseus/core";
import { Reflection, type Encoder, type Schema } from "@colyseus/schema";

/**
 * Larger than the largest jam state (64 tracks × 64 steps and 16 participants with the longest
 * labels encode to well under half of it: test/unit/compactSerializer.test.ts), so encoding never
 * takes the encoder's overflow path, which warns on the console and allocates on every call.
 */
export const SCRATCH_BYTES = 256 * 1024;

const patchScratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
const fullStateScratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
// getFullState encodes from offset 1; the message type byte in front is the same for every room.
fullStateScratch[0] = Protocol.ROOM_STATE;

const handshakes = new WeakMap<object, Buffer>();

type Root = Encoder["root"];

export class CompactSchemaSerializer<T extends Schema> extends SchemaSerializer<T> {
  /** `onChange` is called whenever the state gets a change to send (often: keep it cheap). */
  constructor(private readonly onChange: () => void = () => undefined) {
    super();
  }

  /** Whether a patch would carry anything. */
  get hasChanges(): boolean {
    return this.encoder.hasChanges;
  }

  override reset(state: T): void {
    super.reset(state);
    if (this.hasFilters) throw new Error("CompactSchemaSerializer does not support @view/@owned fields");
    // The buffers the stock serializer just allocated become garbage; these are shared.
    this.encoder.sharedBuffer = patchScratch;
    this.fullEncodeBuffer = fullStateScratch;
    const root = this.encoder.root;
    const enqueue = root.enqueueChangeTree;
    const onChange = this.onChange;
    // @colyseus/schema 3.0 queues each changed structure here, from every setter and collection.
    root.enqueueChangeTree = function (this: Root, ...args: Parameters<Root["enqueueChangeTree"]>): void {
      onChange();
      enqueue.apply(this, args);
    };
    // The new state's own changes were queued while the encoder was made, before the hook.
    if (this.encoder.hasChanges) onChange();
  }

  override getFullState(client?: Client): Buffer {
    const encoded = super.getFullState(client);
    if (encoded.buffer !== fullStateScratch.buffer) return encoded; // the cached copy
    // Unpooled: a long-lived slice of Node's shared pool would pin a whole 8 KiB slab per room.
    this.fullEncodeCache = Buffer.allocUnsafeSlow(encoded.length);
    encoded.copy(this.fullEncodeCache);
    return this.fullEncodeCache;
  }

  /** The stock applyPatches without views (reset refuses filtered state), sending a copy. */
  override applyPatches(clients: Client[]): boolean {
    if (clients.length === 0) {
      this.encoder.discardChanges();
      return false;
    }
    if (!this.encoder.hasChanges) return false;
    this.needFullEncode = true;
    patchScratch[0] = Protocol.ROOM_STATE_PATCH;
    // Short-lived, so a slice of Node's buffer pool is the cheapest copy.
    const patch = Buffer.from(this.encoder.encode({ offset: 1 }));
    for (const client of clients) {
      if (client.state === ClientState.JOINED) client.raw(patch);
    }
    this.encoder.discardChanges();
    return true;
  }

  override handshake(): Buffer {
    const stateClass = this.encoder.state.constructor;
    let handshake = handshakes.get(stateClass);
    if (handshake === undefined) {
      handshake = Buffer.from(Reflection.encode(this.encoder));
      handshakes.set(stateClass, handshake);
    }
    return handshake;
  }
}
