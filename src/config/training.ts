/**
 * Defaults of the autoencoder trainings (spec roi-trigger.md "Training procedure", "Losses",
 * "Refined training"). Both trainings use identical settings; they differ only in objective and
 * injection.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

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
});
export type TrainingConfig = z.infer<typeof trainingSchema>;

export function resolveTrainingConfig(partial: unknown, source = 'training configuration'): TrainingConfig {
  const r = trainingSchema.safeParse(partial ?? {});
  if (!r.success) {
    throw new ConfigError(`${source}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}
