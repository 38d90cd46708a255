/**
 * What a file holds, without reading its pixels where the format allows: `tpcvision inspect`.
 * In: a path. Out: a FileSummary — format, the items (frames, pages, histograms, keys, events)
 * with their dimensions and pixel types, run/event numbers and time span where the format has
 * them, and notes (what could not be told without reading more). Bad or unknown files give an
 * InputError naming the file.
 */
import { statSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { detectFormat } from './frames.js';
import { parseNpyHeader } from './npy.js';
import { cygnoPictureNumbers } from './cygno-names.js';
import { readHead } from './open-file.js';
import { readTiffInfo } from './tiff.js';

/** One thing inside a file: a frame, a page, a histogram, a key, a bank. */
export interface InspectItem {
  /** Name or position: "frame 3", a histogram path, a bank name. */
  name: string;
  kind: string;
  /** "2304×2304" for images, "(N, 3)" for other arrays, null when not an image or not read. */
  dimensions: string | null;
  dtype: string | null;
  /** How many items this row stands for (identical pages grouped; a bank's events). */
  count: number;
  run?: number;
  event?: number;
}

export interface FileSummary {
  path: string;
  format: string;
  bytes: number;
  /** Frames tpcvision reads from the file as a run of frames (null: not a frame file). */
  frames: number | null;
  items: InspectItem[];
  runs: number[];
  /** Event numbers (first, last) where the format names events. */
  events: { first: number; last: number; count: number } | null;
  /** Unix seconds of the first and last event, where the format stamps them. */
  time: { first: number; last: number } | null;
  notes: string[];
}

/** A ROOT file's TH2s are read for their sizes only up to this many (a run file holds hundreds). */
const ROOT_SIZES_READ = 20;

export async function inspectFile(path: string): Promise<FileSummary> {
  let bytes: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new InputError(path, 'not a regular file');
    bytes = st.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(path, 'no such file');
  }
  const base: FileSummary = { path, format: 'unknown', bytes, frames: null, items: [], runs: [], events: null, time: null, notes: [] };
  const format = detectFormat(path);
  switch (format) {
    case 'npy':
      return inspectNpy(path, base);
    case 'tiff':
      return inspectTiff(path, base);
    case 'root':
      return inspectRoot(path, base);
    case 'midas':
      return inspectMidas(path, base);
    case 'hdf5':
      return inspectHdf5(path, base);
    default:
      throw new InputError(path, 'unknown file format (inspect reads NumPy .npy, TIFF, ROOT, MIDAS, HDF5)');
  }
}

function inspectNpy(path: string, s: FileSummary): FileSummary {
  const head = readHead(path, 64 * 1024);
  const { shape, dtype } = parseNpyHeader(head, path);
  const dims = `(${shape.join(', ')})`;
  s.format = 'NumPy .npy';
  if (shape.length === 2) {
    s.frames = 1;
    s.items.push({ name: 'frame 0', kind: 'frame', dimensions: `${shape[1]}×${shape[0]}`, dtype, count: 1 });
  } else if (shape.length === 3) {
    s.frames = shape[0];
    s.items.push({ name: `frames 0–${shape[0] - 1}`, kind: 'frame stack', dimensions: `${shape[2]}×${shape[1]}`, dtype, count: shape[0] });
  } else {
    s.items.push({ name: 'array', kind: 'array', dimensions: dims, dtype, count: 1 });
    s.notes.push(`a ${shape.length}-D array ${dims}: not frames (a frame is 2-D (H, W), a stack 3-D (N, H, W))`);
  }
  return s;
}

function inspectTiff(path: string, s: FileSummary): FileSummary {
  const pages = readTiffInfo(path);
  s.format = 'TIFF';
  s.frames = pages.length;
  // runs of identical pages in one row each
  for (let i = 0; i < pages.length; ) {
    const p = pages[i];
    let j = i + 1;
    while (j < pages.length && pages[j].width === p.width && pages[j].height === p.height && pages[j].dtype === p.dtype && pages[j].compression === p.compression) j++;
    s.items.push({ name: j - i > 1 ? `pages ${i}–${j - 1}` : `page ${i}`, kind: `page (${p.compression})`, dimensions: `${p.width}×${p.height}`, dtype: p.dtype, count: j - i });
    i = j;
  }
  return s;
}

