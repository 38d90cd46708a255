/**
 * ROOT 2-D histograms as frames, read with jsroot (read-only, pure JavaScript).
 * In: a .root file; histograms TH2F/TH2D/TH2S/TH2I/TH2C/TH2L stored as keys (in any sub-directory)
 * or drawn on a saved TCanvas (found among its primitives, pads included).
 * Out: one Frame per histogram, pixel (x, y) = bin (x+1, y+1); TH2F/S/C become float32 (exact),
 * TH2D/I/L float64. meta carries the histogram's path, class, title and axis ranges, and the run
 * and event numbers of CYGNO's `pic_run{run}_ev{event}` histograms. With
 * `{ errors: true }` the pixels are the bin errors instead (pedestal maps keep the RMS there).
 * Ignored: under/overflow bins, variable bin edges (recorded in meta only as the axis range),
 * everything that is not a 2-D histogram (trees, graphs, functions).
 */
import { openFile } from 'jsroot';
import { InputError } from '../core/errors.js';
import { makeFrame, type Frame } from '../core/frame.js';
import { cygnoPictureNumbers } from './cygno-names.js';

// one implementation of the picture names, shared with the HDF5 reader; still exported from here
export { cygnoPictureNumbers };

export interface RootKeyInfo {
  /** slash-separated path inside the file, e.g. "Run_41525_ev_399/Track_ev_41525_run_399_cluster_0" */
  path: string;
  className: string;
  cycle: number;
}

export interface RootHistogramInfo {
  /** path for readRootHistogram: a key path, or "key path/primitive name" inside a canvas */
  path: string;
  className: string;
  width: number;
  height: number;
  /** true when the histogram sits inside a TCanvas/TPad rather than under its own key */
  inCanvas: boolean;
  /** inside a sub-pad of a canvas (readRootFrames does not take those) */
  inSubPad: boolean;
  /** every bin 0 (a "dummy" histogram that only sets up a canvas's axes) */
  empty: boolean;
}

export interface RootReadOptions {
  /** read bin errors instead of contents */
  errors?: boolean;
}

// jsroot ships no types for its objects: the few fields used here, as streamed from ROOT
interface RootAxis {
  fNbins: number;
  fXmin: number;
  fXmax: number;
}
interface RootObject {
  _typename: string;
  fName?: string;
  fTitle?: string;
  fXaxis?: RootAxis;
  fYaxis?: RootAxis;
  fArray?: ArrayLike<number>;
  fSumw2?: ArrayLike<number>;
  fPrimitives?: { arr: RootObject[] };
}
interface RootKey {
  fName: string;
  fClassName: string;
  fCycle: number;
}
interface RootFile {
  fKeys: RootKey[];
  readObject(name: string, cycle?: number): Promise<RootObject>;
  readDirectory(name: string, cycle?: number): Promise<{ fKeys: RootKey[] }>;
}

const TH2_FLOAT32 = new Set(['TH2F', 'TH2S', 'TH2C']);
const TH2_FLOAT64 = new Set(['TH2D', 'TH2I', 'TH2L']);
const isTh2 = (className: string): boolean => TH2_FLOAT32.has(className) || TH2_FLOAT64.has(className);
const isDirectory = (className: string): boolean => className === 'TDirectory' || className === 'TDirectoryFile';
const isPad = (className: string): boolean => className === 'TCanvas' || className === 'TPad';

async function open(path: string): Promise<RootFile> {
  try {
    return (await openFile(path)) as RootFile;
  } catch (err) {
    const text = (err as Error).message ?? String(err);
    throw new InputError(path, /Not a ROOT file/i.test(text) ? 'not a ROOT file' : `cannot open ROOT file: ${text}`);
  }
}

/** Every key of the file, sub-directories walked, StreamerInfo left out. */
export async function listRootKeys(path: string): Promise<RootKeyInfo[]> {
  return walkKeys(await open(path));
}

