/**
 * MIGDAL_simulator camera output → overlap-separation samples.
 *
 * In: an Arrow table written by MIGDAL_simulator's process_primary_tracks.py (pandas `to_feather`,
 * one row per event). Its camera columns, per row (read from that script; docs/MIGDAL.md):
 *   xcam, ycam   list<int64>    pixel column / row on the camera grid (cam_bins 2048×1152)
 *   qcam         list<uint16>   charge per pixel (electrons after amplification)
 *   ER_frac_cam  list<float64>  ER share of each pixel's charge (Migdal files only)
 * and per event ER_truthE / NR_truthE / NR_ionizationE (create_migdals.py; keV assumed), or truthE /
 * ionizationE for single-species files. Files without xcam are read in an assumed, already-binned
 * schema: x, y, q, er_fraction (lists) and er_energy, nr_energy (keV), already on the analysis grid.
 * The grid (width, height, binning) is an option; its defaults are MIGDAL_GRID (config/migdal-grid.ts).
 * Out: `OverlapSample`s with ER = q·f, NR = q·(1 − f) (summed over the binning), input = ER + NR
 * after the truth cut (these files carry no camera noise), prepared as in core/overlap-sample.ts with
 * config/overlap-sample.ts's `preparation` (truth cut 1 ADU by default) unless told otherwise.
 * Ignored: the ITO columns, the primary-track columns (x, y, z, ID of the Migdal files: when xcam is
 * present, x and y are primary positions in cm and are not read as pixels).
 */
import type { Table } from 'apache-arrow';
import { MIGDAL_GRID } from '../config/migdal-grid.js';
import { FEATHER_DEFAULTS, PREPARATION_DEFAULTS } from '../config/overlap-sample.js';
import { InputError } from '../core/errors.js';
import { cutTruth, prepareSample, type OverlapSample, type PrepareOptions, type SampleFacts } from '../core/overlap-sample.js';
import { column, densify, listCell } from './arrow-columns.js';

export interface SimulatorReadOptions {
  /** Analysis image, px; default MIGDAL_GRID (512×288). */
  width?: number;
  height?: number;
  /**
   * Camera pixels per analysis pixel along each axis; default MIGDAL_GRID.cameraBinning (4: 2048 → 512)
   * for camera columns (xcam), 1 for the assumed schema (x): not a default but that schema's
   * definition (its coordinates are already analysis pixels).
   */
  binning?: number;
  /** ADU per unit of q (MIGDAL_simulator's q counts electrons); default config/overlap-sample.ts's feather.simulatorAduPerCount. */
  aduPerCount?: number;
  /** Options of the dataset preparation, over config/overlap-sample.ts's `preparation`. */
  prepare?: Partial<PrepareOptions>;
}

const NAMES = {
  camera: { x: 'xcam', y: 'ycam', q: 'qcam', f: 'ER_frac_cam' },
  assumed: { x: 'x', y: 'y', q: 'q', f: 'er_fraction' },
} as const;

/** First present column of `names` as a number for row r, else NaN. */
function scalar(table: Table, names: readonly string[], r: number): number {
  for (const n of names) {
    const col = table.getChild(n);
    if (col) {
      const v = col.get(r);
      return v === null || v === undefined ? NaN : Number(v);
    }
  }
  return NaN;
}

export function migdalSimulatorSamples(table: Table, path: string, options: SimulatorReadOptions = {}): OverlapSample[] {
  const w = options.width ?? MIGDAL_GRID.width;
  const h = options.height ?? MIGDAL_GRID.height;
  const layout = table.getChild('xcam') ? 'camera' : 'assumed';
  const names = NAMES[layout];
  const bin = options.binning ?? (layout === 'camera' ? MIGDAL_GRID.cameraBinning : 1);
  const adu = options.aduPerCount ?? FEATHER_DEFAULTS.simulatorAduPerCount;
  const prepare = { ...PREPARATION_DEFAULTS, ...options.prepare };
  if (!(Number.isInteger(bin) && bin >= 1)) throw new InputError(path, `binning must be a positive integer, got ${bin}`);
  const xCol = column(table, names.x, path);
  const yCol = column(table, names.y, path);
  const qCol = column(table, names.q, path);
  const fCol = table.getChild(names.f); // absent in single-species (NR-only) files
  const samples: OverlapSample[] = [];
  for (let r = 0; r < table.numRows; r++) {
    const where = `${path} row ${r}`;
    const xs = listCell(xCol, r);
    const ys = listCell(yCol, r);
    const qs = listCell(qCol, r);
    const fs = fCol ? listCell(fCol, r) : new Float64Array(qs.length);
    if (ys.length !== xs.length || qs.length !== xs.length || fs.length !== xs.length) {
      throw new InputError(where, `lists ${names.x}/${names.y}/${names.q}${fCol ? `/${names.f}` : ''} differ in length`);
    }
    // 1. bin onto the analysis grid and split each pixel's charge by its ER fraction
    const bx = xs.map((x) => Math.floor(x / bin));
    const by = ys.map((y) => Math.floor(y / bin));
    const erV = qs.map((q, k) => q * adu * fs[k]);
    const nrV = qs.map((q, k) => q * adu * (1 - fs[k]));
    const er = densify(bx, by, erV, w, h, where);
    const nr = densify(bx, by, nrV, w, h, where);
    let erSum = 0;
    for (let i = 0; i < er.length; i++) erSum += er[i];
    const facts: SampleFacts = {
      id: `${path}#${r}`,
      kind: fCol && erSum > 0 ? 'hybrid' : 'nr-only',
      erEnergyKeV: fCol ? scalar(table, ['ER_truthE', 'er_energy'], r) : 0,
      nrEnergyKeV: scalar(table, ['NR_truthE', 'truthE', 'nr_energy'], r),
      nrVisibleKeV: scalar(table, ['NR_ionizationE', 'ionizationE', 'nr_visible_energy'], r),
      nrSpecies: '',
      vertexX: NaN,
      vertexY: NaN,
      erDirX: 0,
      erDirY: 0,
    };
    // 2. the noiseless input is the sum of the cut truth channels [spec: hybrid = NR + ER]
    const erCut = cutTruth(er, prepare.truthCutAdu);
    const nrCut = cutTruth(nr, prepare.truthCutAdu);
    const input = new Float32Array(w * h);
    for (let i = 0; i < input.length; i++) input[i] = erCut[i] + nrCut[i];
    samples.push(prepareSample(facts, w, h, { input, er: erCut, nr: nrCut }, prepare));
  }
  return samples;
}
