/**
 * Format dispatch used by every command: which reader or writer a path needs, which files of a
 * directory are frames, and whether a frame is fit to process.
 * In: paths to .npy (2-D frame or (N, H, W) stack), .tif/.tiff/.MTIFF (single or multi-page), .root
 * (every 2-D histogram in the file), MIDAS .mid/.mid.gz/.mid.lz4 (camera banks, midas-frames.ts) and
 * HDF5 .h5/.hdf5/.hdf (every 2-D dataset, every 3-D dataset's frames; hdf5.ts) files, or directories
 * holding them.
 * Out: Frames with meta.source and meta.index; InputErrors that name the file and list the choices.
 * The format is chosen by the file's magic bytes first (a renamed file still reads), its extension
 * second. Ignored in directories: truth files (*.truth.json), hidden files, leftovers of interrupted
 * atomic writes (*.tmp-*) and anything without a frame extension.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { InputError } from '../core/errors.js';
import { firstNonFinite, type Frame, type PixelArray } from '../core/frame.js';
// hdf5.ts loads h5wasm (the HDF5 library as 4 MB of WebAssembly) on first use, not on import
import { isHdf5Magic, iterateHdf5Frames, openHdf5Frames, readHdf5Frames, writeHdf5Frames } from './hdf5.js';
import { midasFrames } from './midas-frames.js';
import { openNpyFrames, readNpyFrames, writeNpyArray, writeNpyFrame } from './npy.js';
import { checkEqualFrames } from './frame-stack.js';
import { readHead } from './open-file.js';
import { isTiffMagic, readTiffFrames, TiffReader, writeTiffFrames } from './tiff.js';

export type FrameFormat = 'npy' | 'tiff' | 'root' | 'midas' | 'hdf5';

// .MTIFF: MIGDAL's raw camera data, multi-page TIFF stacks under their own extension
const EXTENSIONS: Record<string, FrameFormat> = {
  '.npy': 'npy',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.mtiff': 'tiff',
  '.root': 'root',
  '.h5': 'hdf5',
  '.hdf5': 'hdf5',
  '.hdf': 'hdf5',
};
const WRITABLE = ['.npy', '.tif', '.tiff', '.h5', '.hdf5'];
const SUPPORTED_TEXT =
  'NumPy .npy, TIFF .tif/.tiff/.MTIFF, ROOT .root (2-D histograms), MIDAS .mid/.mid.gz/.mid.lz4, HDF5 .h5/.hdf5/.hdf (2-D/3-D datasets)';
/** A MIDAS run's name: its compressed forms are told from other .gz/.lz4 files by it. */
const MIDAS_NAME = /\.mid(\.gz|\.lz4)?$/i;

