/**
 * TpcAdamW: one AdamW update of a variable in a single native pass (native/adamw.cc), the fused
 * form of src/training/optimizer.ts's op-by-op update (~14 kernels per variable there).
 *   inputs  w, m, v, g (float32, one shape)
 *   attrs   params: the 10 numbers of NativeAddon.adamwUpdate, already rounded to float32
 *   outputs [w', m', v']
 * Registered only on tpcvision-native; the optimizer looks it up and falls back to the ops.
 */
import { util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32OrThrow, output, shapesEqual, type KernelArgs } from './util.js';

export const TPC_ADAMW = 'TpcAdamW';

function adamw(args: KernelArgs): TensorInfo[] {
  const { w, m, v, g } = args.inputs;
  for (const t of [m, v, g]) {
    if (!shapesEqual(t.shape, w.shape)) throw new Error(`${TPC_ADAMW}: shapes differ, [${t.shape}] vs [${w.shape}]`);
  }
  const params = Float32Array.from((args.attrs?.params ?? []) as number[]);
  if (params.length !== 10) throw new Error(`${TPC_ADAMW}: expected 10 params, got ${params.length}`);
  const n = util.sizeFromShape(w.shape);
  const val = (t: TensorInfo) => f32OrThrow(args.backend, t);
  const [wOut, mOut, vOut] = [0, 1, 2].map(() => output(args.backend, [...w.shape]));
  addon().adamwUpdate(val(w), val(m), val(v), val(g), wOut.values, mOut.values, vOut.values, n, params);
  return [wOut.info, mOut.info, vOut.info];
}

export function adamwConfigs(backendName: string): KernelConfig[] {
  return [{ kernelName: TPC_ADAMW, backendName, kernelFunc: adamw as unknown as KernelConfig['kernelFunc'] }];
}
