/**
 * BatchMatMul on oneDNN matmul: a [...batch, M, K], b [...batch, K, N] (either transposed), with
 * the batch flattened; a batch of 1 on one side broadcasts. Other batch broadcasts use the cpu kernel.
 */
import { backend_util, BatchMatMul, util, type BatchMatMulAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32, fallback, output, type KernelArgs } from './util.js';

function batchMatMulNative(args: KernelArgs): TensorInfo {
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  const av = f32(args.backend, a);
  const bv = f32(args.backend, b);
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (av == null || bv == null || ra < 2 || rb < 2) return fallback(BatchMatMul, args) as TensorInfo;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  if (k !== kb || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return fallback(BatchMatMul, args) as TensorInfo;
  const batchShape = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (util.sizeFromShape(batchShape) !== Math.max(batchA, batchB)) return fallback(BatchMatMul, args) as TensorInfo;
  const out = output(args.backend, [...batchShape, m, n]);
  addon().batchMatMul(av, bv, out.values, [batchA, batchB, m, k, n], transposeA, transposeB);
  return out.info;
}

export function batchMatMulConfig(backendName: string): KernelConfig {
  return { kernelName: BatchMatMul, backendName, kernelFunc: batchMatMulNative as unknown as KernelConfig['kernelFunc'] };
}