/** Format of a file: magic bytes first, extension second; null when neither is known. */
export function detectFormat(path: string): FrameFormat | null {
  const head = readHead(path, 8);
  if (head.length >= 6 && head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY') return 'npy';
  if (isTiffMagic(head)) return 'tiff';
  if (head.length >= 4 && String.fromCharCode(...head.subarray(0, 4)) === 'root') return 'root';
  // HDF5: the signature at byte 0; one after a user block (byte 512, 1024, …) is found by the extension
  if (isHdf5Magic(head)) return 'hdf5';
  // MIDAS: a begin-of-run event (id 0x8000, trigger mask "MI") first; a .mid/.mid.gz/.mid.lz4 name
  // (compressed, or a run split without its begin-of-run) is given to the MIDAS reader to judge
  if (head.length >= 4 && head[0] === 0x00 && head[1] === 0x80 && head[2] === 0x4d && head[3] === 0x49) return 'midas';
  if (MIDAS_NAME.test(path)) return 'midas';
  return EXTENSIONS[extname(path).toLowerCase()] ?? null;
}

/** Every frame of one file, in file order. */
export async function readFrames(path: string): Promise<Frame[]> {
  const format = detectFormat(path);
  switch (format) {
    case 'npy':
      return readNpyFrames(path);
    case 'tiff':
      return readTiffFrames(path);
    case 'root': {
      // loaded on demand: jsroot is large and most runs never see a ROOT file
      const { readRootFrames } = await import('./root.js');
      return readRootFrames(path);
    }
    case 'midas': {
      const frames: Frame[] = [];
      for await (const f of midasFrames(path)) frames.push(f);
      return frames;
    }
    case 'hdf5':
      return readHdf5Frames(path);
    default:
      throw new InputError(path, `unknown frame file format (supported: ${SUPPORTED_TEXT})`);
  }
}

/** The frames of one file, each read (and failing) on its own. Close it when done. */
export interface FrameSource {
  /** Frames the file declares (an .npy stack's N, a TIFF's pages), whether or not all are intact. */
  readonly count: number;
  /** Frame `index`; an InputError naming the file and the frame when that frame cannot be read. */
  read(index: number): Frame;
  close(): void;
}

/**
 * Opens a frame file for reading frame by frame: what the trigger uses so that a damaged stack loses
 * only its damaged frames. Throws (the whole file lost) when not even the frame count can be read.
 */
export async function openFrameSource(path: string): Promise<FrameSource> {
  const format = detectFormat(path);
  if (format === 'npy') return { ...openNpyFrames(path), close: () => {} };
  if (format === 'tiff') {
    const reader = TiffReader.open(path);
    return { count: reader.pageCount, read: (i) => reader.readPage(i), close: () => reader.close() };
  }
  if (format === 'hdf5') return openHdf5Frames(path); // frame by frame, as TIFF
  const frames = await readFrames(path); // ROOT: the histograms are read together
  return { count: frames.length, read: (i) => frames[i], close: () => {} };
}

/**
 * The frames of one file one at a time, for runs that do not fit in memory: a multi-page TIFF is read
 * page by page (a 200-frame MIGDAL file is about 0.9 GB of pixels), a MIDAS run event by event, an
 * HDF5 stack frame by frame; other formats are read whole.
 * Stopping early (break) closes the file.
 */
export async function* iterateFrames(path: string): AsyncGenerator<Frame> {
  const format = detectFormat(path);
  if (format === 'midas') {
    yield* midasFrames(path); // event by event: a run is never held whole
    return;
  }
  if (format === 'hdf5') {
    yield* iterateHdf5Frames(path);
    return;
  }
  if (format !== 'tiff') {
    yield* await readFrames(path);
    return;
  }
  const reader = TiffReader.open(path);
  try {
    yield* reader.frames();
  } finally {
    reader.close();
  }
}

/** A directory entry that is not read as frames, and why. */
export interface SkippedEntry {
  path: string;
  reason: string;
}

/**
 * Every entry of a directory accounted for: the frame files (sorted by name, numbers in order), and
 * every other entry with the reason it is skipped. A broken entry (dangling symlink, symlink loop,
 * unreadable) is skipped with its reason, never an error that aborts the run.
 */
export function scanFrameDirectory(dir: string): { files: string[]; skipped: SkippedEntry[] } {
  const files: string[] = [];
  const skipped: SkippedEntry[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const reason = skipReason(path, name);
    if (reason === null) files.push(path);
    else skipped.push({ path, reason });
  }
  // numeric-aware so that frame_2 comes before frame_10, as a person would order them
  files.sort((a, b) => (a === b ? 0 : a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : 1)));
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

/** Why a directory entry is not a frame file to read, or null when it is one. */
function skipReason(path: string, name: string): string | null {
  if (name.includes('.tmp-')) return 'an unfinished write (temporary file)';
  if (name.startsWith('.')) return 'hidden';
  if (name.endsWith('.truth.json')) return 'truth file (read by evaluate)';
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ELOOP' ? 'symlink loop' : code === 'ENOENT' ? 'dangling symlink' : `unreadable: ${(err as Error).message}`;
  }
  if (st.isDirectory()) return 'a subdirectory (not descended into)';
  if (!st.isFile()) return 'not a regular file';
  if (!isFrameFileName(name)) return `not a frame file (supported: ${SUPPORTED_TEXT})`;
  return null;
}

