/**
 * The 'tpcvision-native' TensorFlow.js backend: tfjs's cpu backend (same tensor storage, every
 * kernel it has) with the heavy kernels replaced by oneDNN / OpenMP ones from kernels/. Models,
 * autograd, optimizers and serialization stay tfjs; only kernel execution changes. Each native
 * kernel falls back to the cpu kernel for cases it does not handle (dtype, layout, tiny sizes).
 */
import '@tensorflow/tfjs-backend-cpu'; // registers the 'cpu' backend and its kernel configs
// tfjs-core's Node bundle registers no gradient functions; tfjs-layers' bundle registers them all.
// Training on this backend needs them, so loading the backend guarantees they are there.
import '@tensorflow/tfjs-layers';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { getKernelsForBackend, registerBackend, registerKernel, type BackendValues, type DataId, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { loadNativeAddon } from './addon.js';
import { installFusedBatchNorm } from './batch-norm-training.js';
import { checkOutputs, escape, release } from './buffer-pool.js';
import { installLeanBackprop } from './lean-backprop.js';
import { installLeanGradients } from './lean-gradients.js';
import { batchMatMulConfig } from './kernels/batch-matmul.js';
import { adamwConfigs } from './kernels/adamw.js';
import { batchNormTrainConfigs } from './kernels/batch-norm-train.js';
import { binaryConfigs } from './kernels/binary.js';
import { concatConfig } from './kernels/concat.js';
import { conv2dConfig } from './kernels/conv2d.js';
import { conv2dBackpropFilterConfig } from './kernels/conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './kernels/conv2d-backprop-input.js';
import { fusedBatchNormConfig } from './kernels/fused-batch-norm.js';
import { fusedConv2dConfig } from './kernels/fused-conv2d.js';
import { fusedGradConfigs } from './kernels/fused-grads.js';
import { groupNormConfigs } from './kernels/group-norm.js';
import { oasisLossConfigs } from './kernels/oasis-loss.js';
import { reduceConfigs } from './kernels/reduce.js';
import { sliceConfig } from './kernels/slice.js';
import { splitVConfig } from './kernels/split.js';
import { tileConfig } from './kernels/tile.js';
import { unaryConfigs } from './kernels/unary.js';
import { upsampleConfigs } from './kernels/upsample.js';

export const NATIVE_BACKEND = 'tpcvision-native';

/**
 * Same storage and behaviour as the cpu backend; a distinct class so tfjs can tell them apart, and
 * the hooks of the output buffer pool (buffer-pool.ts): disposed data returns its buffer, read data
 * is never reused.
 */
export class NativeBackend extends MathBackendCPU {
  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const disposed = super.disposeData(dataId, force);
    if (disposed && values != null && !this.data.has(dataId)) release(values, dataId);
    return disposed;
  }

  override readSync(dataId: DataId): BackendValues {
    escape(this, dataId);
    return super.readSync(dataId);
  }

  override read(dataId: DataId): Promise<BackendValues> {
    escape(this, dataId);
    return super.read(dataId);
  }
}

/** Runs a kernel, then lets the pool forget any buffer an output shares with an input. */
function withOutputCheck(config: KernelConfig): KernelConfig {
  const { kernelFunc } = config;
  return {
    ...config,
    kernelFunc: (args) => {
      const out = kernelFunc(args);
      checkOutputs(args.backend as MathBackendCPU, out as TensorInfo | TensorInfo[]);
      return out;
    },
  };
}

/** The kernels this backend runs natively (the rest are the cpu backend's). */
export function nativeKernelConfigs(backendName: string = NATIVE_BACKEND): KernelConfig[] {
  return [
    conv2dConfig(backendName),
    fusedConv2dConfig(backendName),
    conv2dBackpropInputConfig(backendName),
    conv2dBackpropFilterConfig(backendName),
    batchMatMulConfig(backendName),
    fusedBatchNormConfig(backendName),
    concatConfig(backendName),
    sliceConfig(backendName),
    splitVConfig(backendName),
    tileConfig(backendName),
    ...unaryConfigs(backendName),
    ...binaryConfigs(backendName),
    ...reduceConfigs(backendName),
    ...fusedGradConfigs(backendName),
    ...batchNormTrainConfigs(backendName),
    ...groupNormConfigs(backendName),
    ...upsampleConfigs(backendName),
    ...oasisLossConfigs(backendName),
    ...adamwConfigs(backendName),
  ];
}

let registered = false;

/**
 * Registers the backend (idempotent). Throws NativeEngineUnavailable, with install instructions,
 * when the addon or oneDNN is missing. Priority 0 (below cpu's 1): tfjs never picks it on its own;
 * select-backend.ts is the one place that does.
 */
export function registerNativeBackend(threads?: number): void {
  const addon = loadNativeAddon();
  if (threads != null) addon.setNumThreads(threads);
  if (registered) return;
  // Large tensors are allocated and freed by the hundred per training step; keep freed memory in
  // the process instead of unmapping it (TPCVISION_MALLOC_DEFAULT=1 keeps glibc's defaults).
  if (process.env.TPCVISION_MALLOC_DEFAULT !== '1') addon.retainFreedMemory();
  const native = nativeKernelConfigs();
  const overridden = new Set(native.map((k) => k.kernelName));
  for (const config of getKernelsForBackend('cpu')) {
    if (!overridden.has(config.kernelName)) registerKernel(withOutputCheck({ ...config, backendName: NATIVE_BACKEND }));
  }
  for (const config of native) registerKernel(withOutputCheck(config));
  installLeanGradients();
  installFusedBatchNorm();
  // tfjs's backward loop keeps every intermediate gradient and saved tensor to the end of the pass
  // (1024² training would not fit); TPCVISION_TFJS_BACKPROP=1 keeps tfjs's loop.
  installLeanBackprop();
  registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 0);
  registered = true;
}
