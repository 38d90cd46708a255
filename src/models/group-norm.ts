/**
 * Group normalisation (Wu & He 2018) as a tfjs-layers layer, which tfjs-layers does not ship.
 *
 * In: [N, H, W, C] (channels last), C divisible by `groups`. Out: the same shape,
 *   y = (x − μ_g) / √(σ²_g + ε) · γ_c + β_c,
 * with μ_g, σ²_g the mean and (biased) variance over H, W and the C/groups channels of each group g,
 * per sample; γ, β one per channel (init 1 and 0), ε = 1e-5 (PyTorch's nn.GroupNorm default).
 * Built from differentiable tfjs ops only (reshape, moments, arithmetic), so tf.grad works on any
 * backend without a custom gradient. Ignored: other ranks than 4, channels-first data.
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
      const grouped = tf.reshape(x, [n, h, w, g, c / g]); // [N, H, W, G, C/G]
      const { mean, variance } = tf.moments(grouped, [1, 2, 4], true); // [N, 1, 1, G, 1] each
      const normed = tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, this.epsilon)));
      const back = tf.reshape(normed, [n, h, w, c]); // [N, H, W, C]
      return tf.add(tf.mul(back, this.gamma!.read()), this.beta!.read());
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
