/**
 * The trained models shipped in the repository's models/ folder, as the demo uses them. Each folder
 * is a model directory copied from a benchmark run by bench/ship-models.ts, with PROVENANCE.json
 * beside it (the command, seed, data, git commit and the metrics the benchmark measured); see
 * models/README.md.
 *
 * In: the package root (core/version.ts). Out: the folders that exist; an evaluation of the shipped
 * OASIS models on a freshly simulated MIGDAL test set at the spec's geometry (288×512), with extra
 * 4–5 keV ERs so that bin is never empty. Ignored: models/ folders the demo does not know.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/version.js';
import type { Progress } from '../core/progress.js';
import { OASIS_STUDY_DEFAULTS } from '../config/demo.js';
import { evaluationSchema } from '../config/pipeline.js';
import { simulateTestSet, studyMigdalConfig } from '../study/oasis-quality.js';
import { evaluateOasisRun, type OasisEvaluateRunResult } from '../study/oasis-evaluate-run.js';
import { runTriggerStudy, type StudyResult } from '../study/trigger-study.js';
import { InputError } from '../core/errors.js';
import { escapeHtml, REFERENCE_AREA_CUT, summaryTableHtml, type ReportSection } from '../report/index.js';

/** Shipped OASIS models by preset, in the order the demo shows them. */
export const SHIPPED_OASIS = [
  { dir: 'oasis-nominal', name: 'nominal (shipped)' },
  { dir: 'oasis-unweighted', name: 'unweighted (shipped)' },
] as const;

/**
 * Shipped autoencoders (bench/trigger-quality's refined and baseline, with the pedestal statistics they
 * were trained with in their stats/), by the score name the demo gives them.
 */
export const SHIPPED_AUTOENCODERS = [
  { dir: 'ae-refined', name: 'ae-refined-shipped' },
  { dir: 'ae-baseline', name: 'ae-baseline-shipped' },
] as const;

/** The models/ folder of the package, or null when it is not there (an installation without models). */
export function shippedModelsRoot(): string | null {
  const root = packageRoot();
  const dir = root === null ? null : join(root, 'models');
  return dir !== null && existsSync(dir) ? dir : null;
}

/** The folders of `list` under `root` that hold `marker` (a model directory's own file), with their labels. */
function existing(list: readonly { dir: string; name: string }[], marker: string, root: string | null): { dir: string; name: string }[] {
  if (root === null) return [];
  return list.map((m) => ({ dir: join(root, m.dir), name: m.name })).filter((m) => existsSync(join(m.dir, marker)));
}

/** The shipped OASIS model directories that exist, with their labels. */
export function shippedOasisModels(root = shippedModelsRoot()): { dir: string; name: string }[] {
  return existing(SHIPPED_OASIS, 'oasis-model.json', root);
}

/** The shipped autoencoder directories that exist, with their score names. */
export function shippedAutoencoders(root = shippedModelsRoot()): { dir: string; name: string }[] {
  return existing(SHIPPED_AUTOENCODERS, 'config.json', root);
}

export interface ShippedAutoencoderOptions {
  outDir: string;
  /** Seed of the fresh run (frames, events); the camera is the models' own. */
  seed: number;
  calibrationPedestals: number;
  events: number;
  eventsPerFrame: number;
  models?: { dir: string; name: string }[];
  /** A later run of the camera (other hot pixels) instead of new frames of the models' own run. */
  laterRun?: boolean;
  progress?: Progress;
  log?: (line: string) => void;
}

/**
 * The shipped autoencoders on new frames of the camera run they were trained on (the camera seed, frame
 * size and noise model their PROVENANCE.json records; the run's hot pixels from the same seed, new
 * noise and events from `seed`): the frozen statistics they were trained with, τ calibrated on fresh
 * held-out pedestals, every classical score beside them on the same events. Null without shipped
 * autoencoders. (A later run of the camera has other hot pixels: frozen statistics of this one then
 * misfit every score, classical or learned — docs/RESULTS.md.)
 */
export async function evaluateShippedAutoencoders(o: ShippedAutoencoderOptions): Promise<{ study: StudyResult; section: ReportSection } | null> {
  const models = o.models ?? shippedAutoencoders();
  if (models.length === 0) return null;
  const camera = readProvenance(models[0].dir)?.camera;
  if (!camera) throw new InputError(join(models[0].dir, 'PROVENANCE.json'), 'no camera (seed, size, noise) recorded: ship the model with bench/ship-models.ts');
  const study = await runTriggerStudy({
    outDir: o.outDir,
    seed: o.seed,
    size: camera.size,
    noise: camera.noise,
    cameraSeed: camera.seed,
    // the benchmark's run itself (its hot pixels), with new frames and events: the frozen statistics the
    // models were trained with describe this run; a later run needs its own (see docs/RESULTS.md)
    runSeed: o.laterRun ? undefined : camera.seed,
    trainingPedestals: 0,
    calibrationPedestals: o.calibrationPedestals,
    events: o.events,
    eventsPerFrame: o.eventsPerFrame,
    autoencoderEpochs: 0,
    statsDir: join(models[0].dir, 'stats'),
    models: new Map(models.map((m) => [m.name, m.dir])),
    title: `tpcvision demo — shipped autoencoders on new frames of their camera's run (camera seed ${camera.seed}, frame seed ${o.seed})`,
    progress: o.progress,
    log: o.log,
  });
  const ev = study.evaluation;
  const html =
    `<p>${escapeHtml(shippedAutoencoderIntro(models, camera))}</p>` +
    summaryTableHtml(ev.methods, { referenceAreaCut: REFERENCE_AREA_CUT, lowEnergyRange: evaluationSchema.parse({}).lowEnergyRange as [number, number] }) +
    `<p class="note">${ev.containedEvents} contained events in ${ev.frames} frames; the full report of this run: ${escapeHtml(study.report)}</p>`;
  return { study, section: { title: 'ROI trigger: the shipped autoencoders on new frames of their camera', html } };
}