async function inspectRoot(path: string, s: FileSummary): Promise<FileSummary> {
  const { listRootKeys, listRootHistograms, readRootHistogramSizes, th2PixelType } = await import('./root.js');
  s.format = 'ROOT';
  const keys = await listRootKeys(path);
  const th2 = keys.filter((k) => th2PixelType(k.className) !== null);
  const sizes = await readRootHistogramSizes(path, th2.slice(0, ROOT_SIZES_READ));
  for (const k of keys) {
    const sized = th2.indexOf(k);
    const size = sized >= 0 && sized < sizes.length ? sizes[sized] : null;
    s.items.push({ name: k.path, kind: k.className, dimensions: size ? `${size.width}×${size.height}` : null, dtype: th2PixelType(k.className), count: 1, ...cygnoPictureNumbers(k.path) });
  }
  if (th2.length > ROOT_SIZES_READ) s.notes.push(`sizes read for the first ${ROOT_SIZES_READ} of ${th2.length} 2-D histograms (each read loads its bins)`);
  // histograms drawn on canvases are frames only when the file has no TH2 of its own
  if (th2.length === 0 && keys.some((k) => k.className === 'TCanvas' || k.className === 'TPad')) {
    let drawn = 0;
    for (const h of (await listRootHistograms(path)).filter((x) => x.inCanvas)) {
      const frame = !h.inSubPad && !h.empty; // what readRootFrames takes
      if (frame) drawn++;
      const where = h.inSubPad ? 'in a sub-pad' : h.empty ? 'on a canvas, empty' : 'on a canvas: a frame';
      s.items.push({ name: h.path, kind: `${h.className} (${where})`, dimensions: `${h.width}×${h.height}`, dtype: th2PixelType(h.className), count: 1 });
    }
    s.notes.push('no TH2 under its own key: the frames are the non-empty TH2s drawn directly on canvases (not those in sub-pads)');
    s.frames = drawn > 0 ? drawn : null;
  }
  const frames = th2.length || (s.frames ?? 0);
  s.frames = frames > 0 ? frames : null;
  if (frames === 0) s.notes.push('no 2-D histogram: not a frame file');
  return withPictureNumbers(s);
}

/** Runs and events of a summary from its items' CYGNO picture names (ROOT keys, HDF5 datasets). */
function withPictureNumbers(s: FileSummary): FileSummary {
  const runs = new Set<number>();
  const events: number[] = [];
  for (const i of s.items) {
    if (i.run !== undefined) runs.add(i.run);
    if (i.event !== undefined) events.push(i.event);
  }
  s.runs = [...runs].sort((a, b) => a - b);
  if (events.length) s.events = { first: Math.min(...events), last: Math.max(...events), count: events.length };
  return s;
}

/**
 * A MIDAS run read through once (streamed): events by kind, the run number, serials and time span,
 * one row per bank name and type with the events holding it (camera banks with their inferred
 * frame size). Damage ends the reading: what came before is summarised and the damage is a note.
 */
