/**
 * Run sizes: of `tpcvision simulate lime|migdal` when no flag gives them, and of the studies that
 * run the whole chain on simulated data: the trigger study
 * (study/trigger-study.ts; bench/trigger-quality runs larger ones), the overlap-separation quality
 * study (study/oasis-quality.ts), and the demo (src/demo, `tpcvision demo`) that runs small ones of
 * both. They are sizes of a run, not physics: every physics default stays in the feature's schema
 * (pipeline.ts, lime.ts, migdal.ts, oasis.ts, training.ts).
 *
 * Resolved with config/resolve.ts's resolveConfig (unknown keys and wrong types are ConfigErrors naming
 * the dotted key and its layer). Ignored: output directory and seed (flags of each command).
 */
import { z } from 'zod';
import { PRESET_NAMES } from './oasis.js';
import { schemaDefaults } from './resolve.js';

const count = () => z.number().int().nonnegative();

/** Frames and events `tpcvision simulate lime|migdal` writes when no flag says how many (tool choice: a quick look). */
export const simulateRunSchema = z.strictObject({
  lime: z
    .strictObject({
      /** Pedestal frames (GEM off), frames. */
      pedestals: count().default(20),
      /** Events in the data run, over as many frames as it takes, events. */
      events: count().default(50),
    })
    .default({ pedestals: 20, events: 50 }),
  /** Hybrid (ER + NR) events, events; the NR-only count follows migdal.ts's events.nrOnlyFraction. */
  migdal: z.strictObject({ events: count().default(100) }).default({ events: 100 }),
});
export const SIMULATE_RUN_DEFAULTS: Readonly<z.infer<typeof simulateRunSchema>> = schemaDefaults(simulateRunSchema);

export const triggerStudySchema = z.strictObject({
  /** Raw frame size, px (tool choice 576: a quarter-size LIME sensor, spec detectors.md "CYGNO / LIME" 2304 / 4; analysis grid 256²). */
  size: z.number().int().min(64).default(576),
  /** Pedestal frames for the statistics and the autoencoders, frames (spec roi-trigger.md "Training data: pedestal frames only"). */
  trainingPedestals: count().default(40),
  /** Held-out pedestal frames for the τ calibration, frames (spec "From residual map to ROIs", step 1). */
  calibrationPedestals: count().default(20),
  /** Simulated events in the data run, events. */
  events: count().default(150),
  /** Epochs of each autoencoder training, epochs (tool choice: a few, a study of the chain; 0 skips them). */
  autoencoderEpochs: count().default(4),
  /** Noise model of the simulated camera (lime.ts's `noise`). */
  noise: z.enum(['structured', 'independent']).default('structured'),
});
export type TriggerStudyConfig = z.infer<typeof triggerStudySchema>;

export const oasisStudySchema = z.strictObject({
  /** Loss presets trained and compared (spec overlap-separation.md "Overlap-aware loss": weighted vs unweighted). */
  presets: z.array(z.enum(PRESET_NAMES)).min(1).default(['unweighted', 'nominal']),
  /** Fraction of all samples that are NR-only, fraction (spec overlap-separation.md "Data": as many as hybrids). */
  nrOnlyFraction: z.number().min(0).max(1).default(0.5),
});

/** The demo's trigger study: denser than real runs (1.5 events per frame), so few frames give many events. */
const demoStudySchema = z.strictObject({
  /** Raw frame size, px (576 as the trigger study's). */
  size: z.number().int().min(64).default(576),
  trainingPedestals: count().default(32),
  calibrationPedestals: count().default(20),
  events: count().default(150),
  /** Mean events per frame, events (tool choice 1.5). */
  eventsPerFrame: z.number().positive().default(1.5),
  autoencoderEpochs: count().default(4),
});

/** Overlap separation in miniature: 2.5× coarser pixels than MIGDAL's so tracks fit a 32×64 grid. */
const demoOasisSchema = z.strictObject({
  /** Hybrid events simulated for training (+ validation) and for the test set, events. */
  trainEvents: count().default(24),
  testEvents: count().default(40),
  /** Training epochs per preset, epochs. */
  epochs: count().default(3),
  /** Channels of the U-Net's first level (oasis.ts training.base), channels. */
  base: z.number().int().positive().default(8),
  /** Samples per step, samples. */
  batchSize: z.number().int().positive().default(8),
  /** Extra test hybrids with 4–5 keV ERs, so the headline bin is never empty, events (tool choice). */
  testBinEvents: count().default(10),
  /**
   * The shipped models (models/, src/demo/shipped-models.ts) are evaluated on a fresh test set at the
   * spec's 288×512: this many hybrids (and as many NR-only), plus binEvents 4–5 keV hybrids, events.
   */
  shipped: z.strictObject({ events: count().default(100), binEvents: count().default(20) }).default({ events: 100, binEvents: 20 }),
  /** Partial MIGDAL simulator config (migdal.ts): a 64×32 image of 1.25 mm pixels. */
  migdal: z
    .strictObject({
      image: z
        .strictObject({ width: z.number().int().positive().default(64), height: z.number().int().positive().default(32), pixelMm: z.number().positive().default(1.25) })
        .default({ width: 64, height: 32, pixelMm: 1.25 }),
    })
    .default({ image: { width: 64, height: 32, pixelMm: 1.25 } }),
});

/** The run of the shipped autoencoders' camera (src/demo/shipped-models.ts): held-out pedestals and events, fresh seeds. */
const demoShippedAeSchema = z.strictObject({
  calibrationPedestals: count().default(20),
  events: count().default(100),
  eventsPerFrame: z.number().positive().default(1.5),
});

export const demoSchema = z.strictObject({
  study: demoStudySchema.default(demoStudySchema.parse({})),
  oasis: demoOasisSchema.default(demoOasisSchema.parse({})),
  shippedAutoencoders: demoShippedAeSchema.default(demoShippedAeSchema.parse({})),
});
export type DemoConfig = z.infer<typeof demoSchema>;

export const TRIGGER_STUDY_DEFAULTS: Readonly<TriggerStudyConfig> = Object.freeze({ ...schemaDefaults(triggerStudySchema) });
export const OASIS_STUDY_DEFAULTS: Readonly<z.infer<typeof oasisStudySchema>> = schemaDefaults(oasisStudySchema);
export const DEMO_DEFAULTS: Readonly<DemoConfig> = schemaDefaults(demoSchema);
