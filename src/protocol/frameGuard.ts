/**
 * A cheap structural check of a message frame before msgpack decodes it. Colyseus' decoder
 * allocates an array as long as a header claims before reading its elements, so 16 KB of nested
 * "array of 56,540 elements" headers costs seconds of CPU and a gigabyte of memory for every room
 * on the process. This walk allocates nothing: it refuses any container claiming more elements
 * than bytes are left, and anything that does not end where the frame ends.
 */

/** Bytes a header of `first` takes (after the type byte) and what follows it. */
type Step = {
  header: number;
  payload: "none" | "len8" | "len16" | "len32" | number;
  items?: "n8" | "n16" | "n32" | number;
  perItem?: number;
};

function stepOf(first: number): Step | null {
  if (first <= 0x7f || first >= 0xe0) return { header: 0, payload: "none" }; // fixint
  if (first >= 0x80 && first <= 0x8f) return { header: 0, payload: "none", items: first & 0x0f, perItem: 2 }; // fixmap
  if (first >= 0x90 && first <= 0x9f) return { header: 0, payload: "none", items: first & 0x0f, perItem: 1 }; // fixarray
  if (first >= 0xa0 && first <= 0xbf) return { header: 0, payload: first & 0x1f }; // fixstr
  switch (first) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
      return { header: 0, payload: "none" }; // nil, false, true
    case 0xc4:
    case 0xd9:
      return { header: 0, payload: "len8" }; // bin8, str8
    case 0xc5:
    case 0xda:
      return { header: 0, payload: "len16" };
    case 0xc6:
    case 0xdb:
      return { header: 0, payload: "len32" };
    case 0xc7:
      return { header: 0, payload: "len8", items: 0 }; // ext8: length, then type byte
    case 0xc8:
      return { header: 0, payload: "len16", items: 0 };
    case 0xc9:
      return { header: 0, payload: "len32", items: 0 };
    case 0xca:
      return { header: 0, payload: 4 }; // float32
    case 0xcb:
      return { header: 0, payload: 8 }; // float64
    case 0xcc:
    case 0xd0:
      return { header: 0, payload: 1 };
    case 0xcd:
    case 0xd1:
      return { header: 0, payload: 2 };
    case 0xce:
    case 0xd2:
      return { header: 0, payload: 4 };
    case 0xcf:
    case 0xd3:
      return { header: 0, payload: 8 };
    case 0xd4:
      return { header: 0, payload: 2 }; // fixext1: type + 1
    case 0xd5:
      return { header: 0, payload: 3 };
    case 0xd6:
      return { header: 0, payload: 5 };
    case 0xd7:
      return { header: 0, payload: 9 };
    case 0xd8:
      return { header: 0, payload: 17 };
    case 0xdc:
      return { header: 0, payload: "none", items: "n16", perItem: 1 };
    case 0xdd:
      return { header: 0, payload: "none", items: "n32", perItem: 1 };
    case 0xde:
      return { header: 0, payload: "none", items: "n16", perItem: 2 };
    case 0xdf:
      return { header: 0, payload: "none", items: "n32", perItem: 2 };
    default:
      return null; // 0xc1: never used
  }
}

function readLength(bytes: Uint8Array, at: number, size: 1 | 2 | 4): number | null {
  if (at + size > bytes.length) return null;
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + (bytes[at + i] ?? 0);
  return value;
}

const SIZE = { len8: 1, len16: 2, len32: 4, n8: 1, n16: 2, n32: 4 } as const;

/** Every first byte's step, made once: the walk runs on every message and allocates nothing. */
const STEPS: readonly (Step | null)[] = Array.from({ length: 256 }, (_, first) => stepOf(first));

/**
 * Values still to read in the containers the walk is inside, innermost last: one list for every
 * walk (the walk never runs inside another), so a message costs no allocation.
 */
const pending: number[] = [];
/** What the list keeps after a walk: a frame of nested one-element arrays is as deep as it is long. */
const PENDING_KEPT = 64;

/** Whether `bytes` from `offset` is a sequence of well-formed msgpack values with plausible lengths. */
export function isPlausibleMsgpack(bytes: Uint8Array, offset: number): boolean {
  const plausible = walk(bytes, offset);
  if (pending.length > PENDING_KEPT) pending.length = PENDING_KEPT;
  return plausible;
}

function walk(bytes: Uint8Array, offset: number): boolean {
  let at = offset;
  // How many entries of `pending` are this walk's; the frame itself is open-ended.
  let depth = 0;
  while (at < bytes.length || depth > 0) {
    if (depth > 0) {
      const left = pending[depth - 1] ?? 0;
      if (left === 0) {
        depth--;
        continue;
      }
      pending[depth - 1] = left - 1;
    }
    if (at >= bytes.length) return false;
    const step = STEPS[bytes[at] ?? 0xc1] ?? null;
    if (step === null) return false;
    at += 1;
    let payload: number;
    if (typeof step.payload === "number") payload = step.payload;
    else if (step.payload === "none") payload = 0;
    else {
      const size = SIZE[step.payload];
      const length = readLength(bytes, at, size);
      if (length === null) return false;
      at += size;
      // ext: one type byte after the length
      payload = length + (step.items === 0 ? 1 : 0);
    }
    if (at + payload > bytes.length) return false;
    at += payload;
    if (step.items === undefined || step.items === 0) continue;
    let count: number;
    if (typeof step.items === "number") count = step.items;
    else {
      const size = SIZE[step.items];
      const length = readLength(bytes, at, size);
      if (length === null) return false;
      at += size;
      count = length;
    }
    const values = count * (step.perItem ?? 1);
    // Every value takes at least one byte: a longer claim cannot be true.
    if (values > bytes.length - at) return false;
    pending[depth++] = values;
  }
  return true;
}
