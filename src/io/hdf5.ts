/**
 * HDF5 frames, read and written with h5wasm (the HDF5 C library compiled to WebAssembly: no native
 * build, and it reads and writes the host's files directly in Node).
 * In: an HDF5 file. Every 2-D dataset (H, W) is one frame and every 3-D dataset (N, H, W) N frames,
 * groups walked depth-first with names in order (numbers in numeric order: ev2 before ev10).
 * uint8/uint16/float32/float64 pixels are kept; int8/int16/int32/uint32/int64/uint64 become float32
 * where every value of the frame is exact in it (|v| ≤ 2^24), else float64 (meta.convertedFrom names
 * the stored type).
 * Out: Frames with meta.source, meta.index (running number in the file), meta.dataset (the path
 * inside the file), meta.datasetIndex (the frame's place in a 3-D dataset) and, for CYGNO's
 * `pic_run{run}_ev{event}` datasets, meta.run and meta.event.
 * Ignored (listed by listHdf5Datasets with the reason, never an error): datasets of other ranks,
 * empty ones, non-numeric types (strings, compounds, enums, references …), float16, soft and
 * external links (not followed: a dataset is read once, where it lives), attributes.
 * A frame is read on its own (a hyperslab of one frame), so a stack is never held whole and a
 * damaged chunk loses only its frames.
 */
import { closeSync, fstatSync, readSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Dataset, File as H5File, Group } from 'h5wasm/node';
import { makeDirs } from '../core/atomic-write.js';
import { InputError } from '../core/errors.js';
import { dtypeOf, makeFrame, type Frame, type PixelArray, type PixelDtype } from '../core/frame.js';
import { checkEqualFrames } from './frame-stack.js';
import { cygnoPictureNumbers } from './cygno-names.js';
import { openForReading } from './open-file.js';

type H5wasm = typeof import('h5wasm/node');

let loaded: Promise<H5wasm> | null = null;

/** h5wasm, started once (its WebAssembly module initialises asynchronously) and only when needed. */
function h5wasm(): Promise<H5wasm> {
  loaded ??= (async () => {
    const lib = await import('h5wasm/node');
    const module = await lib.ready;
    // HDF5 errors as exceptions carrying HDF5's error stack: by default the stack is printed on
    // stderr and a failed read returns the buffer unfilled (zeros), which must never become a frame
    module.activate_throwing_error_handler();
    return lib;
  })();
  return loaded;
}

/** One dataset of the file, as listHdf5Datasets reports it. */
export interface Hdf5DatasetInfo {
  /** path inside the file, e.g. "/run_01234/pic_run1234_ev17" */
  path: string;
  shape: number[];
  /** the stored element type: uint16, float32, int32 …, or string, compound, enum, float16 … */
  dtype: string;
  /** frames it gives: 1 for 2-D, N for 3-D (N, H, W), 0 when skipped */
  frames: number;
  /** why it gives no frames (absent when it gives frames) */
  skipped?: string;
}

/** Datasets (and links, which are not followed) of the file, in reading order, without reading pixels. */
export async function listHdf5Datasets(path: string): Promise<Hdf5DatasetInfo[]> {
  const file = await openHdf5(path);
  try {
    return walk(file, path).map(({ dataset: _, ...info }) => info);
  } finally {
    file.close();
  }
}

/** Every frame of the file, in reading order. */
export async function readHdf5Frames(path: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const f of iterateHdf5Frames(path)) frames.push(f);
  return frames;
}

/** The frames of the file one at a time: a 3-D dataset is read one frame (hyperslab) at a time. */
export async function* iterateHdf5Frames(path: string): AsyncGenerator<Frame> {
  const source = await openHdf5Frames(path);
  try {
    for (let i = 0; i < source.count; i++) yield source.read(i);
  } finally {
    source.close();
  }
}

/**
 * The file opened for reading frame by frame (what the trigger uses): the frame count comes from the
 * datasets' shapes; read(i) reads frame i alone and fails alone, an InputError naming the file, the
 * dataset and the frame. An InputError listing what the file holds when it has no frame dataset.
 */