async function inspectMidas(path: string, s: FileSummary): Promise<FileSummary> {
  const { readMidasEvents, midasCameraShape, midasCompressionOf, runNumberFromFileName, runNumberFromOdb } = await import('./midas.js');
  const compression = midasCompressionOf(readHead(path, 4));
  s.format = `MIDAS${compression === 'none' ? '' : ` (${compression})`}`;
  const kinds = new Map<string, number>();
  const banks = new Map<string, InspectItem & { sizes: Set<number> }>();
  let run = runNumberFromFileName(path);
  let first: { serial: number; time: number } | null = null;
  let last: { serial: number; time: number } | null = null;
  let frames = 0;
  let dataEvents = 0;
  try {
    for await (const ev of readMidasEvents(path)) {
      kinds.set(ev.kind, (kinds.get(ev.kind) ?? 0) + 1);
      if (ev.kind === 'bor' && ev.text !== undefined) run = runNumberFromOdb(ev.text) ?? run;
      if (ev.kind !== 'data') continue;
      dataEvents++;
      first ??= { serial: ev.serial, time: ev.time };
      last = { serial: ev.serial, time: ev.time };
      for (const b of ev.banks) {
        const key = `${b.name} ${b.typeName}`;
        let row = banks.get(key);
        if (!row) {
          row = { name: b.name, kind: `bank ${b.typeName}`, dimensions: null, dtype: null, count: 0, sizes: new Set() };
          banks.set(key, row);
        }
        row.count++;
        row.sizes.add(b.size);
        if (/^CAM\d$/.test(b.name) && b.typeName === 'WORD') frames++;
      }
    }
  } catch (err) {
    s.notes.push(`reading stopped at damage: ${(err as Error).message}`);
  }
  for (const row of banks.values()) {
    const sizes = [...row.sizes].sort((a, b) => a - b);
    if (/^CAM\d$/.test(row.name) && row.kind === 'bank WORD') {
      row.dtype = 'uint16';
      row.dimensions = sizes
        .map((b) => {
          try {
            const { width, height } = midasCameraShape(b / 2);
            return `${width}×${height}`;
          } catch {
            return `${b / 2} px (no frame shape)`;
          }
        })
        .join(', ');
    } else {
      row.dimensions = sizes.length === 1 ? `${sizes[0]} B` : `${sizes[0]}–${sizes[sizes.length - 1]} B`;
    }
    const { sizes: _sizes, ...item } = row;
    s.items.push(item);
  }
  for (const kind of ['bor', 'eor', 'message'] as const) {
    const n = kinds.get(kind);
    if (n) s.items.push({ name: { bor: 'begin of run', eor: 'end of run', message: 'messages' }[kind], kind: kind === 'message' ? 'message' : 'ODB dump', dimensions: null, dtype: null, count: n });
  }
  s.frames = frames;
  if (run !== null) s.runs = [run];
  if (first && last) {
    s.events = { first: first.serial, last: last.serial, count: dataEvents };
    s.time = { first: first.time, last: last.time };
  }
  return s;
}

/** HDF5: every dataset with its shape and type (pixels not read), the frames each gives, CYGNO names' run/event. */
async function inspectHdf5(path: string, s: FileSummary): Promise<FileSummary> {
  const { listHdf5Datasets } = await import('./hdf5.js');
  s.format = 'HDF5';
  let frames = 0;
  for (const d of await listHdf5Datasets(path)) {
    frames += d.frames;
    const image = d.frames > 0 ? `${d.shape[d.shape.length - 1]}×${d.shape[d.shape.length - 2]}` : `(${d.shape.join(', ')})`;
    s.items.push({ name: d.path, kind: d.skipped ? `dataset (not frames: ${d.skipped})` : d.shape.length === 3 ? 'dataset (stack)' : 'dataset', dimensions: image, dtype: d.dtype, count: Math.max(d.frames, 1), ...cygnoPictureNumbers(d.path) });
  }
  s.frames = frames > 0 ? frames : null;
  if (frames === 0) s.notes.push('no 2-D or 3-D numeric dataset: not a frame file');
  return withPictureNumbers(s);
}


/** The summary as lines of text: a head line, then one row per item. */
export function formatSummary(s: FileSummary): string {
  const facts = [s.format, humanBytes(s.bytes)];
  if (s.frames !== null) facts.push(`${s.frames} frame${s.frames === 1 ? '' : 's'}`);
  if (s.runs.length) facts.push(`run${s.runs.length > 1 ? 's' : ''} ${s.runs.join(', ')}`);
  if (s.events) facts.push(`events ${s.events.first}–${s.events.last} (${s.events.count})`);
  if (s.time) facts.push(`${new Date(s.time.first * 1000).toISOString()} → ${new Date(s.time.last * 1000).toISOString()} (${s.time.last - s.time.first} s)`);
  const lines = [`${s.path}: ${facts.join(', ')}`];
  const w = Math.min(60, Math.max(4, ...s.items.map((i) => i.name.length)));
  const k = Math.max(4, ...s.items.map((i) => i.kind.length));
  if (s.items.length) lines.push(`  ${'name'.padEnd(w)}  ${'kind'.padEnd(k)}  ${'dimensions'.padEnd(11)}  ${'dtype'.padEnd(7)}  count`);
  for (const i of s.items) {
    lines.push(`  ${i.name.padEnd(w)}  ${i.kind.padEnd(k)}  ${(i.dimensions ?? '–').padEnd(11)}  ${(i.dtype ?? '–').padEnd(7)}  ${i.count}`);
  }
  for (const n of s.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}
