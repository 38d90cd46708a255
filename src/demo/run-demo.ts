/**
 * The demo: a small trigger study (quarter-size LIME frames, 52 pedestals, 150 events, both
 * autoencoders for a few epochs) and a tiny overlap-separation study (MIGDAL events on a coarse
 * 32×64 grid, both loss presets), sized to finish within 5 minutes on two cores. Both land in one
 * report and one evaluation.json (`methods` for the trigger, `oasis` for overlap separation).
 */
import { join, resolve } from 'node:path';
import { runTriggerStudy, type StudyOptions, type StudyResult } from '../study/trigger-study.js';
import { runOasisQuality } from '../study/oasis-quality.js';
import { selectBackend } from '../engine/select-backend.js';
import { DEMO_DEFAULTS } from './defaults.js';

/** Overlap separation in miniature: 2.5× coarser pixels than MIGDAL's so tracks fit a 32×64 grid. */
export const DEMO_OASIS = { trainEvents: 24, testEvents: 40, epochs: 3, base: 8, batchSize: 8, migdal: { image: { width: 64, height: 32, pixelMm: 1.25 } } };

export interface DemoOptions extends Omit<StudyOptions, 'title' | 'extraSections' | 'evaluationExtras'> {
  outDir: string;
  seed: number;
  /** Skip the overlap-separation part (default: run it). */
  oasis?: boolean;
}

export async function runDemo(opts: DemoOptions): Promise<StudyResult & { oasis: unknown[] }> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  let oasis: Awaited<ReturnType<typeof runOasisQuality>> | null = null;
  if (opts.oasis !== false) {
    await selectBackend({ warn: log });
    log(`overlap separation: ${DEMO_OASIS.trainEvents} + ${DEMO_OASIS.testEvents} MIGDAL events (and as many NR-only), presets unweighted and nominal`);
    oasis = await runOasisQuality({ outDir: join(resolve(opts.outDir), 'oasis'), seed: opts.seed, ...DEMO_OASIS, progress: opts.progress, log: () => {} });
  }
  const { oasis: _skip, ...study } = opts;
  const result = await runTriggerStudy({
    ...DEMO_DEFAULTS,
    ...Object.fromEntries(Object.entries(study).filter(([, v]) => v !== undefined)),
    title: `tpcvision demo — simulated LIME run (${opts.size ?? DEMO_DEFAULTS.size}² frames, seed ${opts.seed})`,
    extraSections: oasis ? [oasis.section] : [],
    evaluationExtras: oasis ? { oasis: oasis.entries } : {},
  } as StudyOptions);
  return { ...result, oasis: oasis?.entries ?? [], seconds: (performance.now() - t0) / 1000 };
}
