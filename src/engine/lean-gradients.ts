/**
 * Leaner gradients for batch norm, Mean/Sum, Relu and SquaredDifference, installed with the native
 * backend. tfjs's own
 * gradient of FusedBatchNorm makes about twelve full passes over the activation (tile, several
 * broadcast multiplies, three sums) and the Mean/Sum gradients allocate a tensor of ones to
 * multiply with; in the autoencoder's training step these passes cost more than the convolutions.
 * The same mathematics with per-channel factors computed first:
 *   k = scale / sqrt(var + eps)       s1 = Σ dy        s2 = Σ (x - mean)·dy     (Σ over N, H, W)
 *   dx = dy·k    dmean = -k·s1    dvar = -½·k/(var + eps)·s2    dscale = s2/sqrt(var + eps)    doffset = s1
 * i.e. five passes. Gradients are global in tfjs, so the cpu backend uses these too once the
 * native backend is registered (same values up to float rounding; tests/engine checks both).
 * Only per-channel statistics (mean of rank 1) take the lean path; others use tfjs's originals.
 * On the native backend s2, the ReLU gradient and the moments' variance gradient are single fused
 * kernels (kernels/fused-grads.ts).
 */
import {
  add, broadcastTo, cast, div, engine, FusedBatchNorm, getBackend, getGradient, getKernel, Mean, mul, neg, registerGradient, Relu, reshape,
  rsqrt, scalar, SquaredDifference, step, sub, sum, Sum, util,
  type GradConfig, type NamedAttrMap, type Tensor,
} from '@tensorflow/tfjs-core';
import { TPC_CENTRED_CHANNEL_SUM, TPC_RELU_GRAD, TPC_SQDIFF_GRAD } from './kernels/fused-grads.js';

/** True when the active backend implements the fused kernel (only the native backend does). */
const hasKernel = (name: string) => getKernel(name, getBackend()) != null;

const originals = new Map<string, GradConfig>();

/** The gradient tfjs had registered before installLeanGradients replaced it. */
export function originalGradient(kernelName: string): GradConfig | undefined {
  return originals.get(kernelName);
}

const fusedBatchNormGrad: GradConfig = {
  kernelName: FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, mean, variance, scale] = saved;
    if (mean.rank !== 1) return originals.get(FusedBatchNorm)!.gradFunc(dy, saved, attrs);
    const g = dy as Tensor;
    const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i); // every axis but the channel axis
    const rstd = rsqrt(add(variance, scalar(eps))); // [C]
    const k = scale == null ? rstd : mul(rstd, scale); // [C]
    // Computed here, not lazily inside the closures: tfjs runs each closure in its own tidy,
    // which would dispose a shared result after the first use.
    const s1 = sum(g, axes); // [C]
    const s2 = hasKernel(TPC_CENTRED_CHANNEL_SUM) && x.dtype === 'float32' && g.dtype === 'float32'
      ? (engine().runKernel(TPC_CENTRED_CHANNEL_SUM, { x, mean, dy: g }) as Tensor) // one pass
      : sum(mul(sub(x, mean), g), axes); // [C]
    const sumDy = () => s1;
    const sumCentredDy = () => s2;
    return {
      x: () => mul(g, k),
      mean: () => reshape(neg(mul(k, sumDy())), mean.shape),
      variance: () => reshape(mul(mul(mul(k, mul(rstd, rstd)), scalar(-0.5)), sumCentredDy()), mean.shape),
      scale: () => reshape(mul(rstd, sumCentredDy()), mean.shape),
      offset: () => reshape(sumDy(), mean.shape),
    };
  },
};

/** Mean/Sum gradient: dy broadcast back over the reduced axes in one pass (no tensor of ones). */
function reductionGrad(kernelName: string, divide: boolean): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x] = saved;
      const axes = util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.slice();
      for (const a of axes) expanded[a] = 1;
      const reduceSize = axes.reduce((p, a) => p * x.shape[a], 1);
      return {
        x: () => {
          const small = reshape(dy as Tensor, expanded);
          return broadcastTo(divide ? div(small, scalar(reduceSize)) : small, x.shape);
        },
      };
    },
  };
}

/**
 * Relu: dx = dy where x > 0, in one fused pass when the backend has it (tfjs: step, then multiply).
 * Keeps the output, not the input (y > 0 exactly where x > 0): the output stays alive anyway as the
 * next convolution's saved input, while the input (a batch norm's output) can then be freed.
 */
const reluGrad: GradConfig = {
  kernelName: Relu,
  outputsToSave: [true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x] = saved; // relu(x)
    const g = dy as Tensor;
    const fused = hasKernel(TPC_RELU_GRAD) && x.dtype === 'float32' && g.dtype === 'float32';
    return { x: () => (fused ? (engine().runKernel(TPC_RELU_GRAD, { dy: g, x }) as Tensor) : mul(g, cast(step(x), 'float32'))) };
  },
};

/**
 * SquaredDifference(a, b) with b one value per channel (tf.moments' variance): da = 2 (a - b) dy in
 * one fused pass on the native backend; db and every other case are tfjs's original.
 */
const squaredDifferenceGrad: GradConfig = {
  kernelName: SquaredDifference,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [a, b] = saved;
    const g = dy as Tensor;
    const original = originals.get(SquaredDifference)!.gradFunc(dy, saved, attrs);
    const c = a.shape[a.rank - 1];
    const fused =
      hasKernel(TPC_SQDIFF_GRAD) && a.rank >= 1 && b.size === c && b.shape[b.rank - 1] === c &&
      util.arraysEqual(g.shape, a.shape) && [a, b, g].every((t) => t.dtype === 'float32');
    return fused ? { ...original, a: () => engine().runKernel(TPC_SQDIFF_GRAD, { dy: g, a, b }) as Tensor } : original;
  },
};

const LEAN: GradConfig[] = [fusedBatchNormGrad, reductionGrad(Mean, true), reductionGrad(Sum, false), reluGrad, squaredDifferenceGrad];

/** Replaces tfjs's gradients of FusedBatchNorm, Mean, Sum, Relu and SquaredDifference (idempotent). */
export function installLeanGradients(): void {
  for (const config of LEAN) {
    if (originals.has(config.kernelName)) continue;
    const original = getGradient(config.kernelName);
    if (original == null) throw new Error(`tfjs has no gradient registered for ${config.kernelName} (import @tensorflow/tfjs-layers first)`);
    originals.set(config.kernelName, original);
    registerGradient(config);
  }
}

/** Puts tfjs's original gradients back (for tests comparing the two). */
export function uninstallLeanGradients(): void {
  for (const [name, config] of originals) registerGradient(config);
  originals.clear();
}
