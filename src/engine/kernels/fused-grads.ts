/**
 * Kernels that exist only on the native backend, used by lean-gradients.ts when the active backend
 * has them (other backends get tfjs's compositions):
 *   TpcReluGrad            inputs dy, x -> dx = x > 0 ? dy : 0           (one pass instead of two)
 *   TpcCentredChannelSum   inputs x, mean [C], dy -> [C] = Σ (x - mean)·dy over all but the channel axis
 *   TpcSqDiffGrad          inputs dy, a, b [C] -> 2 (a - b)·dy   (the variance path of tf.moments)
 */
import { util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32OrThrow, output, type KernelArgs } from './util.js';

export const TPC_RELU_GRAD = 'TpcReluGrad';
export const TPC_CENTRED_CHANNEL_SUM = 'TpcCentredChannelSum';
export const TPC_SQDIFF_GRAD = 'TpcSqDiffGrad';

function reluGrad(args: KernelArgs): TensorInfo {
  const { dy, x } = args.inputs;
  const out = output(args.backend, [...x.shape]);
  addon().reluBackward(f32OrThrow(args.backend, dy), f32OrThrow(args.backend, x), out.values, out.values.length);
  return out.info;
}

function centredChannelSum(args: KernelArgs): TensorInfo {
  const { x, mean, dy } = args.inputs;
  const c = x.shape[x.shape.length - 1];
  const out = output(args.backend, [c]);
  const rows = util.sizeFromShape(x.shape) / c;
  addon().centredChannelSum(f32OrThrow(args.backend, x), f32OrThrow(args.backend, mean), f32OrThrow(args.backend, dy), out.values, rows, c);
  return out.info;
}

function sqDiffGrad(args: KernelArgs): TensorInfo {
  const { dy, a, b } = args.inputs;
  const c = a.shape[a.shape.length - 1];
  const out = output(args.backend, [...a.shape]);
  addon().sqDiffBackward(f32OrThrow(args.backend, dy), f32OrThrow(args.backend, a), f32OrThrow(args.backend, b), out.values, out.values.length / c, c);
  return out.info;
}

export function fusedGradConfigs(backendName: string): KernelConfig[] {
  return [
    { kernelName: TPC_RELU_GRAD, backendName, kernelFunc: reluGrad as unknown as KernelConfig['kernelFunc'] },
    { kernelName: TPC_CENTRED_CHANNEL_SUM, backendName, kernelFunc: centredChannelSum as unknown as KernelConfig['kernelFunc'] },
    { kernelName: TPC_SQDIFF_GRAD, backendName, kernelFunc: sqDiffGrad as unknown as KernelConfig['kernelFunc'] },
  ];
}
