/**
 * Defaults of the overlap-separation method (spec overlap-separation.md, "Overlap-aware loss" and
 * "Training"), one strict zod schema per concern, and the loss presets as small partial objects
 * merged over the defaults (precedence: defaults → preset → explicit overrides).
 *
 * In: a preset name and/or a partial JSON object. Out: a resolved `OasisConfig`; unknown keys and
 * wrong types are ConfigErrors naming the dotted key and its source. Ignored: data preparation
 * (core/overlap-sample.ts) has its defaults in config/overlap-sample.ts, the simulator its own in config/migdal.ts.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { resolveConfig, type ConfigLayer } from './resolve.js';

const w = () => z.number().nonnegative();

export const oasisLossSchema = z.strictObject({
  /** Region weights before the rescaling to mean 1 over valid pixels [spec: ER-only 3, NR-only 1, overlap 6, background 1]. */
  regionWeights: z
    .strictObject({ erOnly: w().default(3), nrOnly: w().default(1), overlap: w().default(6), background: w().default(1) })
    .default({ erOnly: 3, nrOnly: 1, overlap: 6, background: 1 }),
  /** Channel weights of the L1 term [spec: ER 5, NR 1]. */
  channelWeights: z.strictObject({ er: w().default(5), nr: w().default(1) }).default({ er: 5, nr: 1 }),
  /** Weights of the two terms: total = reg·L_reg + tv·L_TV [spec: 1 and 0.01]. */
  regWeight: w().default(1),
  tvWeight: w().default(0.01),
});

export const oasisTrainingSchema = z.strictObject({
  /** AdamW learning rate and decoupled weight decay [spec: 2e-4, 1e-4]; Adam β1, β2, ε as PyTorch's defaults. */
  learningRate: z.number().positive().default(2e-4),
  weightDecay: w().default(1e-4),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.999),
  adamEpsilon: z.number().positive().default(1e-8),
  /** Global gradient-norm clip [spec: 1.0]; 0 disables. */
  clipNorm: w().default(1),
  /** Samples per step [spec: 16]. */
  batchSize: z.number().int().positive().default(16),
  /**
   * Samples per forward/backward pass; gradients accumulate over the batch before the one clipped
   * AdamW step, so the step equals the full batch's [ours: memory — tfjs keeps every activation,
   * and a batch of 16 288×512 images at base 32 needs over 23 GB]. 0 = the whole batch at once.
   */
  microBatch: z.number().int().nonnegative().default(4),
  /** Epoch limit and early-stopping patience on the validation loss [spec: 50, 10]. */
  epochs: z.number().int().positive().default(50),
  patience: z.number().int().positive().default(10),
  /** Fraction of the samples held out for validation, seeded split [ours: 10%, as the release's 18,000 + 2,000]. */
  validationFraction: z.number().min(0).max(0.9).default(0.1),
  /** U-Net base width [spec: 32]. */
  base: z.number().int().positive().default(32),
  /**
   * Learning rate over the run [spec: none, i.e. 'constant']. 'cosine': linear warm-up over
   * warmupSteps, then lr·½(1 + cos(π·s/S)) down to 0 at the last planned step S = epochs × steps per
   * epoch — for a fixed step budget shorter than the spec's 50 epochs (bench/oasis-quality --full).
   */
  schedule: z.enum(['constant', 'cosine']).default('constant'),
  warmupSteps: z.number().int().nonnegative().default(0),
  /**
   * Also checkpoint every this many steps inside an epoch (0: at epoch ends only) [ours]: an epoch of
   * 36,000 samples is tens of minutes on two cores, and a resume must not lose it.
   */
  checkpointEverySteps: z.number().int().nonnegative().default(0),
});