export async function openHdf5Frames(path: string): Promise<{ count: number; read(index: number): Frame; close(): void }> {
  const file = await openHdf5(path);
  let parts: FrameDataset[];
  try {
    const listed = walk(file, path);
    parts = listed.filter((d): d is FrameDataset => d.frames > 0);
    if (parts.length === 0) {
      const held = listed.map((d) => (d.dtype.endsWith(' link') ? `${d.path}: ${d.skipped}` : `${d.path} (${d.shape.join(', ')}) ${d.dtype}: ${d.skipped}`));
      throw new InputError(path, `no 2-D or 3-D numeric dataset to read as frames; the file holds ${held.length ? held.join(', ') : 'no datasets'}`);
    }
  } catch (err) {
    file.close();
    throw err;
  }
  const starts: number[] = [];
  let count = 0;
  for (const p of parts) {
    starts.push(count);
    count += p.frames;
  }
  let open = true;
  return {
    count,
    read(index) {
      if (!open) throw new Error(`${path}: read after close`);
      if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`${path}: frame ${index} out of 0..${count - 1}`);
      let k = parts.length - 1;
      while (starts[k] > index) k--;
      return readFrame(parts[k], index - starts[k], index, path);
    },
    close() {
      if (open) file.close();
      open = false;
    },
  };
}

/** A listed dataset that gives frames, with its h5wasm handle. */
interface FrameDataset extends Hdf5DatasetInfo {
  dataset: Dataset;
}

type Listed = Hdf5DatasetInfo & { dataset?: Dataset };

/**
 * The file's datasets and links in reading order: depth-first, names compared with numbers as
 * numbers. HDF5 lists the links (H5Lvisit), each group once: a group linked twice, or into its own
 * parent, is not walked again, and soft links are not followed.
 */
function walk(file: H5File, source: string): Listed[] {
  const paths = file.paths().map((p) => p.split('/'));
  paths.sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return byName(a[i], b[i]);
    return a.length - b.length;
  });
  const out: Listed[] = [];
  for (const parts of paths) {
    const path = `/${parts.join('/')}`;
    const link = { path, shape: [], frames: 0 };
    const target = file.get_link(path);
    if (target !== null) {
      out.push({ ...link, dtype: 'soft link', skipped: `soft link to ${target} (not followed)` });
      continue;
    }
    const entity = file.get(path);
    // h5wasm's object kinds: Group (its contents are listed on their own), Dataset, ExternalLink,
    // BrokenSoftLink (caught above), Datatype (a named type, no data)
    const kind = (entity as { type?: string } | null)?.type;
    if (kind === 'Dataset') out.push(describe(entity as Dataset, path, source));
    else if (kind === 'ExternalLink') {
      const ext = entity as unknown as { filename: string; obj_path: string };
      out.push({ ...link, dtype: 'external link', skipped: `external link to ${ext.filename}:${ext.obj_path} (not followed)` });
    }
  }
  return out;
}

function byName(a: string, b: string): number {
  return a === b ? 0 : a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : 1);
}

// HDF5 type classes (H5T_class_t) as h5wasm reports them in metadata.type
const TYPE_CLASS: Record<number, string> = { 2: 'time', 3: 'string', 4: 'bitfield', 5: 'opaque', 6: 'compound', 7: 'reference', 8: 'enum', 9: 'variable-length', 10: 'array' };

function describe(dataset: Dataset, path: string, source: string): Listed {
  let meta;
  try {
    meta = dataset.metadata;
  } catch (err) {
    throw new InputError(source, `dataset '${path}': cannot read its header: ${hdf5Reason(err)}`);
  }
  const shape = meta.shape ?? [];
  const dtype = meta.type === 0 ? `${meta.signed ? 'int' : 'uint'}${meta.size * 8}` : meta.type === 1 ? `float${meta.size * 8}` : TYPE_CLASS[meta.type] ?? `type class ${meta.type}`;
  const info = { path, shape, dtype, frames: 0 };
  if (!(dtype in PIXELS)) return { ...info, skipped: `${dtype} is not a pixel type (read: ${Object.keys(PIXELS).join(', ')})` };
  if (shape.length !== 2 && shape.length !== 3) return { ...info, skipped: `${shape.length}-D (frames are 2-D (H, W) or 3-D (N, H, W))` };
  if (shape.some((n) => n === 0)) return { ...info, skipped: 'empty' };
  return { ...info, frames: shape.length === 2 ? 1 : shape[0], dataset };
}

