/**
 * Overlap-separation datasets as Feather v2 (Arrow IPC file) with apache-arrow: one row per sample,
 * images as sparse (x, y, value) lists. Two readers: tpcvision's own files, and the camera output of
 * MIGDAL_simulator (github.com/jschuel/MIGDAL_simulator, process_primary_tracks.py), converted into the
 * same in-memory `OverlapSample`s.
 *
 * In/out: `OverlapSample[]` (src/core/overlap-sample.ts) ⇄ a .feather file. Our schema (format
 * 'tpcvision-migdal-overlap/1' in the schema metadata) is documented in docs/MIGDAL.md. The truth
 * channels are stored exactly (every nonzero pixel). The noisy input is stored exactly inside the
 * valid box and, outside it, only where it exceeds `inputZeroSuppressAdu` (hot pixels, stray
 * light); the reader fills the rest with 0. Scale factors are stored, not recomputed, so they
 * describe the full input.
 * Compression: files are written uncompressed; LZ4-frame files (pandas' default) are read through
 * lz4.ts; ZSTD files are refused with instructions.
 * Ignored: dictionary columns, the ITO (charge readout) columns of MIGDAL_simulator.
 */
import { readFileSync } from 'node:fs';
import {
  CompressionType,
  compressionRegistry,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  List,
  Schema,
  Table,
  Utf8,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { FEATHER_DEFAULTS } from '../config/overlap-sample.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { InputError } from '../core/errors.js';
import type { OverlapSample, PixelBox, SampleKind } from '../core/overlap-sample.js';
import { column, densify, listCell } from './arrow-columns.js';
import { migdalSimulatorSamples, type SimulatorReadOptions } from './feather-migdal-simulator.js';
import { lz4FrameDecode } from './lz4.js';

export const MIGDAL_FEATHER_FORMAT = 'tpcvision-migdal-overlap/1';

const SCALARS = {
  erEnergyKeV: new Float64(),
  nrEnergyKeV: new Float64(),
  nrVisibleKeV: new Float64(),
  vertexX: new Float64(),
  vertexY: new Float64(),
  erDirX: new Float64(),
  erDirY: new Float64(),
  scaleS: new Float64(),
  inputMax: new Float64(),
  targetMax: new Float64(),
} as const;
const INTS = ['width', 'height', 'validX0', 'validY0', 'validX1', 'validY1'] as const;
const IMAGES = ['input', 'er', 'nr'] as const;

export interface WriteOptions {
  /**
   * Outside the valid box, input pixels at or below this (ADU) are not stored. -Infinity keeps all;
   * default config/overlap-sample.ts's feather.inputZeroSuppressAdu.
   */
  inputZeroSuppressAdu?: number;
  /** Free-form provenance (seed, config, version), stored as JSON in the schema metadata. */
  provenance?: unknown;
}

interface Sparse {
  x: Int16Array;
  y: Int16Array;
  v: Float32Array;
}

/**
 * Nonzero pixels of `img` [H·W] in row-major order; with `box`, pixels outside it are kept only above
 * `suppress` (the input's zero suppression).
 */
function sparse(img: Float32Array, w: number, box: PixelBox | null, suppress: number): Sparse {
  const xs: number[] = [];
  const ys: number[] = [];
  const vs: number[] = [];
  const h = img.length / w;
  for (let y = 0; y < h; y++) {
    const inRows = box === null || (y >= box.y0 && y < box.y1);
    for (let x = 0, i = y * w; x < w; x++, i++) {
      const v = img[i];
      if (v === 0) continue;
      if (box !== null && !(inRows && x >= box.x0 && x < box.x1) && !(v > suppress)) continue;
      xs.push(x);
      ys.push(y);
      vs.push(v);
    }
  }
  return { x: Int16Array.from(xs), y: Int16Array.from(ys), v: Float32Array.from(vs) };
}

const listOf = (t: DataType) => new List(new Field('item', t, false));

/** The Arrow table of `samples` (row order kept), without file metadata. */
export function samplesToTable(samples: readonly OverlapSample[], options: WriteOptions = {}): Table {
  const suppress = options.inputZeroSuppressAdu ?? FEATHER_DEFAULTS.inputZeroSuppressAdu;
  const cols: Record<string, Vector> = {};
  cols.id = vectorFromArray(samples.map((s) => s.id), new Utf8());
  cols.kind = vectorFromArray(samples.map((s) => s.kind), new Utf8());
  cols.nrSpecies = vectorFromArray(samples.map((s) => s.nrSpecies), new Utf8());
  const scalar = (s: OverlapSample, k: keyof typeof SCALARS): number =>
    k === 'scaleS' ? s.factors.s : k === 'inputMax' ? s.factors.inputMax : k === 'targetMax' ? s.factors.targetMax : s[k];
  for (const k of Object.keys(SCALARS) as (keyof typeof SCALARS)[]) {
    cols[k] = vectorFromArray(samples.map((s) => scalar(s, k)), SCALARS[k]);
  }
  const int = (s: OverlapSample, k: (typeof INTS)[number]): number =>
    k === 'width' ? s.width : k === 'height' ? s.height : s.valid[({ validX0: 'x0', validY0: 'y0', validX1: 'x1', validY1: 'y1' } as const)[k]];
  for (const k of INTS) cols[k] = vectorFromArray(samples.map((s) => int(s, k)), new Int32());
  for (const name of IMAGES) {
    const lists = samples.map((s) => sparse(s[name], s.width, name === 'input' ? s.valid : null, suppress));
    cols[`${name}_x`] = vectorFromArray(lists.map((l) => l.x), listOf(new Int16()));
    cols[`${name}_y`] = vectorFromArray(lists.map((l) => l.y), listOf(new Int16()));
    cols[`${name}_v`] = vectorFromArray(lists.map((l) => l.v), listOf(new Float32()));
  }
  return new Table(cols);
}

/**
 * Write tables of samples (from `samplesToTable`, e.g. one per chunk of a long run so that only sparse
 * data stays in memory) to `path` as one uncompressed Feather v2 file, atomically, with the format tag
 * and the provenance in the schema metadata.
 */
export function writeMigdalFeatherTables(path: string, parts: readonly Table[], options: WriteOptions = {}): void {
  if (parts.length === 0) parts = [samplesToTable([], options)];
  const meta = new Map<string, string>([['tpcvision.format', MIGDAL_FEATHER_FORMAT]]);
  if (options.provenance !== undefined) meta.set('tpcvision.provenance', JSON.stringify(options.provenance));
  const schema = new Schema(parts[0].schema.fields, meta);
  writeFileAtomic(path, tableToIPC(new Table(schema, parts.flatMap((t) => t.batches)), 'file'));
}

/** Write `samples` to `path` as one uncompressed Feather v2 file, atomically. */
export function writeMigdalFeather(path: string, samples: readonly OverlapSample[], options: WriteOptions = {}): void {
  writeMigdalFeatherTables(path, [samplesToTable(samples, options)], options);
}

/** Load an Arrow IPC (Feather v2) file, with errors that name the file. */
export function loadFeather(path: string): Table {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new InputError(path, `cannot read: ${(err as Error).message}`);
  }
  // pandas/pyarrow compress Feather with LZ4 frames by default: decode them in JS (lz4.ts)
  if (!compressionRegistry.get(CompressionType.LZ4_FRAME)) compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: lz4FrameDecode });
  try {
    return tableFromIPC(bytes);
  } catch (err) {
    const msg = (err as Error).message;
    if (/compress|lz4/i.test(msg)) {
      throw new InputError(
        path,
        `compressed Feather not readable here (${msg}); LZ4 is supported, ZSTD is not: re-save it, e.g. in Python ` +
          `pyarrow.feather.write_feather(pyarrow.feather.read_table(path), out, compression='uncompressed')`,
      );
    }
    throw new InputError(path, `not a Feather v2 / Arrow IPC file (${msg})`);
  }
}

