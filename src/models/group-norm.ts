/**
 * Group normalisation (Wu & He 2018) as a tfjs-layers layer, which tfjs-layers does not ship.
 *
 * In: [N, H, W, C] (channels last), C divisible by `groups`. Out: the same shape,
 *   y = (x − μ_g) / √(σ²_g + ε) · γ_c + β_c,
 * with μ_g, σ²_g the mean and (biased) variance over H, W and the C/groups channels of each group g,
 * per sample; γ, β one per channel (init 1 and 0), ε = 1e-5 (PyTorch's nn.GroupNorm default).
 * Option `activation: 'swish'` applies SiLU, y·sigmoid(y), to the result (tfjs's 'swish' with
 * alpha 1): the U-Net's GroupNorm is always followed by one, and fused they cost one pass each way.
 *
 * Two implementations of the same mathematics:
 * - when the active backend has the kernels TpcGroupNorm / TpcGroupNormGrad (tpcvision-native,
 *   src/engine/kernels/group-norm.ts), a tf.customGrad op: statistics per (sample, group) in double
 *   in one pass, normalise + affine (+ SiLU) in a second; backward one reduction pass and one dx pass,
 *   keeping only x and the [N, G] statistics for the backward pass;
 * - otherwise differentiable tfjs ops only (split, reshape, mean, arithmetic), so tf.grad works on
 *   any backend. Its variance is E[x²] − μ² (one pass; activations after a conv are O(1), where
 *   float32 loses nothing that matters against ε = 1e-5); the native one shifts by the group's first
 *   value first. Both agree to float32 rounding (tests/engine/oasis-ops.test.ts).
 * Ignored: other ranks than 4, channels-first data.
 * Registered with tf.serialization so a model holding it survives toJSON / fromJSON.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export type GroupNormActivation = 'linear' | 'swish';

export interface GroupNormArgs {
  groups?: number;
  epsilon?: number;
  /** Applied after the affine: 'linear' (none, default) or 'swish' (SiLU). */
  activation?: GroupNormActivation;
  name?: string;
}

// Kernels registered by the native backend (src/engine/kernels/group-norm.ts); looked up by name so
// that the model imports tfjs only.
const KERNEL = 'TpcGroupNorm';
const KERNEL_GRAD = 'TpcGroupNormGrad';

/** The custom op on a backend with the native kernels: y and its gradients for x, γ, β. */
function groupNormNative(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number, epsilon: number, silu: boolean): tf.Tensor4D {
  const attrs = { groups, epsilon, silu };
  // customGrad passes the inputs and then the save function in one rest list
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, g, b] = args as tf.Tensor[];
    const [y, mean, rstd] = tf.engine().runKernel(KERNEL, { x: xIn, gamma: g, beta: b }, attrs) as tf.Tensor[]; // y, [N, G], [N, G]
    (args[3] as tf.GradSaveFunc)([xIn, g, b, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, gs, bs, m, r] = saved;
        return tf.engine().runKernel(KERNEL_GRAD, { dy: dy as tf.Tensor, x: xs, gamma: gs, beta: bs, mean: m, rstd: r }, attrs) as tf.Tensor[]; // dx, dγ, dβ
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

/** The same with tfjs ops, per sample (see the header). */
function groupNormOps(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, g: number, epsilon: number, silu: boolean): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  // Per sample, so every large op is a plain reduction or a per-channel broadcast (a 5-D
  // [N, H, W, G, C/G] broadcast would run generic index loops):
  //   1. channel means of x and x² over H·W; 2. group means of those; 3. σ² = E[x²] − μ²;
  //   4. y = x·a + b with per-channel a = γ/√(σ²+ε), b = β − μ·a.
  const parts = (n === 1 ? [x] : tf.split(x, n, 0)).map((xs) => {
    const flat = tf.reshape(xs, [h * w, c]); // [H·W, C]
    const perGroup = (v: tf.Tensor) => tf.mean(tf.reshape(v, [g, c / g]), 1, true); // [G, 1]
    const toChannels = (v: tf.Tensor) => tf.reshape(tf.tile(v, [1, c / g]), [c]); // [G, 1] → [C]
    const mean = perGroup(tf.mean(flat, 0)); // [G, 1]
    const meanSq = perGroup(tf.mean(tf.mul(flat, flat), 0)); // [G, 1]
    const variance = tf.relu(tf.sub(meanSq, tf.mul(mean, mean))); // ≥ 0 despite rounding
    const a = tf.div(gamma, tf.sqrt(tf.add(toChannels(variance), epsilon))); // [C]
    const b = tf.sub(beta, tf.mul(toChannels(mean), a)); // [C]
    return tf.add(tf.mul(xs, a), b); // [1, H, W, C]
  });
  const y = (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor4D;
  return silu ? (tf.mul(tf.sigmoid(y), y) as tf.Tensor4D) : y; // tfjs-layers' swish, alpha 1
}

export class GroupNormalization extends tfl.layers.Layer {
  static className = 'GroupNormalization';
  readonly groups: number;
  readonly epsilon: number;
  readonly activation: GroupNormActivation;
  private gamma: tfl.LayerVariable | null = null;
  private beta: tfl.LayerVariable | null = null;

  constructor(args: GroupNormArgs = {}) {
    super({ name: args.name });
    this.groups = args.groups ?? 8;
    this.epsilon = args.epsilon ?? 1e-5;
    this.activation = args.activation ?? 'linear';
    if (this.activation !== 'linear' && this.activation !== 'swish') {
      throw new RangeError(`GroupNormalization: activation '${String(this.activation)}' is not one of linear, swish`);
    }
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
    const gamma = this.gamma!.read();
    const beta = this.beta!.read();
    const silu = this.activation === 'swish';
    const native = x.dtype === 'float32' && tf.getKernel(KERNEL, tf.getBackend()) != null;
    return tf.tidy(() => (native ? groupNormNative : groupNormOps)(x, gamma, beta, this.groups, this.epsilon, silu));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon, activation: this.activation };
  }
}

tf.serialization.registerClass(GroupNormalization);

export function groupNormalization(args: GroupNormArgs = {}): GroupNormalization {
  return new GroupNormalization(args);
}
