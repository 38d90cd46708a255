/**
 * Depthwise 3×3 convolution (one filter per channel, multiplier 1, with bias), stride 2 by default,
 * computed as a dense conv2d whose [k, k, C, C] kernel is the depthwise kernel on the channel
 * diagonal and exactly 0 elsewhere.
 *
 * Why: tfjs' DepthwiseConv2dNativeBackpropFilter has no native kernel here and its cpu version
 * loops element by element (13 of 33 s of a 288×512 training step at base 32); dense conv2d and
 * its gradients run in oneDNN. The off-diagonal products are exact zeros, so the forward values
 * equal depthwise ones; the kernel gradient is the diagonal of the dense one (the mask's gradient).
 * The cost is C× the depthwise MACs (at base 32, ~10% of the U-Net's).
 * The dense kernel is built as (kernel as a [k·k·C, 1] column) · ones[1, C], times the identity
 * [C, C] broadcast over the k·k taps: a matmul and a same-last-axis broadcast, both of which run
 * natively (a [k, k, C, 1] × [C, C] broadcast runs tfjs's generic index loop, ~40 ms at C = 128,
 * and so does its gradient). Every product is by exactly 1 or 0, so the values are the same.
 * Padding is PyTorch's nn.Conv2d(padding=(k−1)/2): (k−1)/2 rows and columns on every side, so output
 * row i of a stride-2 3×3 stage reads input rows 2i−1…2i+1. TensorFlow's 'same' would put the one
 * padding row after the image (rows 2i…2i+2): the same weights would then see the image shifted
 * by one pixel, and weights trained by the reference (bench/oasis_reference.py) would not port.
 * In: [N, H, W, C]. Out: [N, ⌊(H − 1)/s⌋ + 1, ⌊(W − 1)/s⌋ + 1, C] (= ⌈H/s⌉ for k = 3). Odd k only.
 * Weights: depthwise_kernel [k, k, C, 1] and bias [C] — the names and shapes of
 * tfl.layers.depthwiseConv2d, so the seeded initialiser (training/init.ts) treats them alike.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface DepthwiseArgs {
  kernelSize?: number;
  strides?: number;
  name?: string;
}

export class DepthwiseStride2 extends tfl.layers.Layer {
  static className = 'DepthwiseStride2';
  readonly kernelSize: number;
  readonly strides: number;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private eye: tf.Tensor | null = null; // [C·C], the flattened identity
  private ones: tf.Tensor | null = null; // [1, C]

  constructor(args: DepthwiseArgs = {}) {
    super({ name: args.name });
    this.kernelSize = args.kernelSize ?? 3;
    this.strides = args.strides ?? 2;
    if (!(Number.isInteger(this.kernelSize) && this.kernelSize % 2 === 1)) throw new RangeError(`depthwise: kernel size ${this.kernelSize} must be odd (symmetric padding)`);
  }

  /** Rows (and columns) of zeros on each side: PyTorch's padding = (k − 1)/2. */
  get padding(): number {
    return (this.kernelSize - 1) / 2;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const c = shape[shape.length - 1] as number;
    const k = this.kernelSize;
    this.kernel = this.addWeight('depthwise_kernel', [k, k, c, 1], 'float32', tfl.initializers.glorotUniform({}));
    this.bias = this.addWeight('bias', [c], 'float32', tfl.initializers.zeros());
    this.eye = tf.keep(tf.tidy(() => tf.reshape(tf.eye(c), [c * c]))); // constant masks
    this.ones = tf.keep(tf.ones([1, c]));
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const out = (n: number | null) => (n === null ? null : Math.floor((n + 2 * this.padding - this.kernelSize) / this.strides) + 1);
    return [s[0], out(s[1]), out(s[2]), s[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D; // [N, H, W, C]
    return tf.tidy(() => {
      const k = this.kernelSize;
      const c = this.kernel!.shape[2] as number;
      const rows = tf.matMul(tf.reshape(this.kernel!.read(), [k * k * c, 1]), this.ones! as tf.Tensor2D); // [k·k·C, C]: row (tap, i) = kernel[tap, i]
      const dense = tf.reshape(tf.mul(tf.reshape(rows, [k * k, c * c]), this.eye!), [k, k, c, c]) as tf.Tensor4D; // diagonal per tap
      const y = tf.conv2d(x, dense, this.strides, this.padding); // a number: that many on every side
      return tf.add(y, this.bias!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kernelSize: this.kernelSize, strides: this.strides };
  }
}

tf.serialization.registerClass(DepthwiseStride2);

export function depthwiseStride2(args: DepthwiseArgs = {}): DepthwiseStride2 {
  return new DepthwiseStride2(args);
}