function shippedAutoencoderIntro(models: { dir: string; name: string }[], camera: { seed: number; size: number; noise: string }): string {
  const parts = models.map((m) => {
    const p = readProvenance(m.dir);
    const commit = p?.trainedBy?.commit ? String(p.trainedBy.commit).slice(0, 10) : 'unknown';
    const cov = p?.metrics?.coverageAtReferenceCut;
    return `${m.name}: trained by \`${p?.trainedBy?.command ?? '?'}\` (seed ${p?.trainedBy?.seed ?? '?'}, commit ${commit}), coverage at the 97.8% area cut there ${typeof cov === 'number' ? `${(100 * cov).toFixed(1)}%` : '—'}`;
  });
  return (
    `Autoencoders trained by the project's own benchmark on pedestals of a simulated ${camera.size}² camera (${camera.noise} noise, camera seed ${camera.seed}) and shipped in models/, ` +
    `used here with the pedestal statistics they were trained with on new frames of that camera's run (same fixed pattern and hot pixels, new noise and events): τ calibrated on fresh pedestals, coverage on fresh events. ${parts.join('. ')}.`
  );
}

export interface ShippedOasisOptions {
  outDir: string;
  seed: number;
  /** Hybrid test events over the whole ER spectrum (and as many NR-only), events. */
  events: number;
  /** Extra hybrids with 4–5 keV ERs, events. */
  binEvents: number;
  models?: { dir: string; name: string }[];
  section?: { title?: string; intro?: string };
  progress?: Progress;
  log?: (line: string) => void;
}

/** The shipped OASIS models on a fresh simulated test set (OUT/test, OUT/test-bin), or null without shipped models. */
export async function evaluateShippedOasis(o: ShippedOasisOptions): Promise<OasisEvaluateRunResult | null> {
  const models = o.models ?? shippedOasisModels();
  if (models.length === 0) return null;
  const log = o.log ?? (() => {});
  const migdal = studyMigdalConfig({}, OASIS_STUDY_DEFAULTS.nrOnlyFraction); // the spec's 288×512 geometry
  const test = simulateTestSet({ outDir: o.outDir, seed: o.seed, events: o.events, migdal, bin: { events: o.binEvents, loKeV: 4, hiKeV: 5 }, progress: o.progress, log });
  return evaluateOasisRun({
    modelDirs: models.map((m) => m.dir),
    names: models.map((m) => m.name),
    samples: test.samples,
    outDir: o.outDir,
    data: { paths: test.files },
    section: o.section,
    log,
  });
}

/** What the shipped models are and where their figures come from, read from each PROVENANCE.json. */
export function shippedIntro(models: { dir: string; name: string }[]): string {
  const parts = models.map((m) => {
    const p = readProvenance(m.dir);
    if (!p) return `${m.name}: no PROVENANCE.json`;
    const pct = (x: unknown) => (typeof x === 'number' ? `${(100 * x).toFixed(1)}%` : '—');
    const commit = p.trainedBy?.commit ? String(p.trainedBy.commit).slice(0, 10) : 'unknown';
    return (
      `${m.name}: ${p.description ?? 'OASIS U-Net'}, trained by \`${p.trainedBy?.command ?? '?'}\` (seed ${p.trainedBy?.seed ?? '?'}, commit ${commit}) ` +
      `on ${p.data?.trainEvents ?? '?'} simulated samples; on that benchmark's 2,000 test events: ΔI(4–5 keV) median ${pct(p.metrics?.medianDeltaI_4to5keV)}, ` +
      `IoU ${typeof p.metrics?.iou === 'number' ? p.metrics.iou.toFixed(3) : '—'}, NR-only FP ${pct(p.metrics?.nrOnlyFpRate)}`
    );
  });
  return `Models trained by the project's own benchmark and shipped in models/ (models/README.md), evaluated here on a test set simulated afresh. ${parts.join('. ')}.`;
}

interface Provenance {
  description?: string;
  trainedBy?: { command?: string; seed?: number; commit?: string };
  data?: { trainEvents?: number };
  /** Autoencoders: the simulated camera the model belongs to. */
  camera?: { seed: number; size: number; noise: 'structured' | 'independent' };
  metrics?: { medianDeltaI_4to5keV?: number; iou?: number; nrOnlyFpRate?: number; coverageAtReferenceCut?: number };
}

function readProvenance(dir: string): Provenance | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'PROVENANCE.json'), 'utf8')) as Provenance;
  } catch {
    return null;
  }
}
