/**
 * Native-only kernels of the GroupNormalization layer's custom op (src/models/group-norm.ts), for
 * x [N, H, W, C] float32, channels last, `groups` groups of C/groups channels per sample:
 *   TpcGroupNorm      inputs x, gamma [C], beta [C]; attrs groups, epsilon, silu
 *                     -> [y, mean [N, G], rstd [N, G]]; y = silu(z) when silu, else z
 *   TpcGroupNormGrad  inputs dy, x, gamma, beta, mean, rstd; same attrs -> [dx, dgamma, dbeta]
 * Two passes over x each way (native/groupnorm.cc). The caller checks dtype and rank; these throw
 * on anything else.
 */
import { type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32OrThrow, output, type KernelArgs } from './util.js';

export const TPC_GROUP_NORM = 'TpcGroupNorm';
export const TPC_GROUP_NORM_GRAD = 'TpcGroupNormGrad';

interface GroupNormAttrs {
  groups: number;
  epsilon: number;
  silu: boolean;
}

function dims(x: TensorInfo, groups: number): [number, number, number, number] {
  if (x.shape.length !== 4 || x.shape[3] % groups !== 0) {
    throw new Error(`${TPC_GROUP_NORM}: need [N, H, W, C] with C divisible by ${groups} groups, got [${x.shape}]`);
  }
  const [n, h, w, c] = x.shape;
  return [n, h * w, c, groups];
}

function groupNorm(args: KernelArgs): TensorInfo[] {
  const { x, gamma, beta } = args.inputs;
  const { groups, epsilon, silu } = args.attrs as unknown as GroupNormAttrs;
  const [n, hw, c, g] = dims(x, groups);
  const v = (t: TensorInfo) => f32OrThrow(args.backend, t);
  const y = output(args.backend, [...x.shape]);
  const mean = output(args.backend, [n, g]);
  const rstd = output(args.backend, [n, g]);
  addon().groupNormForward(v(x), v(gamma), v(beta), y.values, mean.values, rstd.values, n, hw, c, g, epsilon, silu);
  return [y.info, mean.info, rstd.info];
}

function groupNormGrad(args: KernelArgs): TensorInfo[] {
  const { dy, x, gamma, beta, mean, rstd } = args.inputs;
  const { groups, silu } = args.attrs as unknown as GroupNormAttrs;
  const [n, hw, c, g] = dims(x, groups);
  const v = (t: TensorInfo) => f32OrThrow(args.backend, t);
  const dx = output(args.backend, [...x.shape]);
  const dgamma = output(args.backend, [c]);
  const dbeta = output(args.backend, [c]);
  addon().groupNormBackward(v(dy), v(x), v(gamma), v(beta), v(mean), v(rstd), dx.values, dgamma.values, dbeta.values, n, hw, c, g, silu);
  return [dx.info, dgamma.info, dbeta.info];
}

export function groupNormConfigs(backendName: string): KernelConfig[] {
  return [
    { kernelName: TPC_GROUP_NORM, backendName, kernelFunc: groupNorm as unknown as KernelConfig['kernelFunc'] },
    { kernelName: TPC_GROUP_NORM_GRAD, backendName, kernelFunc: groupNormGrad as unknown as KernelConfig['kernelFunc'] },
  ];
}
