/**
 * Fused batch norm in training mode for tfjs-layers' BatchNormalization, used when the active
 * backend has the native kernels (kernels/batch-norm-train.ts).
 *
 * Why: in training mode the layer computes tf.moments (mean, subtract, square, mean) and then
 * FusedBatchNorm, and autograd differentiates all of it: about ten full passes over the activation
 * per layer, three gradient paths into x summed at full size, and four or five full-size tensors
 * kept on the tape per layer until the backward pass. Here the forward is one statistics pass and
 * one normalising pass, the backward one reduction pass and one dx pass (a tf.customGrad op), and
 * only x and the [C] statistics are kept.
 *
 * How: tfjs-layers has no hook for this, so installFusedBatchNorm() wraps
 * BatchNormalization.prototype.call. The wrapper takes the fused path only for training=true on a
 * float32 rank-4 input normalised over the last axis with both gamma and beta, on a backend that
 * has the kernels; everything else (inference, other axes, the cpu backend) runs the original call.
 * The layer's variables, config and weights are untouched, so serialization, saved model
 * directories and the ONNX exporter do not change, and the moving mean and variance are updated by
 * the same expression on the same variables as in tfjs-layers (momentum 0.99: m ← m − (m − batch)·0.01).
 *
 * ReLU after it: while gradients are recorded, the fused call remembers its output y with its
 * inputs and statistics, and tfjs-layers' ReLU layer (also wrapped; no maxValue) called on that y
 * runs relu(y) as a custom op of (x, gamma, beta) whose gradient is one TpcBatchNormReluGrad: the
 * batch-norm backward with dy masked where y > 0, recomputed from x exactly as the forward computed
 * y. That removes the ReLU-gradient pass and its full-size tensor; the batch norm's own node then
 * has no consumer on the tape and is skipped (if y had other consumers, its gradient still flows
 * through that node and is added, so the result is right either way).
 */
import * as tfc from '@tensorflow/tfjs-core';
import { customGrad, engine, FusedBatchNorm, getBackend, getKernel, Relu, serialization, tidy, type GradSaveFunc, type Tensor } from '@tensorflow/tfjs-core';
import { TPC_BATCH_NORM_GRAD, TPC_BATCH_NORM_RELU_GRAD, TPC_BATCH_NORM_STATS } from './kernels/batch-norm-train.js';

/**
 * Batch norm with batch statistics over all but the last axis of x (float32, channels last) and
 * its gradient: returns y and the batch mean and biased variance ([C]; no gradient flows through
 * them, they only feed the moving averages).
 */
export function batchNormTraining(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): { y: Tensor; mean: Tensor; variance: Tensor } {
  const [mean, variance] = engine().runKernel(TPC_BATCH_NORM_STATS, { x }) as Tensor[]; // [C], [C]
  const attrs = { varianceEpsilon: epsilon };
  // customGrad passes the inputs and then the save function in one rest list.
  const op = customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [xIn, scale, offset] = args as Tensor[];
    (args[3] as GradSaveFunc)([xIn, mean, variance, scale]);
    const y = engine().runKernel(FusedBatchNorm, { x: xIn, mean, variance, scale, offset }, attrs) as Tensor;
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, m, v, s] = saved;
        return engine().runKernel(TPC_BATCH_NORM_GRAD, { dy, x: xs, mean: m, variance: v, scale: s }, attrs) as Tensor[]; // dx, dgamma, dbeta
      },
    };
  });
  return { y: op(x, gamma, beta) as Tensor, mean, variance };
}

/** What relu(y) needs to differentiate through the batch norm that produced y. */
interface BatchNormSource {
  x: Tensor;
  gamma: Tensor;
  beta: Tensor;
  mean: Tensor; // [C]
  variance: Tensor; // [C]
  epsilon: number;
}

/** Outputs of fused training calls made while gradients were recorded, with their source. */
const rectifiable = new WeakMap<Tensor, BatchNormSource>();

/** relu(y) for y = batch norm of src, differentiated in one kernel with respect to x, gamma, beta. */
export function batchNormRelu(y: Tensor, src: BatchNormSource): Tensor {
  const attrs = { varianceEpsilon: src.epsilon };
  const op = customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [xIn, scale, offset] = args as Tensor[];
    (args[3] as GradSaveFunc)([xIn, src.mean, src.variance, scale, offset]);
    return {
      value: engine().runKernel(Relu, { x: y }) as Tensor,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, m, v, s, o] = saved;
        return engine().runKernel(TPC_BATCH_NORM_RELU_GRAD, { dy, x: xs, mean: m, variance: v, scale: s, offset: o }, attrs) as Tensor[];
      },
    };
  });
  return op(src.x, src.gamma, src.beta) as Tensor;
}

