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
import { evaluateShippedAutoencoders, evaluateShippedOasis, shippedAutoencoders, shippedIntro, shippedOasisModels } from './shipped-models.js';
import type { MethodResult } from '../evaluation/results.js';

/** The demo's run sizes (config/demo.ts's demoSchema): the trigger study's, and the overlap study's. */
const { study: DEMO_STUDY, oasis: DEMO_OASIS } = DEMO_DEFAULTS;

export interface DemoOptions extends Omit<StudyOptions, 'title' | 'extraSections' | 'evaluationExtras'> {
  outDir: string;
  seed: number;
  /** Skip the overlap-separation part (default: run it). */
  oasis?: boolean;
  /** Skip the shipped autoencoders' run (default: run it when models/ has them). */
  shippedAutoencoders?: boolean;
}

export async function runDemo(opts: DemoOptions): Promise<StudyResult & { oasis: unknown[]; shippedAutoencoders: MethodResult[] }> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  let oasis: Awaited<ReturnType<typeof runOasisQuality>> | null = null;
  let shipped: Awaited<ReturnType<typeof evaluateShippedOasis>> = null;
  if (opts.oasis !== false) {
    await selectBackend({ warn: log });
    const { testBinEvents, shipped: shippedSizes, ...sizes } = DEMO_OASIS;
    const models = shippedOasisModels();
    if (models.length) {
      log(`overlap separation, shipped models (${models.map((m) => m.name).join(', ')}): ${shippedSizes.events} + ${shippedSizes.binEvents} (4–5 keV) MIGDAL events at 288×512, and ${shippedSizes.events} NR-only`);
      shipped = await evaluateShippedOasis({
        outDir: join(resolve(opts.outDir), 'oasis-shipped'),
        seed: opts.seed + 5_000_011, // unseen by every training (train seed 1, test 1,000,004)
        ...shippedSizes,
        models,
        section: { title: 'Overlap separation (OASIS): the shipped models, 288×512', intro: shippedIntro(models) },
        progress: opts.progress,
      });
    } else {
      log('overlap separation: no shipped models in this installation (models/ is missing)');
    }
    log(`overlap separation, a short training: ${sizes.trainEvents} + ${sizes.testEvents} MIGDAL events (and as many NR-only) on a coarse grid, presets ${OASIS_STUDY_DEFAULTS.presets.join(' and ')}`);
    oasis = await runOasisQuality({
      outDir: join(resolve(opts.outDir), 'oasis'),
      seed: opts.seed,
      ...sizes,
      testBin: { events: testBinEvents, loKeV: 4, hiKeV: 5 },
      section: {
        title: 'Overlap separation (OASIS): a short training on a coarse grid',
        intro: `The chain end to end in seconds: ${sizes.trainEvents} hybrid training events on a 64×32 grid of 1.25 mm pixels, base ${sizes.base}, ${sizes.epochs} epochs. Far too little training to separate anything: the shipped models above show what training at scale gives.`,
      },
      progress: opts.progress,
      log: () => {},
    });
  }
  const sections = [shipped?.section, oasis?.section].filter((x) => x !== undefined);
  const entries = [...(shipped?.entries ?? []), ...(oasis?.entries ?? [])];
  // the shipped autoencoders on new frames of the camera run they were trained on (its own small study)
  const aeModels = opts.shippedAutoencoders === false ? [] : shippedAutoencoders();
  let shippedAe: Awaited<ReturnType<typeof evaluateShippedAutoencoders>> = null;
  if (aeModels.length) {
    const a = DEMO_DEFAULTS.shippedAutoencoders;
    log(`ROI trigger, shipped autoencoders (${aeModels.map((m) => m.name).join(', ')}): ${a.calibrationPedestals} pedestals and ${a.events} events of new frames of their camera's run`);
    shippedAe = await evaluateShippedAutoencoders({ outDir: join(resolve(opts.outDir), 'ae-shipped'), seed: opts.seed + 5_000_011, ...a, models: aeModels, progress: opts.progress, log: () => {} });
    if (shippedAe) sections.unshift(shippedAe.section);
  }
  const { oasis: _skip, shippedAutoencoders: _skipAe, ...study } = opts;
  const result = await runTriggerStudy({
    ...DEMO_STUDY,
    ...Object.fromEntries(Object.entries(study).filter(([, v]) => v !== undefined)),
    title: `tpcvision demo — simulated LIME run (${opts.size ?? DEMO_STUDY.size}² frames, seed ${opts.seed})`,
    extraSections: sections,
    evaluationExtras: {
      ...(entries.length ? { oasis: entries } : {}),
      ...(shippedAe ? { shippedAutoencoders: { report: shippedAe.study.report, methods: shippedAe.study.evaluation.methods.map(({ sweep: _s, ...m }) => m) } } : {}),
    },
  } as StudyOptions);
  return { ...result, oasis: entries, shippedAutoencoders: shippedAe?.study.evaluation.methods ?? [], seconds: (performance.now() - t0) / 1000 };
}
