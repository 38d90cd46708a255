/**
 * Baseline TIFF writer for grayscale frames: little-endian classic TIFF, uncompressed, one strip
 * per page, any number of pages (a stack of frames is one multi-page file, as the cameras write).
 * In: frames of uint8 / uint16 (unsigned) or float32 / float64 (SampleFormat 3) pixels; pages may
 * differ in size and type. Out: the file bytes, or an atomic write of them.
 * Ignored: frame metadata (only a string meta.description is kept, as ImageDescription), resolution
 * tags (optional in practice: libtiff, tifffile, ImageJ and geotiff read files without them).
 *
 * Our own writer because geotiff writes a single page only, and a baseline multi-page file is a short
 * list of directories: layout is header, then per page its pixel data followed by its IFD.
 */
import { writeFileAtomic } from '../core/atomic-write.js';
import { dtypeOf, type Frame } from '../core/frame.js';

const SHORT = 3;
const LONG = 4;
const ASCII = 2;

interface Entry {
  tag: number;
  type: number;
  values: number[] | Uint8Array; // Uint8Array for ASCII (NUL-terminated)
}

const BITS = { uint8: 8, uint16: 16, float32: 32, float64: 64 } as const;

export function encodeTiff(frames: readonly Frame[]): Uint8Array {
  if (frames.length === 0) throw new Error('cannot write a TIFF file with no frames');
  // 1. lay out every page: pixel data (2-byte aligned) then its IFD (2-byte aligned, as TIFF requires)
  const plans: { frame: Frame; dataAt: number; ifdAt: number; entries: Entry[]; extraAt: number }[] = [];
  let at = 8;
  for (const frame of frames) {
    const dtype = dtypeOf(frame.data);
    const dataBytes = frame.data.byteLength;
    const dataAt = at;
    at = even(at + dataBytes);
    const description = typeof frame.meta.description === 'string' ? frame.meta.description : undefined;
    const entries: Entry[] = [
      { tag: 254, type: LONG, values: [0] }, // NewSubfileType: a full-resolution page
      { tag: 256, type: LONG, values: [frame.width] },
      { tag: 257, type: LONG, values: [frame.height] },
      { tag: 258, type: SHORT, values: [BITS[dtype]] },
      { tag: 259, type: SHORT, values: [1] }, // no compression
      { tag: 262, type: SHORT, values: [1] }, // BlackIsZero
      ...(description !== undefined ? [{ tag: 270, type: ASCII, values: latin1z(description) }] : []),
      { tag: 273, type: LONG, values: [dataAt] },
      { tag: 277, type: SHORT, values: [1] },
      { tag: 278, type: LONG, values: [frame.height] }, // one strip holds the whole page
      { tag: 279, type: LONG, values: [dataBytes] },
      { tag: 284, type: SHORT, values: [1] }, // chunky (irrelevant for one sample, but expected)
      { tag: 339, type: SHORT, values: [dtype === 'float32' || dtype === 'float64' ? 3 : 1] },
    ];
    const ifdAt = at;
    at += 2 + entries.length * 12 + 4;
    const extraAt = at; // values longer than 4 bytes (the description) follow the IFD
    for (const e of entries) if (valueBytes(e) > 4) at = even(at + valueBytes(e));
    plans.push({ frame, dataAt, ifdAt, entries, extraAt });
  }
  if (at > 0xffffffff) {
    throw new Error(`TIFF output of ${at} bytes exceeds the 4 GiB limit of classic TIFF: write fewer frames per file`);
  }

  // 2. fill the bytes
  const out = new Uint8Array(at);
  const view = new DataView(out.buffer);
  out[0] = 0x49; // "II": little-endian
  out[1] = 0x49;
  view.setUint16(2, 42, true);
  view.setUint32(4, plans[0].ifdAt, true);
  for (let p = 0; p < plans.length; p++) {
    const { frame, dataAt, ifdAt, entries } = plans[p];
    writeSamplesLE(out, dataAt, frame);
    view.setUint16(ifdAt, entries.length, true);
    let extra = plans[p].extraAt;
    entries.forEach((e, i) => {
      const o = ifdAt + 2 + i * 12;
      view.setUint16(o, e.tag, true);
      view.setUint16(o + 2, e.type, true);
      view.setUint32(o + 4, e.values.length, true);
      const size = valueBytes(e);
      const target = size > 4 ? extra : o + 8;
      if (size > 4) {
        view.setUint32(o + 8, extra, true);
        extra = even(extra + size);
      }
      if (e.values instanceof Uint8Array) out.set(e.values, target);
      else e.values.forEach((v, k) => (e.type === SHORT ? view.setUint16(target + 2 * k, v, true) : view.setUint32(target + 4 * k, v, true)));
    });
    view.setUint32(ifdAt + 2 + entries.length * 12, p + 1 < plans.length ? plans[p + 1].ifdAt : 0, true);
  }
  return out;
}

/** Write frames as one (multi-page) TIFF; atomic, so a failed write leaves no partial file. */
export function writeTiffFrames(path: string, frames: readonly Frame[]): void {
  writeFileAtomic(path, encodeTiff(frames));
}

function even(n: number): number {
  return n + (n & 1);
}

function valueBytes(e: Entry): number {
  return e.values.length * (e.type === SHORT ? 2 : e.type === LONG ? 4 : 1);
}

function latin1z(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length + 1);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes[i] = c < 256 ? c : 0x3f; // '?' for characters TIFF ASCII cannot hold
  }
  return bytes;
}

const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeSamplesLE(out: Uint8Array, at: number, frame: Frame): void {
  const data = frame.data;
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  out.set(raw, at);
  if (!HOST_LITTLE && data.BYTES_PER_ELEMENT > 1) {
    const size = data.BYTES_PER_ELEMENT;
    for (let i = at; i < at + raw.length; i += size) out.subarray(i, i + size).reverse();
  }
}
