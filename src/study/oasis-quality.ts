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
import { compactSample } from '../overlap/window.js';
import type { ReportSection } from '../report/index.js';
import { resolveMigdalConfig } from '../config/migdal.js';
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
  /** Partial OASIS config applied to every preset ({ loss?, training?, window? }). */
  overrides?: { loss?: Record<string, unknown>; training?: Record<string, unknown>; window?: Record<string, unknown> | null };
  resume?: boolean;
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

export async function runOasisQuality(o: OasisQualityOptions): Promise<OasisQualityResult> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const presets = o.presets ?? OASIS_STUDY_DEFAULTS.presets;
  const f = o.nrOnlyFraction ?? OASIS_STUDY_DEFAULTS.nrOnlyFraction;
  const migdal = resolveMigdalConfig({ ...(o.migdal as object | undefined), events: { ...((o.migdal as { events?: object } | undefined)?.events ?? {}), nrOnlyFraction: f } }, 'oasis quality: migdal');
  // 1. data: train and test from independent seeds (kept from an earlier, interrupted study when resuming)
  const simSeconds: Record<string, number> = {};
  const sim = (dir: string, events: number, seed: number) => {
    const outDir = join(o.outDir, dir);
    const kept = o.resume ? reusableRun(outDir, seed, events, defaultNrOnly(migdal, events), migdal) : null;
    if (kept) {
      simSeconds[dir] = kept.seconds;
      log(`${dir}: reusing the simulated set in ${outDir}`);
    } else {
      const r = simulateMigdalRun({ config: migdal, outDir, events, seed, progress: o.progress });
      simSeconds[dir] = r.seconds;
      log(`simulated ${dir}: ${r.hybrid} hybrid + ${r.nrOnly} NR-only in ${r.seconds.toFixed(1)} s`);
    }
    const t0 = performance.now();
    const samples = readMigdalFeatherAs(join(outDir, 'migdal.feather'), compactSample).samples;
    log(`read ${samples.length} ${dir} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return samples;
  };
  const train = sim('train', o.trainEvents, o.seed);
  const test = sim('test', o.testEvents, o.seed + 1_000_003);
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
  const ev = await evaluateOasisRun({ modelDirs: dirs, samples: test, outDir: o.outDir, data: { path: join(o.outDir, 'test', 'migdal.feather') }, log });
  const phases = { simulateTrain: simSeconds.train, simulateTest: simSeconds.test, train: trainSeconds, evaluate: (performance.now() - te) / 1000 };
  return { ...ev, secondsPerStep, phases, seconds: (performance.now() - t0) / 1000 };
}
