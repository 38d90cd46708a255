/**
 * Native-only kernels of the BilinearUpsample2x layer's custom op (src/models/bilinear-upsample.ts):
 *   TpcUpsample2x      input x [N, H, W, C] -> [N, 2H, 2W, C], half-pixel bilinear, edge repeated
 *   TpcUpsample2xGrad  input dy [N, 2H, 2W, C] -> dx [N, H, W, C], the exact adjoint
 * (native/upsample.cc). float32 only; the caller checks.
 */
import { type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32OrThrow, output, type KernelArgs } from './util.js';

export const TPC_UPSAMPLE2X = 'TpcUpsample2x';
export const TPC_UPSAMPLE2X_GRAD = 'TpcUpsample2xGrad';

function rank4(t: TensorInfo): [number, number, number, number] {
  if (t.shape.length !== 4) throw new Error(`${TPC_UPSAMPLE2X}: need [N, H, W, C], got [${t.shape}]`);
  return t.shape as [number, number, number, number];
}

function upsample2x(args: KernelArgs): TensorInfo {
  const { x } = args.inputs;
  const [n, h, w, c] = rank4(x);
  const y = output(args.backend, [n, 2 * h, 2 * w, c]);
  addon().upsample2x(f32OrThrow(args.backend, x), y.values, n, h, w, c);
  return y.info;
}

function upsample2xGrad(args: KernelArgs): TensorInfo {
  const { dy } = args.inputs;
  const [n, h2, w2, c] = rank4(dy);
  if (h2 % 2 !== 0 || w2 % 2 !== 0) throw new Error(`${TPC_UPSAMPLE2X_GRAD}: odd gradient size [${dy.shape}]`);
  const dx = output(args.backend, [n, h2 / 2, w2 / 2, c]);
  addon().upsample2xBackward(f32OrThrow(args.backend, dy), dx.values, n, h2 / 2, w2 / 2, c);
  return dx.info;
}

export function upsampleConfigs(backendName: string): KernelConfig[] {
  return [
    { kernelName: TPC_UPSAMPLE2X, backendName, kernelFunc: upsample2x as unknown as KernelConfig['kernelFunc'] },
    { kernelName: TPC_UPSAMPLE2X_GRAD, backendName, kernelFunc: upsample2xGrad as unknown as KernelConfig['kernelFunc'] },
  ];
}