/** Stored type → how its pixels become a PixelArray: kept, or converted (to float32 where exact). */
const PIXELS: Record<string, 'keep' | 'convert'> = {
  uint8: 'keep', uint16: 'keep', float32: 'keep', float64: 'keep',
  int8: 'convert', int16: 'convert', int32: 'convert', uint32: 'convert', int64: 'convert', uint64: 'convert',
};

function readFrame(part: FrameDataset, k: number, index: number, source: string): Frame {
  const [h, w] = part.shape.slice(-2);
  const where = part.shape.length === 3 ? `dataset '${part.path}' frame ${k}` : `dataset '${part.path}'`;
  let raw;
  try {
    // [1, H, W] of a stack, or the whole (H, W); h5wasm copies out of its heap, so the frame owns its pixels
    raw = part.shape.length === 3 ? part.dataset.slice([[k, k + 1], [], []]) : part.dataset.value;
  } catch (err) {
    throw new InputError(source, `${where}: cannot read: ${hdf5Reason(err)}`);
  }
  if (!ArrayBuffer.isView(raw) || (raw as ArrayLike<unknown>).length !== w * h) {
    throw new InputError(source, `${where}: read gave no ${w}×${h} pixel array`);
  }
  const meta: Record<string, unknown> = { source, index, dataset: part.path };
  if (part.shape.length === 3) meta.datasetIndex = k;
  let data: PixelArray;
  if (PIXELS[part.dtype] === 'keep') data = raw as PixelArray;
  else {
    data = exactFloat(raw as ArrayLike<number | bigint>);
    meta.convertedFrom = part.dtype;
  }
  return makeFrame(w, h, data, { ...meta, ...cygnoPictureNumbers(part.path) });
}

