/**
 * Native-only kernels of the fused batch-norm training op (../batch-norm-training.ts), channels
 * last, statistics over every other axis (M = size / C rows):
 *   TpcBatchNormStats  inputs x -> [mean [C], biased variance [C]], one pass, double sums
 *   TpcBatchNormGrad   inputs dy, x, mean, variance, scale [C], attr varianceEpsilon
 *                      -> [dx, dscale [C], doffset [C]], two passes (see native/batchnorm_train.cc)
 *   TpcBatchNormReluGrad  the same for relu(batch norm): inputs also offset [C]; dy counts only
 *                      where the forward's batch-norm output was > 0, recomputed from x exactly as
 *                      FusedBatchNorm computed it (no ReLU-gradient pass, no ReLU tensor kept)
 * The callers check dtype (float32) and layout; these kernels throw on anything else.
 */
import { type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32OrThrow, output, type KernelArgs } from './util.js';

export const TPC_BATCH_NORM_STATS = 'TpcBatchNormStats';
export const TPC_BATCH_NORM_GRAD = 'TpcBatchNormGrad';
export const TPC_BATCH_NORM_RELU_GRAD = 'TpcBatchNormReluGrad';

function channels(x: TensorInfo): { rows: number; c: number } {
  const c = x.shape[x.shape.length - 1];
  const size = x.shape.reduce((p, d) => p * d, 1);
  if (c < 1 || size === 0) throw new Error(`${TPC_BATCH_NORM_STATS}: empty input [${x.shape}]`);
  return { rows: size / c, c };
}

function batchNormStats(args: KernelArgs): TensorInfo[] {
  const { x } = args.inputs;
  const { rows, c } = channels(x);
  const mean = output(args.backend, [c]);
  const variance = output(args.backend, [c]);
  addon().batchNormStats(f32OrThrow(args.backend, x), mean.values, variance.values, rows, c);
  return [mean.info, variance.info];
}

function batchNormGrad(args: KernelArgs, relu: boolean): TensorInfo[] {
  const { dy, x, mean, variance, scale, offset } = args.inputs;
  const eps = (args.attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  const { rows, c } = channels(x);
  const dx = output(args.backend, [...x.shape]);
  const dscale = output(args.backend, [c]);
  const doffset = output(args.backend, [c]);
  const v = (t: TensorInfo) => f32OrThrow(args.backend, t);
  addon().batchNormBackward(v(dy), v(x), v(mean), v(variance), v(scale), relu ? v(offset) : null, dx.values, dscale.values, doffset.values, rows, c, eps);
  return [dx.info, dscale.info, doffset.info];
}

export function batchNormTrainConfigs(backendName: string): KernelConfig[] {
  return [
    { kernelName: TPC_BATCH_NORM_STATS, backendName, kernelFunc: batchNormStats as unknown as KernelConfig['kernelFunc'] },
    { kernelName: TPC_BATCH_NORM_GRAD, backendName, kernelFunc: ((args: KernelArgs) => batchNormGrad(args, false)) as unknown as KernelConfig['kernelFunc'] },
    { kernelName: TPC_BATCH_NORM_RELU_GRAD, backendName, kernelFunc: ((args: KernelArgs) => batchNormGrad(args, true)) as unknown as KernelConfig['kernelFunc'] },
  ];
}
