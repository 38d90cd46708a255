/**
 * Native-only kernels of the overlap-aware loss's custom ops (src/overlap/loss.ts), for a
 * prediction p [N, H, W, C] (float32; the caller checks):
 *   TpcWeightedAbsSum   inputs pred, target [N, H, W, C], weight [N, H, W, 1], channel [C]
 *                       -> scalar Σ weight·channel·|pred − target|
 *   TpcWeightedAbsGrad  inputs dy (scalar) and the same -> dpred = dy·weight·channel·sign(pred − target)
 *                       (sign as tfjs's Abs gradient: +1 where > 0, else −1)
 *   TpcMaskedTvSum      inputs pred, valid [N, H, W, 1] -> scalar Σ over right/down edges of
 *                       valid·valid·|Δpred|, all channels
 *   TpcMaskedTvGrad     inputs dy (scalar), pred, valid -> dpred
 * (native/oasis_loss.cc).
 */
import { util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32OrThrow, output, type KernelArgs } from './util.js';

export const TPC_WEIGHTED_ABS_SUM = 'TpcWeightedAbsSum';
export const TPC_WEIGHTED_ABS_GRAD = 'TpcWeightedAbsGrad';
export const TPC_MASKED_TV_SUM = 'TpcMaskedTvSum';
export const TPC_MASKED_TV_GRAD = 'TpcMaskedTvGrad';

function rank4(t: TensorInfo): [number, number, number, number] {
  if (t.shape.length !== 4) throw new Error(`oasis loss kernels: need [N, H, W, C], got [${t.shape}]`);
  return t.shape as [number, number, number, number];
}

function weightedAbsSum(args: KernelArgs): TensorInfo {
  const { pred, target, weight, channel } = args.inputs;
  const c = rank4(pred)[3];
  const v = (t: TensorInfo) => f32OrThrow(args.backend, t);
  const out = output(args.backend, []);
  addon().weightedAbsSum(v(pred), v(target), v(weight), v(channel), out.values, util.sizeFromShape(pred.shape) / c, c);
  return out.info;
}

function weightedAbsGrad(args: KernelArgs): TensorInfo {
  const { dy, pred, target, weight, channel } = args.inputs;
  const c = rank4(pred)[3];
  const v = (t: TensorInfo) => f32OrThrow(args.backend, t);
  const out = output(args.backend, [...pred.shape]);
  addon().weightedAbsBackward(v(dy), v(pred), v(target), v(weight), v(channel), out.values, util.sizeFromShape(pred.shape) / c, c);
  return out.info;
}

function maskedTvSum(args: KernelArgs): TensorInfo {
  const { pred, valid } = args.inputs;
  const [n, h, w, c] = rank4(pred);
  const out = output(args.backend, []);
  addon().maskedTvSum(f32OrThrow(args.backend, pred), f32OrThrow(args.backend, valid), out.values, n, h, w, c);
  return out.info;
}

function maskedTvGrad(args: KernelArgs): TensorInfo {
  const { dy, pred, valid } = args.inputs;
  const [n, h, w, c] = rank4(pred);
  const v = (t: TensorInfo) => f32OrThrow(args.backend, t);
  const out = output(args.backend, [...pred.shape]);
  addon().maskedTvBackward(v(dy), v(pred), v(valid), out.values, n, h, w, c);
  return out.info;
}

export function oasisLossConfigs(backendName: string): KernelConfig[] {
  const k = (kernelName: string, f: (args: KernelArgs) => TensorInfo): KernelConfig => ({ kernelName, backendName, kernelFunc: f as unknown as KernelConfig['kernelFunc'] });
  return [k(TPC_WEIGHTED_ABS_SUM, weightedAbsSum), k(TPC_WEIGHTED_ABS_GRAD, weightedAbsGrad), k(TPC_MASKED_TV_SUM, maskedTvSum), k(TPC_MASKED_TV_GRAD, maskedTvGrad)];
}
