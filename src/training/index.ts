/**
 * Training stage, the ingredients: what the autoencoder's training loop (train.ts, written
 * separately) combines into the baseline and the refined objectives.
 *
 * In: clean preprocessed pedestal frames (Float32Array, row-major, normalised to [0, 1]) with a seeded
 * Rng; tensors x (target), x̂ (reconstruction) and the injection mask, each [N, H, W, 1].
 * Out: for the refined training, a perturbed input, its binary mask and the list of injected
 * Gaussians (`injectStructures`); SSIM with tf.image.ssim's semantics, as a differentiable tfjs
 * function and a float64 reference (`ssim`, `ssimReference`); the hybrid and refined losses as
 * scalars, and λ set from the mask occupancy (`autoLambda`).
 * Ignored here: the network, the optimiser and its schedule, batching and validation splits,
 * checkpoints and provenance (all in train.ts and the model stage), and the choice of tfjs backend,
 * which the caller selects (the tests use 'cpu').
 */
export {
  injectStructures,
  drawStructures,
  structureDeposits,
  renderDeposits,
  type Injection,
  type Deposit,
  type StructureRecord,
  type BlobRecord,
  type TrackRecord,
  type Population,
} from './injection.js';
export { injectionSchema, resolveInjectionConfig, type InjectionConfig, type InjectionConfigInput } from '../config/training.js';
export { ssim, ssimReference, gaussianWindow1d, SSIM_DEFAULTS, type SsimOptions } from './ssim.js';
export { hybridLoss, refinedLoss, autoLambda, maskOccupancy, DEFAULT_ALPHA, DEFAULT_LAMBDA } from './losses.js';
