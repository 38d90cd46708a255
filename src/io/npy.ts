/**
 * NumPy .npy reader and writer (format versions 1.0–3.0, C order, little-endian).
 * Reads uint8/uint16/float32/float64 arrays of any rank; frames are 2-D (H, W) or a 3-D stack (N, H, W).
 * Writes 2-D or 3-D uint16/float32 arrays. Fortran order and big-endian data are refused with a clear error.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { dtypeOf, makeFrame, type Frame, type PixelArray, type PixelDtype } from '../core/frame.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR: Record<string, { dtype: PixelDtype; bytes: number }> = {
  '|u1': { dtype: 'uint8', bytes: 1 },
  '<u1': { dtype: 'uint8', bytes: 1 },
  '<u2': { dtype: 'uint16', bytes: 2 },
  '<f4': { dtype: 'float32', bytes: 4 },
  '<f8': { dtype: 'float64', bytes: 8 },
};
const DESCR_OF: Record<PixelDtype, string> = { uint8: '|u1', uint16: '<u2', float32: '<f4', float64: '<f8' };

export interface NpyArray {
  shape: number[];
  dtype: PixelDtype;
  data: PixelArray;
}

/** Where an .npy file's array lies: its shape, dtype, bytes per element and the data's offset. */
export interface NpyLayout {
  shape: number[];
  dtype: PixelDtype;
  bytesPerElement: number;
  dataStart: number;
}

export function parseNpyHeader(bytes: Uint8Array, source: string): NpyLayout {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new InputError(source, 'not a NumPy .npy file (magic bytes \\x93NUMPY missing)');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new InputError(source, 'truncated .npy header');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new InputError(source, `unsupported .npy format version ${major}`);
  }
  if (headerStart + headerLen > bytes.length) throw new InputError(source, 'truncated .npy header');
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new InputError(source, `malformed .npy header: ${header.trim()}`);
  }
  const kind = DESCR[descr];
  if (!kind) {
    throw new InputError(source, `unsupported dtype '${descr}' (supported: uint8, uint16, float32, float64, little-endian)`);
  }
  if (fortran === 'True') throw new InputError(source, 'Fortran-ordered arrays are not supported; save with np.ascontiguousarray');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new InputError(source, `bad shape (${shapeText})`);
  return { shape, dtype: kind.dtype, bytesPerElement: kind.bytes, dataStart: headerStart + headerLen };
}

/** `count` elements of `dtype` from bytes[start…], copied into an aligned typed array. */
export function npyElements(bytes: Uint8Array, start: number, count: number, dtype: PixelDtype, bytesPerElement: number): PixelArray {
  // copy: the data offset need not be a multiple of the element size
  // (Uint8Array.prototype.slice copies; Buffer#slice would return a view of Node's shared pool)
  const raw = Uint8Array.prototype.slice.call(bytes, start, start + count * bytesPerElement).buffer;
  return dtype === 'uint8' ? new Uint8Array(raw) : dtype === 'uint16' ? new Uint16Array(raw) : dtype === 'float32' ? new Float32Array(raw) : new Float64Array(raw);
}

export function parseNpy(bytes: Uint8Array, source: string): NpyArray {
  const { shape, dtype, bytesPerElement, dataStart } = parseNpyHeader(bytes, source);
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * bytesPerElement;
  if (bytes.length - dataStart < need) {
    throw new InputError(source, `truncated .npy data: shape (${shape.join(', ')}) of ${dtype} needs ${need} bytes, file holds ${bytes.length - dataStart}`);
  }
  return { shape, dtype, data: npyElements(bytes, dataStart, count, dtype, bytesPerElement) };
}

/** The file's bytes; an InputError naming it when it cannot be read. */
function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InputError(path, `cannot read: ${(err as Error).message}`);
  }
}

export function readNpy(path: string): NpyArray {
  return parseNpy(readBytes(path), path);
}

/** [N, H, W] of an array that holds frames: a 2-D frame (H, W) is a stack of one; anything else is refused. */
function frameStackShape(shape: number[], path: string): [number, number, number] {
  if (shape.length !== 2 && shape.length !== 3) throw new InputError(path, `expected a 2-D frame (H, W) or a stack (N, H, W), got shape (${shape.join(', ')})`);
  const [n, h, w] = shape.length === 2 ? [1, shape[0], shape[1]] : shape;
  if (h === 0 || w === 0) throw new InputError(path, `empty frame shape (${shape.join(', ')})`);
  return [n, h, w];
}

/** Frames of a 2-D (H, W) or 3-D (N, H, W) .npy file. */
export function readNpyFrames(path: string): Frame[] {
  const arr = readNpy(path);
  const [n, h, w] = frameStackShape(arr.shape, path);
  return Array.from({ length: n }, (_, i) => makeFrame(w, h, arr.data.subarray(i * w * h, (i + 1) * w * h) as PixelArray, { source: path, index: i }));
}

/**
 * The frames of a 2-D or 3-D .npy file one by one, for a run that accounts per frame: a stack cut
 * short still gives its complete frames, and each missing one fails on its own (naming its index).
 */
export function openNpyFrames(path: string): { count: number; read(index: number): Frame } {
  const bytes = readBytes(path);
  const { shape, dtype, bytesPerElement, dataStart } = parseNpyHeader(bytes, path);
  const [n, h, w] = frameStackShape(shape, path);
  const frameBytes = h * w * bytesPerElement;
  return {
    count: n,
    read(index: number): Frame {
      const start = dataStart + index * frameBytes;
      if (start + frameBytes > bytes.length) {
        const what = n > 1 ? `frame ${index} of ${n}` : 'the frame';
        throw new InputError(path, `truncated .npy data: ${what} needs bytes ${start}–${start + frameBytes}, the file ends at ${bytes.length}`);
      }
      return makeFrame(w, h, npyElements(bytes, start, h * w, dtype, bytesPerElement), { source: path, index });
    },
  };
}

export function encodeNpy(shape: number[], data: PixelArray): Uint8Array {
  const descr = DESCR_OF[dtypeOf(data)];
  const shapeText = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shapeText}), }`;
  // pad so that the data starts on a 64-byte boundary, header ends with \n
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export function writeNpyFrame(path: string, frame: Frame): void {
  writeFileAtomic(path, encodeNpy([frame.height, frame.width], frame.data));
}

export function writeNpyArray(path: string, shape: number[], data: PixelArray): void {
  writeFileAtomic(path, encodeNpy(shape, data));
}