async function walkKeys(file: RootFile): Promise<RootKeyInfo[]> {
  const out: RootKeyInfo[] = [];
  const visit = async (keys: RootKey[], prefix: string): Promise<void> => {
    for (const key of keys) {
      if (key.fClassName === 'TList' && key.fName === 'StreamerInfo') continue;
      const keyPath = prefix + key.fName;
      out.push({ path: keyPath, className: key.fClassName, cycle: key.fCycle });
      if (isDirectory(key.fClassName)) {
        const dir = await file.readDirectory(keyPath, key.fCycle);
        await visit(dir.fKeys, keyPath + '/');
      }
    }
  };
  await visit(file.fKeys, '');
  return out;
}

/** The bin counts of the 2-D histograms under these keys, the file opened once (jsroot reads each whole object). */
export async function readRootHistogramSizes(path: string, keys: readonly { path: string; cycle?: number }[]): Promise<{ width: number; height: number }[]> {
  const file = await open(path);
  const sizes: { width: number; height: number }[] = [];
  for (const k of keys) sizes.push(binsOf(await file.readObject(k.path, k.cycle)));
  return sizes;
}

/** The pixel type readRootFrames gives a 2-D histogram class, null for any other class. */
export function th2PixelType(className: string): 'float32' | 'float64' | null {
  return TH2_FLOAT32.has(className) ? 'float32' : TH2_FLOAT64.has(className) ? 'float64' : null;
}

/** Every 2-D histogram: under its own key, or drawn on a saved canvas (canvases are read to look). */
export async function listRootHistograms(path: string): Promise<RootHistogramInfo[]> {
  const file = await open(path);
  const out: RootHistogramInfo[] = [];
  for (const key of await walkKeys(file)) {
    if (isTh2(key.className)) {
      const h = await file.readObject(key.path, key.cycle);
      out.push({ path: key.path, className: key.className, ...binsOf(h), inCanvas: false, inSubPad: false, empty: isEmpty(h) });
    } else if (isPad(key.className)) {
      const canvas = await file.readObject(key.path, key.cycle);
      for (const { path: p, hist } of histogramsIn(canvas, key.path)) {
        const inSubPad = p.split('/').length > key.path.split('/').length + 1;
        out.push({ path: p, className: hist._typename, ...binsOf(hist), inCanvas: true, inSubPad, empty: isEmpty(hist) });
      }
    }
  }
  return out;
}

/** TH2s among a pad's primitives, sub-pads included, with "pad path/.../name" paths. */
function histogramsIn(pad: RootObject, prefix: string): { path: string; hist: RootObject }[] {
  const found: { path: string; hist: RootObject }[] = [];
  for (const p of pad.fPrimitives?.arr ?? []) {
    if (!p) continue;
    if (isTh2(p._typename)) found.push({ path: `${prefix}/${p.fName ?? ''}`, hist: p });
    else if (isPad(p._typename)) found.push(...histogramsIn(p, `${prefix}/${p.fName ?? ''}`));
  }
  return found;
}

function binsOf(h: RootObject): { width: number; height: number } {
  return { width: h.fXaxis?.fNbins ?? 0, height: h.fYaxis?.fNbins ?? 0 };
}

/**
 * One histogram as a frame. `name` is a key path ("dir/hist"), or a key path of a canvas followed by
 * the names of pads and of the histogram drawn on it ("dir/canvas/hist").
 */
export async function readRootHistogram(path: string, name: string, options: RootReadOptions = {}): Promise<Frame> {
  const file = await open(path);
  const hist = await resolve(file, path, name);
  return histogramFrame(hist, path, name, 0, options);
}

async function resolve(file: RootFile, path: string, name: string): Promise<RootObject> {
  const parts = name.split('/').filter((s) => s.length > 0);
  // 1. the longest prefix that is a key of the file
  for (let k = parts.length; k >= 1; k--) {
    let obj: RootObject;
    try {
      obj = await file.readObject(parts.slice(0, k).join('/'));
    } catch {
      continue;
    }
    // 2. the rest names pads and finally a primitive inside the canvas
    for (const part of parts.slice(k)) {
      const next = (obj.fPrimitives?.arr ?? []).find((p) => p && p.fName === part);
      if (!next) throw new InputError(path, `'${name}': no object '${part}' inside ${obj._typename} '${obj.fName ?? ''}'`);
      obj = next;
    }
    if (!isTh2(obj._typename)) {
      throw new InputError(path, `'${name}' is a ${obj._typename}, not a 2-D histogram (TH2F, TH2D, TH2S, TH2I, TH2C)`);
    }
    return obj;
  }
  const available = (await listHistogramPathsQuietly(file)).slice(0, 20);
  throw new InputError(path, `no object '${name}' in the file${available.length ? ` (2-D histograms: ${available.join(', ')})` : ''}`);
}