/** Integers as float32 when every one is exact in it (|v| ≤ 2^24), else float64 (exact to 2^53). */
function exactFloat(values: ArrayLike<number | bigint>): Float32Array | Float64Array {
  const n = values.length;
  const f64 = new Float64Array(n);
  let fitsF32 = true;
  for (let i = 0; i < n; i++) {
    const v = Number(values[i]);
    f64[i] = v;
    if (v > 16_777_216 || v < -16_777_216) fitsF32 = false;
  }
  return fitsF32 ? Float32Array.from(f64) : f64;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // \x89HDF\r\n\x1a\n

/** Whether `head` starts with the HDF5 signature. */
export function isHdf5Magic(head: Uint8Array): boolean {
  return head.length >= 8 && SIGNATURE.every((b, i) => head[i] === b);
}

/**
 * Whether the file has the HDF5 signature where HDF5 looks for it: at byte 0, or after a user block
 * at 512, 1024, 2048, …. Checked before h5wasm sees the file: its HDF5 errors each leak a file
 * descriptor, and a file of another kind is the commonest error.
 */
function hasHdf5Signature(path: string): boolean {
  const fd = openForReading(path); // missing, a directory, no permission: the message every reader gives
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(8);
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      if (readSync(fd, head, 0, 8, at) === 8 && isHdf5Magic(head)) return true;
    }
    return false;
  } catch (err) {
    throw new InputError(path, `cannot read: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** The file opened read-only; an InputError naming it when it is missing or not (readable) HDF5. */
async function openHdf5(path: string): Promise<H5File> {
  if (!hasHdf5Signature(path)) throw new InputError(path, 'not an HDF5 file (no HDF5 signature at byte 0, 512, 1024, …)');
  const lib = await h5wasm();
  let file: H5File;
  try {
    file = new lib.File(path, 'r');
  } catch (err) {
    throw new InputError(path, `cannot open as HDF5: ${hdf5Reason(err)}`);
  }
  if (file.file_id < 0n) throw new InputError(path, 'cannot open as HDF5');
  return file;
}

/**
 * The innermost message of an HDF5 error stack ("filter returned failure during read"), a truncation
 * stated in bytes; other errors' own message.
 */
function hdf5Reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split('\n').map((l) => /#\d+:.* in [\w]+\(\): (.*)$/.exec(l)?.[1]).filter((m): m is string => m !== undefined);
  const reason = lines.at(-1) ?? text.trim();
  const cut = /truncated file: eof = (\d+).*stored_eof = (\d+)/.exec(reason);
  if (cut) return `truncated: the file has ${cut[1]} bytes, its superblock says ${cut[2]}`;
  return reason;
}

export interface Hdf5WriteOptions {
  /** 'stack' (default): one dataset, (N, H, W) for several frames, (H, W) for one. 'cygno': one
   * (H, W) dataset per frame named pic_run{run}_ev{event} from meta.run and meta.event. */
  layout?: 'stack' | 'cygno';
  /** the stack's dataset path; groups on the way are made. Default "frames". */
  dataset?: string;
}

const H5_DTYPE: Record<PixelDtype, string> = { uint8: '<B', uint16: '<H', float32: '<f', float64: '<d' };

/**
 * Write frames to an HDF5 file, atomic (a temporary name in the same directory, then renamed).
 * A stack needs frames of one size and pixel type; it is chunked one frame per chunk, uncompressed,
 * and written frame by frame.
 */
export async function writeHdf5Frames(path: string, frames: readonly Frame[], options: Hdf5WriteOptions = {}): Promise<void> {
  const layout = options.layout ?? 'stack';
  if (frames.length === 0) throw new InputError(path, 'no frames to write');
  if (layout === 'cygno' && options.dataset !== undefined) {
    throw new InputError(path, "the cygno layout names its datasets pic_run{run}_ev{event}; option 'dataset' is for the stack layout");
  }
  const names = layout === 'cygno' ? cygnoNames(frames, path) : [];
  const stackName = options.dataset ?? 'frames';
  if (layout === 'stack') checkEqualFrames(frames, path, 'an HDF5 stack');
  if (stackName.split('/').every((p) => p.length === 0)) throw new InputError(path, `bad dataset name '${stackName}'`);
  const lib = await h5wasm();
  makeDirs(dirname(path));
  const tmp = `${path}.tmp-${process.pid}-${Math.floor(performance.now() * 1000)}`;
  try {
    const file = new lib.File(tmp, 'w');
    try {
      if (layout === 'cygno') frames.forEach((f, k) => writeDataset(file, names[k], [f.height, f.width], f.data));
      else writeStack(file, stackName, frames);
    } finally {
      file.close();
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof InputError) throw err;
    throw new InputError(path, `cannot write: ${hdf5Reason(err)}`);
  }
}

function cygnoNames(frames: readonly Frame[], path: string): string[] {
  const seen = new Map<string, number>();
  return frames.map((f, k) => {
    const { run, event } = f.meta;
    if (!isCount(run) || !isCount(event)) {
      throw new InputError(path, `frame ${k} has no run and event numbers in its meta (run ${String(run)}, event ${String(event)}); the cygno layout names datasets pic_run{run}_ev{event}`);
    }
    const name = `pic_run${run}_ev${event}`;
    if (seen.has(name)) throw new InputError(path, `frames ${seen.get(name)} and ${k} are both ${name}`);
    seen.set(name, k);
    return name;
  });
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function writeStack(file: H5File, name: string, frames: readonly Frame[]): void {
  const [first] = frames;
  if (frames.length === 1) {
    writeDataset(file, name, [first.height, first.width], first.data);
    return;
  }
  const { width: w, height: h } = first;
  // created with frame 0 and grown to N: the whole stack is never copied into the WebAssembly heap
  const dataset = writeDataset(file, name, [1, h, w], first.data, { maxshape: [frames.length, h, w], chunks: [1, h, w] });
  dataset.resize([frames.length, h, w]);
  for (let k = 1; k < frames.length; k++) dataset.write_slice([[k, k + 1], [], []], frames[k].data);
}

function writeDataset(file: H5File, name: string, shape: number[], data: PixelArray, layout: { maxshape?: number[]; chunks?: number[] } = {}): Dataset {
  const parts = name.split('/').filter((p) => p.length > 0);
  let group: Group = file;
  for (const g of parts.slice(0, -1)) {
    const existing = group.get(g);
    group = existing === null ? group.create_group(g) : (existing as Group);
  }
  return group.create_dataset({ name: parts.at(-1) as string, data, shape, dtype: H5_DTYPE[dtypeOf(data)], ...layout });
}
