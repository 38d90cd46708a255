/**
 * The demo: a small trigger study (quarter-size LIME frames, a few dozen pedestals and events, both
 * autoencoders for a few epochs) and a tiny overlap-separation study (MIGDAL events on a coarse grid,
 * both loss presets), sized to finish within 5 minutes on two cores; the sizes are config/demo.ts's. Both land in one
 * report and one evaluation.json (`methods` for the trigger, `oasis` for overlap separation).
 */
import { join, resolve } from 'node:path';
import { runTriggerStudy, type StudyOptions, type StudyResult } from '../study/trigger-study.js';
import { runOasisQuality } from '../study/oasis-quality.js';
import { selectBackend } from '../engine/select-backend.js';
import { DEMO_DEFAULTS, OASIS_STUDY_DEFAULTS } from '../config/demo.js';

/** The demo's run sizes (config/demo.ts's demoSchema): the trigger study's, and the overlap study's. */
const { study: DEMO_STUDY, oasis: DEMO_OASIS } = DEMO_DEFAULTS;

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
    log(`overlap separation: ${DEMO_OASIS.trainEvents} + ${DEMO_OASIS.testEvents} MIGDAL events (and as many NR-only), presets ${OASIS_STUDY_DEFAULTS.presets.join(' and ')}`);
    oasis = await runOasisQuality({ outDir: join(resolve(opts.outDir), 'oasis'), seed: opts.seed, ...DEMO_OASIS, progress: opts.progress, log: () => {} });
  }
  const { oasis: _skip, ...study } = opts;
  const result = await runTriggerStudy({
    ...DEMO_STUDY,
    ...Object.fromEntries(Object.entries(study).filter(([, v]) => v !== undefined)),
    title: `tpcvision demo — simulated LIME run (${opts.size ?? DEMO_STUDY.size}² frames, seed ${opts.seed})`,
    extraSections: oasis ? [oasis.section] : [],
    evaluationExtras: oasis ? { oasis: oasis.entries } : {},
  } as StudyOptions);
  return { ...result, oasis: oasis?.entries ?? [], seconds: (performance.now() - t0) / 1000 };
}
