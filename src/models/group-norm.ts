/**
 * Group normalisation (Wu & He 2018) as a tfjs-layers layer, which tfjs-layers does not ship.
 *
 * In: [N, H, W, C] (channels last), C divisible by `groups`. Out: the same shape,
 *   y = (x − μ_g) / √(σ²_g + ε) · γ_c + β_c,
 * with μ_g, σ²_g the mean and (biased) variance over H, W and the C/groups channels of each group g,
 * per sample; γ, β one per channel (init 1 and 0), ε = 1e-5 (PyTorch's nn.GroupNorm default).
 * Built from differentiable tfjs ops only (split, reshape, mean, arithmetic), so tf.grad works on
 * any backend without a custom gradient. The variance is E[x²] − μ² (one pass; activations after a
 * conv are O(1), where float32 loses nothing that matters against ε = 1e-5). Ignored: other ranks than 4, channels-first data.
 * Registered with tf.serialization so a model holding it survives toJSON / fromJSON.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface GroupNormArgs {
  groups?: number;
  epsilon?: number;
  name?: string;
}

export class GroupNormalization extends tfl.layers.Layer {
  static className = 'GroupNormalization';
  readonly groups: number;
  readonly epsilon: number;
  private gamma: tfl.LayerVariable | null = null;
  private beta: tfl.LayerVariable | null = null;

  constructor(args: GroupNormArgs = {}) {
    super({ name: args.name });
    this.groups = args.groups ?? 8;
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const c = shape[shape.length - 1];
    if (c === null || c % this.groups !== 0) {
      throw new RangeError(`${this.name}: ${c} channels are not divisible into ${this.groups} groups`);
    }
    // names contain "gamma"/"beta" so the seeded initialiser (training/init.ts) sets 1 and 0
    this.gamma = this.addWeight('gamma', [c], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D; // [N, H, W, C]
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape;
      const g = this.groups;
      const gamma = this.gamma!.read();
      const beta = this.beta!.read();
      // Per sample, so every large op is a plain reduction or a per-channel broadcast (the patterns the
      // native backend runs; a 5-D [N, H, W, G, C/G] broadcast falls back to slow generic loops):
      //   1. channel means of x and x² over H·W; 2. group means of those; 3. σ² = E[x²] − μ²;
      //   4. y = x·a + b with per-channel a = γ/√(σ²+ε), b = β − μ·a.
      const parts = (n === 1 ? [x] : tf.split(x, n, 0)).map((xs) => {
        const flat = tf.reshape(xs, [h * w, c]); // [H·W, C]
        const perGroup = (v: tf.Tensor) => tf.mean(tf.reshape(v, [g, c / g]), 1, true); // [G, 1]
        const toChannels = (v: tf.Tensor) => tf.reshape(tf.tile(v, [1, c / g]), [c]); // [G, 1] → [C]
        const mean = perGroup(tf.mean(flat, 0)); // [G, 1]
        const meanSq = perGroup(tf.mean(tf.mul(flat, flat), 0)); // [G, 1]
        const variance = tf.relu(tf.sub(meanSq, tf.mul(mean, mean))); // ≥ 0 despite rounding
        const a = tf.div(gamma, tf.sqrt(tf.add(toChannels(variance), this.epsilon))); // [C]
        const b = tf.sub(beta, tf.mul(toChannels(mean), a)); // [C]
        return tf.add(tf.mul(xs, a), b); // [1, H, W, C]
      });
      return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(GroupNormalization);

export function groupNormalization(args: GroupNormArgs = {}): GroupNormalization {
  return new GroupNormalization(args);
}
