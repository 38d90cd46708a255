/**
 * The overlap-separation quality study as one library call: simulate a MIGDAL training set and a
 * test set (different seeds), train every preset on the same training samples, evaluate all on the
 * same test samples. Used by the demo (tiny settings) and bench/oasis-quality.ts.
 *
 * In: sizes, presets, seed, an output directory, optionally a partial MIGDAL config (e.g. a smaller
 * image for quick runs) and overrides of the OASIS config. Out: OUT/train/migdal.feather,
 * OUT/test/migdal.feather, OUT/models/<preset>/ (model directories), OUT/oasis-evaluation.json,
 * OUT/oasis-report.html; returns the entries and the report section. With `resume`, a simulated set
 * whose run.json matches (seed, counts, configuration) is read instead of simulated again and each
 * training carries on from its checkpoint, so an interrupted study continues where it stopped.
 * Ignored: backend selection (the caller's).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Progress } from '../core/progress.js';
import { readMigdalFeatherAs } from '../io/feather.js';
import { compactSample, type CompactSample } from '../overlap/window.js';
import type { ReportSection } from '../report/index.js';
import { resolveMigdalConfig, type MigdalConfig } from '../config/migdal.js';
import { defaultNrOnly, simulateMigdalRun } from '../simulation/migdal/run.js';
import { resolveOasisConfig, type PresetName } from '../config/oasis.js';
import { OASIS_STUDY_DEFAULTS } from '../config/demo.js';
import type { OasisEvaluationEntry } from '../overlap/evaluate.js';
import { trainOasis } from '../overlap/train.js';
import { evaluateOasisRun } from './oasis-evaluate-run.js';

export interface OasisQualityOptions {
  outDir: string;
  seed: number;
  /** Hybrid events simulated for training (+ validation) and for the test set. */
  trainEvents: number;
  testEvents: number;
  /** Fraction of all samples that are NR-only; default config/demo.ts's oasisStudySchema.nrOnlyFraction. */
  nrOnlyFraction?: number;
  epochs: number;
  base: number;
  presets?: PresetName[];
  batchSize?: number;
  /** Partial MIGDAL simulator config (image size, energies…). */
  migdal?: unknown;
  /**
   * Extra hybrid test events with the ER energy drawn in [loKeV, hiKeV) (a third simulation, its own
   * seed, ids prefixed 'bin-'), appended to the test set so a small test set always fills that bin
   * (the demo's 4–5 keV). Default none.
   */
  testBin?: { events: number; loKeV: number; hiKeV: number };
  /** Partial OASIS config applied to every preset ({ loss?, training?, window? }). */
  overrides?: { loss?: Record<string, unknown>; training?: Record<string, unknown>; window?: Record<string, unknown> | null };
  resume?: boolean;
  /** Title and introduction of the report section. */
  section?: { title?: string; intro?: string };
  progress?: Progress;
  log?: (line: string) => void;
}

export interface OasisQualityResult {
  entries: OasisEvaluationEntry[];
  section: ReportSection;
  json: string;
  html: string;
  /** Mean seconds per training step per preset. */
  secondsPerStep: Record<string, number>;
  /** Wall-clock seconds by phase: simulation (as recorded when the sets were made), training per preset (all sessions), evaluation. */
  phases: { simulateTrain: number; simulateTest: number; train: Record<string, number>; evaluate: number };
  seconds: number;
}

/** A finished simulation in `dir` made with these settings (run.json matches), or null. */
function reusableRun(dir: string, seed: number, hybrid: number, nrOnly: number, config: unknown): { seconds: number } | null {
  const path = join(dir, 'run.json');
  if (!existsSync(path) || !existsSync(join(dir, 'migdal.feather'))) return null;
  const run = JSON.parse(readFileSync(path, 'utf8')) as { seed?: number; counts?: { hybrid?: number; nrOnly?: number }; config?: unknown; seconds?: number };
  const same = run.seed === seed && run.counts?.hybrid === hybrid && run.counts?.nrOnly === nrOnly && isDeepStrictEqual(run.config, JSON.parse(JSON.stringify(config))); // as written to run.json
  return same ? { seconds: run.seconds ?? NaN } : null;
}

export interface SimulatedSet {
  samples: CompactSample[];
  /** The Feather files the samples came from. */
  files: string[];
  /** Simulation seconds (as recorded in run.json when reused; NaN if it was not recorded). */
  seconds: number;
}

interface SetOptions {
  outDir: string;
  resume?: boolean;
  progress?: Progress;
  log: (line: string) => void;
}