/** A directory → its frame files sorted by name (other entries skipped, see scanFrameDirectory); a file → itself. */
export function listFrameFiles(pathOrDir: string): string[] {
  return listFrameInputs(pathOrDir).files;
}

/** listFrameFiles with the skipped entries of a directory (none for a file). */
export function listFrameInputs(pathOrDir: string): { files: string[]; skipped: SkippedEntry[] } {
  let isDir: boolean;
  try {
    isDir = statSync(pathOrDir).isDirectory();
  } catch {
    throw new InputError(pathOrDir, 'no such file or directory');
  }
  if (!isDir) return { files: [pathOrDir], skipped: [] };
  const scan = scanFrameDirectory(pathOrDir);
  if (scan.files.length === 0) {
    throw new InputError(pathOrDir, `directory holds no frame files (supported: ${SUPPORTED_TEXT})`);
  }
  return scan;
}

function isFrameFileName(name: string): boolean {
  return extname(name).toLowerCase() in EXTENSIONS || MIDAS_NAME.test(name);
}

/** A frame file's name without its extension: run01234 of run01234.mid.gz (a MIDAS run's .mid.gz/.mid.lz4 counts as one), st of st.npy. */
export function frameFileStem(name: string): string {
  const run = MIDAS_NAME.exec(name);
  return run ? name.slice(0, run.index) : basename(name, extname(name));
}

/** Whether a file is read as a stream of frames whose number is known only at its end (a MIDAS run). */
export function isStreamedFrameFile(path: string): boolean {
  return detectFormat(path) === 'midas';
}

/**
 * Throws an InputError when the frame has the wrong size or a non-finite pixel.
 * `source` names the frame in the message, e.g. "run1.tif frame 3".
 */
export function validateFrame(frame: Frame, source: string, expected?: { width: number; height: number }): void {
  if (expected && (frame.width !== expected.width || frame.height !== expected.height)) {
    throw new InputError(
      source,
      `wrong frame size: expected ${expected.width}×${expected.height}, got ${frame.width}×${frame.height}`,
    );
  }
  const i = firstNonFinite(frame.data);
  if (i >= 0) {
    const v = frame.data[i];
    const what = Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
    throw new InputError(source, `pixel (${i % frame.width}, ${Math.floor(i / frame.width)}) is ${what}`);
  }
}

/** Write one frame, format from the extension (.npy, .tif, .tiff, .h5, .hdf5); atomic. See writeFrames for HDF5. */
export function writeFrame(path: string, frame: Frame): void | Promise<void> {
  return writeFrames(path, [frame]);
}

/**
 * Write frames to one file: a .npy of one frame is 2-D (H, W), of several a 3-D stack (N, H, W) that
 * needs equal sizes and pixel types; a TIFF gets one page per frame; an HDF5 file one dataset
 * "frames" shaped as the .npy (hdf5.ts writes other layouts). Atomic.
 * HDF5 is written asynchronously (h5wasm starts so): for .h5/.hdf5 the result is a Promise, which
 * must be awaited (awaiting the other formats' undefined is harmless).
 */
export function writeFrames(path: string, frames: readonly Frame[]): void | Promise<void> {
  const ext = extname(path).toLowerCase();
  if (frames.length === 0) throw new InputError(path, 'no frames to write');
  if (ext === '.tif' || ext === '.tiff') return writeTiffFrames(path, frames);
  if (ext === '.h5' || ext === '.hdf5') return writeHdf5Frames(path, frames);
  if (ext !== '.npy') {
    throw new InputError(path, `cannot write frames as '${ext || '(no extension)'}' (supported: ${WRITABLE.join(', ')})`);
  }
  if (frames.length === 1) return writeNpyFrame(path, frames[0]);
  checkEqualFrames(frames, path, 'a .npy stack');
  const [first] = frames;
  const n = first.width * first.height;
  const stack = new (first.data.constructor as new (length: number) => PixelArray)(n * frames.length);
  frames.forEach((f, k) => (stack as Float64Array).set(f.data as Float64Array, k * n));
  writeNpyArray(path, [frames.length, first.height, first.width], stack);
}

