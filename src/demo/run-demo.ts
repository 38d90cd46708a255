/**
 * The demo: a small trigger study (quarter-size LIME frames, 60 pedestals, 150 events, both
 * autoencoders for a few epochs), sized to finish within 5 minutes on two cores.
 */
import { runTriggerStudy, type StudyOptions, type StudyResult } from '../study/trigger-study.js';

/** Denser than real runs (1.5 events per frame), so few frames give many events. */
export const DEMO_DEFAULTS = { size: 576, trainingPedestals: 40, calibrationPedestals: 20, events: 150, eventsPerFrame: 1.5, autoencoderEpochs: 4 };

export function runDemo(opts: Omit<StudyOptions, 'title'> & { outDir: string; seed: number }): Promise<StudyResult> {
  return runTriggerStudy({
    ...DEMO_DEFAULTS,
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
    title: `tpcvision demo — simulated LIME run (${opts.size ?? DEMO_DEFAULTS.size}² frames, seed ${opts.seed})`,
  } as StudyOptions);
}