/** OUT/dir: simulated (or reused, see reusableRun), then read compact. */
function simulatedSet(o: SetOptions, dir: string, events: number, seed: number, config: MigdalConfig, nrOnly = defaultNrOnly(config, events)): SimulatedSet {
  const outDir = join(o.outDir, dir);
  const kept = o.resume ? reusableRun(outDir, seed, events, nrOnly, config) : null;
  let seconds: number;
  if (kept) {
    seconds = kept.seconds;
    o.log(`${dir}: reusing the simulated set in ${outDir}`);
  } else {
    const r = simulateMigdalRun({ config, outDir, events, nrOnly, seed, progress: o.progress });
    seconds = r.seconds;
    o.log(`simulated ${dir}: ${r.hybrid} hybrid + ${r.nrOnly} NR-only in ${r.seconds.toFixed(1)} s`);
  }
  const t0 = performance.now();
  const file = join(outDir, 'migdal.feather');
  const samples = readMigdalFeatherAs(file, compactSample).samples;
  o.log(`read ${samples.length} ${dir} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { samples, files: [file], seconds };
}

/**
 * A test set: `events` hybrids and their NR-only share (OUT/test), plus, with `bin`, that many extra
 * hybrids whose ER energy lies in [loKeV, hiKeV) (OUT/test-bin, seed + 1,000,000, ids 'bin-…').
 */
export function simulateTestSet(o: SetOptions & { seed: number; events: number; migdal: MigdalConfig; bin?: OasisQualityOptions['testBin'] }): SimulatedSet {
  const test = simulatedSet(o, 'test', o.events, o.seed, o.migdal);
  if (!o.bin || o.bin.events <= 0) return test;
  const { events, loKeV, hiKeV } = o.bin;
  const binConfig = resolveMigdalConfig({ ...JSON.parse(JSON.stringify(o.migdal)), er: { ...o.migdal.er, minKeV: loKeV, maxKeV: hiKeV } }, 'test bin');
  const extra = simulatedSet(o, 'test-bin', events, o.seed + 1_000_000, binConfig, 0);
  return { samples: [...test.samples, ...extra.samples.map((c) => ({ ...c, id: `bin-${c.id}` }))], files: [...test.files, ...extra.files], seconds: test.seconds + extra.seconds };
}

/** The study's MIGDAL configuration: the partial one with the NR-only fraction set. */
export function studyMigdalConfig(partial: unknown, nrOnlyFraction: number): MigdalConfig {
  const m = (partial ?? {}) as { events?: object };
  return resolveMigdalConfig({ ...m, events: { ...(m.events ?? {}), nrOnlyFraction } }, 'oasis quality: migdal');
}

export async function runOasisQuality(o: OasisQualityOptions): Promise<OasisQualityResult> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const presets = o.presets ?? OASIS_STUDY_DEFAULTS.presets;
  const migdal = studyMigdalConfig(o.migdal, o.nrOnlyFraction ?? OASIS_STUDY_DEFAULTS.nrOnlyFraction);
  // 1. data: train and test from independent seeds (kept from an earlier, interrupted study when resuming)
  const setOptions = { outDir: o.outDir, resume: o.resume, progress: o.progress, log };
  const trainSet = simulatedSet(setOptions, 'train', o.trainEvents, o.seed, migdal);
  const train = trainSet.samples;
  const testSet = simulateTestSet({ ...setOptions, seed: o.seed + 1_000_003, events: o.testEvents, migdal, bin: o.testBin });
  // 2. one training per preset, same samples and seed
  const dirs: string[] = [];
  const secondsPerStep: Record<string, number> = {};
  const trainSeconds: Record<string, number> = {};
  for (const preset of presets) {
    const config = resolveOasisConfig(preset, {
      ...o.overrides,
      training: { ...(o.overrides?.training ?? {}), epochs: o.epochs, base: o.base, ...(o.batchSize ? { batchSize: o.batchSize } : {}) },
    });
    const outDir = join(o.outDir, 'models', preset);
    log(`training ${preset} on ${train.length} samples (${o.epochs} epochs, base ${o.base})`);
    const r = await trainOasis({ samples: train, config, preset, seed: o.seed, outDir, resume: o.resume, data: { path: join(o.outDir, 'train', 'migdal.feather') }, progress: o.progress, log });
    const h = r.state.history;
    secondsPerStep[preset] = h.length ? h.reduce((s, e) => s + e.stepSeconds, 0) / h.length : NaN;
    trainSeconds[preset] = h.reduce((s, e) => s + e.seconds, 0);
    r.model.dispose();
    dirs.push(outDir);
  }
  // 3. evaluation on the common test set
  const te = performance.now();
  const ev = await evaluateOasisRun({ modelDirs: dirs, samples: testSet.samples, outDir: o.outDir, data: { path: testSet.files[0], paths: testSet.files }, section: o.section, log });
  const phases = { simulateTrain: trainSet.seconds, simulateTest: testSet.seconds, train: trainSeconds, evaluate: (performance.now() - te) / 1000 };
  return { ...ev, secondsPerStep, phases, seconds: (performance.now() - t0) / 1000 };
}