async function listHistogramPathsQuietly(file: RootFile): Promise<string[]> {
  return (await walkKeys(file)).filter((k) => isTh2(k.className)).map((k) => k.path);
}

/**
 * Every 2-D histogram stored under its own key, as frames in key order. A file holding none (a saved
 * single-event display) gives instead the TH2s drawn directly on its canvases (not in sub-pads, where
 * analysis plots keep crops and rebinned copies of the same event), leaving out empty ones: ROOT
 * macros draw an empty "dummy" TH2 just to set up a canvas's axes.
 */
export async function readRootFrames(path: string, options: RootReadOptions = {}): Promise<Frame[]> {
  const file = await open(path);
  const keys = await walkKeys(file);
  const frames: Frame[] = [];
  for (const key of keys.filter((k) => isTh2(k.className))) {
    frames.push(histogramFrame(await file.readObject(key.path, key.cycle), path, key.path, frames.length, options));
  }
  if (frames.length > 0) return frames;
  for (const key of keys.filter((k) => isPad(k.className))) {
    const canvas = await file.readObject(key.path, key.cycle);
    for (const p of canvas.fPrimitives?.arr ?? []) {
      if (p && isTh2(p._typename) && !isEmpty(p)) {
        frames.push(histogramFrame(p, path, `${key.path}/${p.fName ?? ''}`, frames.length, options));
      }
    }
  }
  if (frames.length === 0) throw new InputError(path, 'ROOT file holds no 2-D histogram (TH2F, TH2D, TH2S, TH2I, TH2C)');
  return frames;
}

function isEmpty(h: RootObject): boolean {
  const cells = h.fArray;
  if (!cells) return true;
  for (let i = 0; i < cells.length; i++) if (cells[i] !== 0) return false;
  return true;
}

function histogramFrame(h: RootObject, source: string, name: string, index: number, options: RootReadOptions): Frame {
  const nx = h.fXaxis?.fNbins ?? 0;
  const ny = h.fYaxis?.fNbins ?? 0;
  const cells = h.fArray;
  if (nx <= 0 || ny <= 0 || !cells || cells.length < (nx + 2) * (ny + 2)) {
    throw new InputError(source, `histogram '${name}' has no readable bin contents`);
  }
  const data = TH2_FLOAT32.has(h._typename) ? new Float32Array(nx * ny) : new Float64Array(nx * ny);
  const sumw2 = h.fSumw2 && h.fSumw2.length >= (nx + 2) * (ny + 2) ? h.fSumw2 : null;
  // ROOT's global bin of (i, j) is i + (nx + 2) * j; bins 0 and n+1 are under/overflow
  for (let j = 1; j <= ny; j++) {
    for (let i = 1; i <= nx; i++) {
      const bin = i + (nx + 2) * j;
      // ROOT's own rule: error = sqrt(sum of squared weights) if stored, else sqrt(|content|)
      data[(j - 1) * nx + (i - 1)] = options.errors
        ? Math.sqrt(sumw2 ? sumw2[bin] : Math.abs(cells[bin]))
        : cells[bin];
    }
  }
  return makeFrame(nx, ny, data, {
    source,
    index,
    histogram: name,
    className: h._typename,
    title: h.fTitle ?? '',
    xRange: [h.fXaxis?.fXmin, h.fXaxis?.fXmax],
    yRange: [h.fYaxis?.fXmin, h.fYaxis?.fXmax],
    ...(options.errors ? { content: 'bin errors' } : {}),
    ...cygnoPictureNumbers(name),
  });
}
