/**
 * A MIGDAL simulation run: N hybrid (Migdal) events and M NR-only events, prepared for overlap
 * separation and written as one Feather file with its provenance.
 *
 * In: a resolved config, the counts, a seed, an output directory. Out: OUT/migdal.feather (one row
 * per sample, io/feather.ts) and OUT/run.json (seed, resolved config, counts, preparation options,
 * tool version). Events 0..N−1 are hybrid, N..N+M−1 NR-only; event i draws only from
 * Rng.derive(seed, 'event:' + i), so the same seed gives the same bytes.
 * Ignored: previews (PNG), splitting into train/validation/test (done by the training stage).
 */
import { join } from 'node:path';
import { writeJsonAtomic } from '../../core/atomic-write.js';
import { ConfigError } from '../../core/errors.js';
import { silentProgress, type Progress } from '../../core/progress.js';
import { toolVersion } from '../../core/version.js';
import { prepareSample, type OverlapSample, type PrepareOptions } from '../../core/overlap-sample.js';
import { MIGDAL_FEATHER_FORMAT, samplesToTable, writeMigdalFeatherTables } from '../../io/feather.js';
import type { Table } from 'apache-arrow';
import { buildMigdalCamera } from './camera.js';
import type { MigdalConfig } from '../../config/migdal.js';
import { FEATHER_DEFAULTS, PREPARATION_DEFAULTS } from '../../config/overlap-sample.js';
import { migdalContext, simulateMigdalEvent, type MigdalEvent } from './event.js';

export interface MigdalRunOptions {
  config: MigdalConfig;
  outDir: string;
  /** Hybrid (ER + NR) events. */
  events: number;
  /** NR-only events; default from config.events.nrOnlyFraction: round(events·f / (1 − f)). */
  nrOnly?: number;
  seed: number;
  progress?: Progress;
  /** Over config/overlap-sample.ts's `preparation`. */
  prepare?: Partial<PrepareOptions>;
  /** Input pixels outside the valid box stored only above this, ADU (io/feather.ts); default feather.inputZeroSuppressAdu. */
  inputZeroSuppressAdu?: number;
}

export interface MigdalRunResult {
  outDir: string;
  feather: string;
  runJson: string;
  hybrid: number;
  nrOnly: number;
  seconds: number;
  eventsPerSecond: number;
}

/** Samples are converted to sparse Arrow rows in chunks of this many, so memory stays small. */
const CHUNK = 32;

/** The prepared sample of a simulated event (ids 'mig-000000' by event index). */
export function sampleFromEvent(ev: MigdalEvent, prepare: PrepareOptions = PREPARATION_DEFAULTS): OverlapSample {
  return prepareSample(
    {
      id: `mig-${String(ev.index).padStart(6, '0')}`,
      kind: ev.kind,
      erEnergyKeV: ev.erEnergyKeV,
      nrEnergyKeV: ev.nrEnergyKeV,
      nrVisibleKeV: ev.nrVisibleKeV,
      nrSpecies: ev.nrSpecies,
      vertexX: ev.vertex.x,
      vertexY: ev.vertex.y,
      erDirX: ev.erDir[0],
      erDirY: ev.erDir[1],
    },
    ev.width,
    ev.height,
    { input: ev.input, er: ev.er, nr: ev.nr },
    prepare,
  );
}

export function defaultNrOnly(config: MigdalConfig, events: number): number {
  const f = config.events.nrOnlyFraction;
  return f >= 1 ? events : Math.round((events * f) / (1 - f));
}

export function simulateMigdalRun(o: MigdalRunOptions): MigdalRunResult {
  const nrOnly = o.nrOnly ?? defaultNrOnly(o.config, o.events);
  for (const [name, n] of [['events', o.events], ['nrOnly', nrOnly], ['seed', o.seed]] as const) {
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a non-negative integer, got ${n}`);
  }
  const progress = o.progress ?? silentProgress;
  const prepare = { ...PREPARATION_DEFAULTS, ...o.prepare };
  const t0 = performance.now();
  const ctx = migdalContext(o.config, o.seed, buildMigdalCamera(o.config, o.seed));
  const total = o.events + nrOnly;
  const parts: Table[] = [];
  let chunk: OverlapSample[] = [];
  const writeOptions = { inputZeroSuppressAdu: o.inputZeroSuppressAdu };
  progress.start(total, 'simulate migdal');
  for (let i = 0; i < total; i++) {
    const ev = simulateMigdalEvent(ctx, i, i < o.events ? 'hybrid' : 'nr-only');
    chunk.push(sampleFromEvent(ev, prepare));
    if (chunk.length === CHUNK || i === total - 1) {
      parts.push(samplesToTable(chunk, writeOptions));
      chunk = [];
    }
    progress.tick(1, { kind: ev.kind });
  }
  progress.stop();
  const provenance = {
    tool: 'tpcvision simulate migdal',
    version: toolVersion(),
    format: MIGDAL_FEATHER_FORMAT,
    seed: o.seed,
    counts: { hybrid: o.events, nrOnly },
    prepare,
    inputZeroSuppressAdu: o.inputZeroSuppressAdu ?? FEATHER_DEFAULTS.inputZeroSuppressAdu,
    config: o.config,
  };
  const feather = join(o.outDir, 'migdal.feather');
  const runJson = join(o.outDir, 'run.json');
  writeMigdalFeatherTables(feather, parts, { ...writeOptions, provenance });
  const seconds = (performance.now() - t0) / 1000;
  writeJsonAtomic(runJson, { ...provenance, seconds, files: { dataset: 'migdal.feather' } });
  return { outDir: o.outDir, feather, runJson, hybrid: o.events, nrOnly, seconds, eventsPerSecond: total / Math.max(seconds, 1e-9) };
}
