/**
 * Defaults of the autoencoder trainings (spec roi-trigger.md "Training procedure", "Losses",
 * "Refined training"). Both trainings use identical settings; they differ only in objective and
 * injection. The injection parameters (`injection`) are part of the training config, so a training
 * config file can set them and the model directory's config.json records them.
 */
import { z } from 'zod';
import { resolveConfig, type ConfigLayer } from './resolve.js';

const interval = z.tuple([z.number(), z.number()]).refine(([a, b]) => a <= b, 'interval must satisfy lo ≤ hi');
const intInterval = z
  .tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])
  .refine(([a, b]) => a <= b, 'interval must satisfy lo ≤ hi');

/**
 * Synthetic perturbations of the refined training (spec "Refined training: on-the-fly synthetic
 * perturbations"); the conventions the spec leaves open are written down in training/injection.ts.
 */
export const injectionSchema = z.strictObject({
  /** Probability that a structure is faint, dimensionless (spec "Refined training", amplitude mixture: 0.9). */
  faintProbability: z.number().min(0).max(1).default(0.9),
  /** Faint amplitude range, normalised [0, 1] intensity units (spec: U(0.008, 0.08)). */
  faintAmplitude: interval.default([0.008, 0.08]),
  /** Bright amplitude range, normalised intensity units (spec: U(0.05, 0.25)). */
  brightAmplitude: interval.default([0.05, 0.25]),
  /** Blobs per sample, inclusive integer range (spec "Blobs": UniformInt(3, 5)). */
  blobCount: intInterval.default([3, 5]),
  /** Blob Gaussian σ, px (spec "Blobs": U(2, 15)). */
  blobSigma: interval.default([2, 15]),
  /** Tracks per sample, inclusive integer range (spec "Tracks": UniformInt(1, 4)). */
  trackCount: intInterval.default([1, 4]),
  /** Sample points along each Bézier track (spec "Tracks": 300). */
  trackSamples: z.number().int().min(2).default(300),
  /** Track full width w, px (spec "Tracks": w ~ U(2, 6)); one w per track, see training/injection.ts. */
  trackWidth: interval.default([2, 6]),
  /** FWHM-to-σ divisor, dimensionless (spec: σ = max(1, w/2.355)). */
  fwhmPerSigma: z.number().positive().default(2.355),
  /** Floor on a track deposit's σ, px (spec: σ = max(1, w/2.355)). */
  minTrackSigma: z.number().positive().default(1),
  /** Position of the amplitude bump along the curve, u units (spec: u0 ~ U(0.2, 0.8)). */
  bumpPosition: interval.default([0.2, 0.8]),
  /** Relative strength of the bump, dimensionless (spec: s ~ U(0, 2)). */
  bumpStrength: interval.default([0, 2]),
  /** Width of the bump, u units (spec: b(u) = 1 + s·exp(−½((u − u0)/0.08)²)). */
  bumpWidth: z.number().positive().default(0.08),
  /** Half-width of each deposit's mask box, in units of its σ (spec "Mask": ±3σ). */
  maskHalfWidthSigmas: z.number().nonnegative().default(3),
  /** Half-width of the rendering window, in units of σ (not in the spec: a speed cut, tail < e⁻⁸). */
  renderHalfWidthSigmas: z.number().positive().default(4),
});
export type InjectionConfig = z.infer<typeof injectionSchema>;
export type InjectionConfigInput = z.input<typeof injectionSchema>;

/** Resolve a partial injection config over the spec defaults; unknown keys and wrong types are errors. */
export function resolveInjectionConfig(partial?: unknown, source = 'injection config'): InjectionConfig {
  return resolveConfig(injectionSchema, [{ source, value: partial }]);
}

export const trainingSchema = z.strictObject({
  /** 'baseline': hybrid loss on clean pedestals; 'refined': injections + masked weighted loss. */
  mode: z.enum(['baseline', 'refined']).default('refined'),
  /** Epochs (spec: 100). */
  epochs: z.number().int().positive().default(100),
  /** Batch size (spec: 8). */
  batchSize: z.number().int().positive().default(8),
  /** Adam initial learning rate (spec: 1e-3). */
  learningRate: z.number().positive().default(1e-3),
  /** Fraction of the pedestal frames held out for validation (spec: 10%). */
  validationFraction: z.number().min(0).lt(1).default(0.1),
  /** Learning rate × this factor after `lrPatience` epochs without validation improvement (spec: 0.75, 5). */
  lrFactor: z.number().gt(0).lte(1).default(0.75),
  lrPatience: z.number().int().positive().default(5),
  /** SSIM weight α of both losses (spec: 0.55). */
  alpha: z.number().min(0).max(1).default(0.55),
  /** Mask weight λ of the refined loss (spec: 30), or 'auto' = 1/p − 1 from the mask occupancy. */
  lambda: z.union([z.number().nonnegative(), z.literal('auto')]).default(30),
  /** Batches used to measure the mask occupancy for lambda = 'auto'. */
  autoLambdaBatches: z.number().int().positive().default(4),
  /**
   * Re-estimate the batch-norm running statistics over the training set after training (lesson (b)
   * of the issue: Keras momentum 0.99 leaves them unconverged after short trainings).
   */
  reestimateBatchNorm: z.boolean().default(true),
  /** Filters of the four encoder levels (spec: 22, 44, 66, 88). */
  filters: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]).default([22, 44, 66, 88]),
  /** Synthetic perturbations of the refined training (spec "Refined training"); unused by 'baseline'. */
  injection: injectionSchema.default(injectionSchema.parse({})),
});
export type TrainingConfig = z.infer<typeof trainingSchema>;

export function resolveTrainingConfig(partial: unknown, source = 'training configuration'): TrainingConfig {
  return resolveTrainingLayers([{ source, value: partial }]);
}

/** Layers (e.g. the file's "training" section, then command-line flags) over the defaults, validated. */
export function resolveTrainingLayers(layers: readonly ConfigLayer[]): TrainingConfig {
  return resolveConfig(trainingSchema, layers);
}