/**
 * The window the U-Net sees (overlap/window.ts): in training a window of this size placed at random
 * so that it contains the sample's valid box, at inference one centred on the event's box. Why: the
 * loss and the metrics live inside the valid box (~2,000 of 147,456 pixels at 288×512; 99.75% of
 * simulated events' boxes fit in 128 × 128), so a 128² window costs 1/9 of a frame and GroupNorm
 * normalises over the event's surroundings the same way in training and at inference. null = whole
 * frames (the release's way). A frame smaller than the window is seen whole.
 */
export const oasisWindowSchema = z.strictObject({
  /** Window height and width, px; divisible by 8 (three stride-2 stages) [ours: 128 × 128]. */
  height: z.number().int().positive().multipleOf(8).default(128),
  width: z.number().int().positive().multipleOf(8).default(128),
  /**
   * Where the inference (and validation) window is centred: 'input' = the bounding box of the brightest
   * 8-connected group of input pixels above boxThresholdAdu (the NR: found from the image alone, as
   * online), 'valid' = the sample's valid box (a detector's box given with the sample, e.g. the MIGDAL
   * pipeline's YOLO NR boxes) [ours: 'input'].
   */
  box: z.enum(['input', 'valid']).default('input'),
  /** Input threshold of the 'input' box, ADU [ours: 30, 10σ of the 3-ADU read noise of the MIGDAL images]. */
  boxThresholdAdu: z.number().default(30),
  /**
   * The 'input' box then grows over the faint part of the event: the 8-connected group of the input's
   * 3×3 mean above boxGrowAdu that holds the brightest group (the ER leaving the NR), searched within
   * a window's size around that group; a grown box larger than the window is not used (noise joined
   * in). null = no growth. [ours: 2 ADU; in `simulate migdal` test sets it brings the window's cover of
   * the whole valid box from 267 to 299 of 300 events]
   */
  boxGrowAdu: z.number().positive().nullable().default(2),
});

export const oasisConfigSchema = z.strictObject({
  loss: oasisLossSchema.default(oasisLossSchema.parse({})),
  training: oasisTrainingSchema.default(oasisTrainingSchema.parse({})),
  window: oasisWindowSchema.nullable().default(oasisWindowSchema.parse({})),
});

export type LossConfig = z.infer<typeof oasisLossSchema>;
export type OasisTrainingConfig = z.infer<typeof oasisTrainingSchema>;
export type OasisWindowConfig = z.infer<typeof oasisWindowSchema>;
export type OasisConfig = z.infer<typeof oasisConfigSchema>;

export const PRESET_NAMES = ['unweighted', 'overlap-only', 'nominal'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * What each preset changes. 'unweighted' (the spec's comparison) sets every region and channel weight
 * to 1 and keeps the TV term as nominal (0.01): the spec switches off the weighting, not the
 * smoothness, so the comparison isolates the weights. 'overlap-only' keeps 6 on the overlap only.
 */
export const PRESETS: Record<PresetName, { loss?: Partial<LossConfig> }> = {
  unweighted: { loss: { regionWeights: { erOnly: 1, nrOnly: 1, overlap: 1, background: 1 }, channelWeights: { er: 1, nr: 1 } } },
  'overlap-only': { loss: { regionWeights: { erOnly: 1, nrOnly: 1, overlap: 6, background: 1 }, channelWeights: { er: 1, nr: 1 } } },
  nominal: {},
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** defaults → preset → overrides, validated; `source` names where the overrides came from. */
export function resolveOasisConfig(preset: string = 'nominal', overrides: unknown = {}, source = 'oasis config'): OasisConfig {
  if (!isPresetName(preset)) throw new ConfigError(`${source}: unknown preset '${preset}' (choices: ${PRESET_NAMES.join(', ')})`);
  return resolveOasisLayers(preset, [{ source, value: overrides }]);
}

/** defaults → preset → layers (e.g. file, then command-line flags), validated. */
export function resolveOasisLayers(preset: PresetName, layers: readonly ConfigLayer[]): OasisConfig {
  return resolveConfig(oasisConfigSchema, [{ source: `preset '${preset}'`, value: PRESETS[preset] }, ...layers]);
}