/** Whether tfjs is recording a gradient tape (Engine.isTapeOn is not in tfjs-core's typings). */
function recording(): boolean {
  const e = engine() as unknown as { isTapeOn?: () => boolean };
  return e.isTapeOn?.() ?? false;
}

/** The parts of tfjs-layers' BatchNormalization (and its LayerVariables) that the fused call uses. */
interface LayerVariableLike {
  read(): Tensor;
  write(value: Tensor): void;
}
interface BatchNormalizationLike {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: LayerVariableLike;
  beta?: LayerVariableLike;
  movingMean: LayerVariableLike;
  movingVariance: LayerVariableLike;
}
type CallFn = (this: BatchNormalizationLike, inputs: Tensor | Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];

let originalCall: CallFn | undefined;

function fusedInput(layer: BatchNormalizationLike, inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | null {
  const training = kwargs?.['training'] ?? false;
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
  const ok =
    Boolean(training) && x != null && x.rank === 4 && x.dtype === 'float32' && (layer.axis === -1 || layer.axis === 3) &&
    layer.gamma != null && layer.gamma.read().dtype === 'float32' && layer.beta != null && layer.beta.read().dtype === 'float32' &&
    getKernel(TPC_BATCH_NORM_STATS, getBackend()) != null;
  return ok ? x : null;
}

/** The fused replacement of BatchNormalization.call; anything it does not handle goes to the original. */
function fusedCall(this: BatchNormalizationLike, inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
  const x = fusedInput(this, inputs, kwargs);
  if (x == null) return originalCall!.call(this, inputs, kwargs);
  const gamma = this.gamma!.read();
  const beta = this.beta!.read();
  const [y, mean, variance] = tidy(() => {
    const { y, mean, variance } = batchNormTraining(x, gamma, beta, this.epsilon);
    // Moving averages exactly as tfjs-layers' doMovingAverage (normalization.js).
    const doMovingAverage = (variable: LayerVariableLike, value: Tensor, momentum: number) => {
      tfc.tidy(() => {
        const decay = 1 - momentum;
        const origValue = variable.read();
        const updateDelta = tfc.mul(tfc.sub(origValue, value), decay);
        variable.write(tfc.sub(origValue, updateDelta));
      });
    };
    doMovingAverage(this.movingMean, mean, this.momentum);
    doMovingAverage(this.movingVariance, variance, this.momentum);
    // The statistics leave the tidy (to the caller's scope) only for a ReLU that may follow.
    return recording() ? [y, mean, variance] : [y];
  });
  if (mean != null && variance != null) rectifiable.set(y, { x, gamma, beta, mean, variance, epsilon: this.epsilon });
  return y;
}

interface ReluLike {
  maxValue?: number | null;
}
type ReluCallFn = (this: ReluLike, inputs: Tensor | Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];
let originalReluCall: ReluCallFn | undefined;

/** ReLU.call: relu of a fused batch-norm output as one differentiable op, anything else as before. */
function fusedReluCall(this: ReluLike, inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
  const y = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
  const src = y == null || this.maxValue != null ? undefined : rectifiable.get(y);
  const alive = src != null && [y!, src.x, src.gamma, src.beta, src.mean, src.variance].every((t) => !t.isDisposed);
  if (!alive || getKernel(TPC_BATCH_NORM_RELU_GRAD, getBackend()) == null) return originalReluCall!.call(this, inputs, kwargs);
  return batchNormRelu(y!, src!);
}

function layerPrototype<F>(className: string): { call: F } {
  const entry = serialization.SerializationMap.getMap().classNameMap[className];
  const cls = entry?.[0] as unknown as { prototype: { call: F } } | undefined;
  if (cls == null || typeof cls.prototype.call !== 'function') {
    throw new Error(`tfjs-layers ${className} is not registered (import @tensorflow/tfjs-layers first)`);
  }
  return cls.prototype;
}

/** Routes BatchNormalization (and following ReLU) training calls through the fused ops where possible (idempotent). */
export function installFusedBatchNorm(): void {
  if (originalCall != null) return;
  const proto = layerPrototype<CallFn>('BatchNormalization');
  const relu = layerPrototype<ReluCallFn>('ReLU');
  originalCall = proto.call;
  originalReluCall = relu.call;
  proto.call = fusedCall;
  relu.call = fusedReluCall;
}

/** Puts tfjs-layers' original calls back (for tests comparing the two). */
export function uninstallFusedBatchNorm(): void {
  if (originalCall == null) return;
  layerPrototype<CallFn>('BatchNormalization').call = originalCall;
  layerPrototype<ReluCallFn>('ReLU').call = originalReluCall!;
  originalCall = undefined;
  originalReluCall = undefined;
}
