/**
 * Configuration stage: every default of tpcvision, one strict zod schema per feature, each value
 * beside its unit and the spec section it comes from, and one resolver for all of them.
 *
 * In: partial JSON objects in layers (defaults → preset → file → command-line flags). Out: resolved,
 * typed configurations; a problem is a ConfigError naming the dotted key and the layer at fault.
 * Ignored: reading files and parsing flags (the CLI does that), and values computed from a resolved
 * config (they stay with the stage that uses them, e.g. simulation/lime/derived.ts's geometryScale).
 *
 * | feature | schema | resolve | module |
 * |---|---|---|---|
 * | trigger chain (preprocess, score, ROI, calibration, evaluation) | `pipelineSchema` | `resolvePipelineConfig` | pipeline.ts |
 * | autoencoder training, its injections under `injection` | `trainingSchema`, `injectionSchema` | `resolveTrainingConfig` | training.ts |
 * | LIME simulator | `limeConfigSchema` | `resolveLimeConfig` | lime.ts |
 * | MIGDAL simulator | `migdalConfigSchema` | `resolveMigdalConfig` | migdal.ts |
 * | MIGDAL analysis grid (image size, camera binning), shared by the simulator and the Feather reader | `MIGDAL_GRID` (constant) | — | migdal-grid.ts |
 * | overlap separation (OASIS loss and training, loss presets) | `oasisConfigSchema` | `resolveOasisConfig` | oasis.ts |
 * | overlap samples (preparation, Feather storage) | `overlapSampleSchema` | `resolveConfig` | overlap-sample.ts |
 * | HTML report presentation (panel size, list length) | `reportSchema` | `resolveConfig` | report.ts |
 * | run sizes (frames, events, epochs) of the simulate commands, the studies and the demo | `simulateRunSchema`, `triggerStudySchema`, `oasisStudySchema`, `demoSchema` | `resolveConfig` | demo.ts |
 */
export * from './resolve.js';
export * from './describe-default.js';
export * from './pipeline.js';
export * from './training.js';
export * from './lime.js';
export * from './migdal.js';
export * from './migdal-grid.js';
export * from './oasis.js';
export * from './overlap-sample.js';
export * from './report.js';
export * from './demo.js';

import { pipelineSchema } from './pipeline.js';
import { trainingSchema } from './training.js';
import { limeConfigSchema } from './lime.js';
import { migdalConfigSchema } from './migdal.js';
import { oasisConfigSchema } from './oasis.js';
import { overlapSampleSchema } from './overlap-sample.js';
import { reportSchema } from './report.js';
import { demoSchema, oasisStudySchema, simulateRunSchema, triggerStudySchema } from './demo.js';

/** Every feature's schema by name: where a tool (help text, a config dump, a test) finds all defaults. */
export const FEATURE_SCHEMAS = {
  pipeline: pipelineSchema,
  training: trainingSchema,
  lime: limeConfigSchema,
  migdal: migdalConfigSchema,
  oasis: oasisConfigSchema,
  overlapSample: overlapSampleSchema,
  report: reportSchema,
  simulateRun: simulateRunSchema,
  triggerStudy: triggerStudySchema,
  oasisStudy: oasisStudySchema,
  demo: demoSchema,
} as const;