function readOwn<T>(table: Table, path: string, map: (s: OverlapSample) => T): T[] {
  const get = (name: string) => column(table, name, path);
  const samples: T[] = [];
  for (let r = 0; r < table.numRows; r++) {
    const num = (name: string) => Number(get(name).get(r));
    const w = num('width');
    const h = num('height');
    const where = `${path} row ${r}`;
    const image = (name: string) => densify(listCell(get(`${name}_x`), r), listCell(get(`${name}_y`), r), listCell(get(`${name}_v`), r), w, h, where);
    const kind = String(get('kind').get(r));
    if (kind !== 'hybrid' && kind !== 'nr-only') throw new InputError(where, `kind '${kind}', expected hybrid or nr-only`);
    samples.push(map({
      id: String(get('id').get(r)),
      kind: kind as SampleKind,
      nrSpecies: String(get('nrSpecies').get(r)),
      erEnergyKeV: num('erEnergyKeV'),
      nrEnergyKeV: num('nrEnergyKeV'),
      nrVisibleKeV: num('nrVisibleKeV'),
      vertexX: num('vertexX'),
      vertexY: num('vertexY'),
      erDirX: num('erDirX'),
      erDirY: num('erDirY'),
      width: w,
      height: h,
      input: image('input'),
      er: image('er'),
      nr: image('nr'),
      valid: { x0: num('validX0'), y0: num('validY0'), x1: num('validX1'), y1: num('validY1') },
      factors: { s: num('scaleS'), inputMax: num('inputMax'), targetMax: num('targetMax') },
    }));
  }
  return samples;
}

export interface MigdalFeather<T = OverlapSample> {
  /** 'tpcvision' for our own files, 'migdal-simulator' for MIGDAL_simulator camera output. */
  source: 'tpcvision' | 'migdal-simulator';
  samples: T[];
  /** Provenance JSON of our files (null otherwise). */
  provenance: unknown;
}

/**
 * Read a dataset: our own format (recognised by its schema metadata), else MIGDAL_simulator's camera
 * columns (see feather-migdal-simulator.ts for the columns and the options).
 */
export function readMigdalFeather(path: string, simulatorOptions: SimulatorReadOptions = {}): MigdalFeather {
  return readMigdalFeatherAs(path, (s) => s, simulatorOptions);
}

/**
 * Read a dataset as `readMigdalFeather` does, passing each sample through `map` as soon as it is
 * dense, so that only one dense frame at a time exists for our own files (a compact form of tens of
 * thousands of 288×512 samples fits in memory where the dense one would not).
 */
export function readMigdalFeatherAs<T>(path: string, map: (s: OverlapSample) => T, simulatorOptions: SimulatorReadOptions = {}): MigdalFeather<T> {
  const table = loadFeather(path);
  const format = table.schema.metadata.get('tpcvision.format');
  if (format === MIGDAL_FEATHER_FORMAT) {
    const prov = table.schema.metadata.get('tpcvision.provenance');
    return { source: 'tpcvision', samples: readOwn(table, path, map), provenance: prov ? JSON.parse(prov) : null };
  }
  if (format !== undefined) throw new InputError(path, `unknown tpcvision format '${format}', expected ${MIGDAL_FEATHER_FORMAT}`);
  return { source: 'migdal-simulator', samples: migdalSimulatorSamples(table, path, simulatorOptions).map(map), provenance: null };
}
