/**
 * Bilinear ×2 upsampling as a tfjs-layers layer built from slices, concatenations and reshapes.
 *
 * Why not tfl.layers.upSampling2d({ interpolation: 'bilinear' }): in tfjs 4.22 the gradient of
 * ResizeBilinear comes back with H and W swapped for non-square maps ("gradient of input 'images' has
 * shape '3,32,16,16' … input '3,16,32,16'"), so it cannot be trained on 288×512 images. This layer
 * also matches PyTorch's nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False) exactly
 * (half-pixel centres), which the reference model uses.
 *
 * In: [N, H, W, C]. Out: [N, 2H, 2W, C]. Per axis, output 2k samples the input at k − 1/4 and 2k+1
 * at k + 1/4 (half-pixel centres), so
 *   out[2k]   = 0.75·x[k] + 0.25·x[k−1],   out[2k+1] = 0.75·x[k] + 0.25·x[k+1],
 * with the edge pixel repeated beyond the border (PyTorch clamps the source index the same way).
 * When the active backend has the kernels TpcUpsample2x / TpcUpsample2xGrad (tpcvision-native,
 * src/engine/kernels/upsample.ts) the layer is one tf.customGrad op: a native forward and its exact
 * adjoint as the gradient (one pass each). Otherwise it is built from slices, concatenations and
 * reshapes (upsample2Axis) and tfjs differentiates those; both give the same values to float32
 * rounding (tests/engine/oasis-ops.test.ts).
 * Ignored: factors other than 2, channels-first data. No weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** ×2 along `axis` (1 = H, 2 = W) of a [N, H, W, C] tensor. */
export function upsample2Axis(x: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D {
  return tf.tidy(() => {
    const shape = x.shape;
    const len = shape[axis];
    // neighbours with the edge repeated, from tf.split + tf.concat (their gradients are concat and
    // split; tf.slice's gradient is a pad, which the cpu backend runs element by element)
    let prev: tf.Tensor = x; // x[k−1], clamped
    let next: tf.Tensor = x; // x[k+1], clamped
    if (len === 2) {
      const [a, z] = tf.split(x, [1, 1], axis);
      prev = tf.concat([a, a], axis);
      next = tf.concat([z, z], axis);
    } else if (len > 2) {
      const [a, mid, z] = tf.split(x, [1, len - 2, 1], axis);
      prev = tf.concat([a, a, mid], axis);
      next = tf.concat([mid, z, z], axis);
    }
    const even = tf.add(tf.mul(x, 0.75), tf.mul(prev, 0.25));
    const odd = tf.add(tf.mul(x, 0.75), tf.mul(next, 0.25));
    // interleave through a unit axis and concat (not tf.stack: its gradient, Unpack, is slow on cpu)
    const unit = [...shape] as number[];
    unit.splice(axis + 1, 0, 1); // [.., len, 1, ..]
    const out = [...shape] as number[];
    out[axis] = 2 * len;
    const pair = tf.concat([tf.reshape(even, unit), tf.reshape(odd, unit)], axis + 1); // [.., len, 2, ..]
    return tf.reshape(pair, out as [number, number, number, number]) as tf.Tensor4D;
  });
}

// Kernels registered by the native backend; looked up by name so that the model imports tfjs only.
const KERNEL = 'TpcUpsample2x';
const KERNEL_GRAD = 'TpcUpsample2xGrad';

const upsampleNative = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor4D;
  return {
    value: tf.engine().runKernel(KERNEL, { x }) as tf.Tensor4D, // [N, 2H, 2W, C]
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.engine().runKernel(KERNEL_GRAD, { dy: dy as tf.Tensor }) as tf.Tensor, // [N, H, W, C]
  };
});

/** ×2 along H and W of a [N, H, W, C] tensor, natively where the backend has the kernels. */
export function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
  if (x.dtype === 'float32' && tf.getKernel(KERNEL, tf.getBackend()) != null) return upsampleNative(x) as tf.Tensor4D;
  return tf.tidy(() => upsample2Axis(upsample2Axis(x, 1), 2));
}

export class BilinearUpsample2x extends tfl.layers.Layer {
  static className = 'BilinearUpsample2x';

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [s[0], s[1] === null ? null : 2 * s[1], s[2] === null ? null : 2 * s[2], s[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return upsample2x(x);
  }
}

tf.serialization.registerClass(BilinearUpsample2x);

export function bilinearUpsample2x(args: { name?: string } = {}): BilinearUpsample2x {
  return new BilinearUpsample2x({ name: args.name });
}
