/**
 * Helpers shared by the native kernels: typed access to the Float32Array behind a TensorInfo,
 * output allocation, and the cpu kernel to fall back to when a case (dtype, layout, broadcast
 * pattern, tiny size) is not handled natively.
 */
import { getKernel, util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { loadNativeAddon, type NativeAddon } from '../addon.js';
import { adopt, takeBuffer } from '../buffer-pool.js';

export interface KernelArgs {
  // tfjs passes a map of named inputs; optional ones (bias, scale, ...) may be absent at runtime.
  inputs: Record<string, TensorInfo>;
  backend: MathBackendCPU;
  attrs?: NamedAttrMap;
}

/** Below this many output elements the N-API call costs more than the JS loop saves. */
export const NATIVE_MIN_ELEMENTS = 1024;

export function addon(): NativeAddon {
  return loadNativeAddon();
}

/** The float32 values of t, or null when t is not float32 (the caller then falls back). */
export function f32(backend: MathBackendCPU, t: TensorInfo | undefined): Float32Array | null {
  if (t == null || t.dtype !== 'float32') return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

export function f32OrThrow(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  const v = f32(backend, t);
  if (v == null) throw new Error(`native kernel: expected a float32 tensor, got ${t.dtype}`);
  return v;
}

/**
 * A float32 output buffer and the TensorInfo that owns it, taken from the buffer pool
 * (../buffer-pool.ts) or freshly allocated. The memory is NOT zeroed: every native kernel writes
 * every output element, and skipping calloc's memset saves a full pass per kernel.
 */
export function output(backend: MathBackendCPU, shape: number[]): { info: TensorInfo; values: Float32Array } {
  const n = util.sizeFromShape(shape);
  const values = n === 0 ? new Float32Array(0) : takeBuffer(n);
  const info = backend.makeTensorInfo(shape, 'float32', values);
  adopt(values, info.dataId);
  return { info, values };
}

/** The cpu backend's implementation of a kernel, run on our backend (it extends MathBackendCPU). */
export function cpuKernel(kernelName: string): KernelFunc {
  const config = getKernel(kernelName, 'cpu');
  if (config == null) throw new Error(`cpu backend has no kernel ${kernelName}`);
  return config.kernelFunc;
}

// TPCVISION_TRACE_FALLBACK=1 prints each distinct (kernel, input shapes) that falls back to the
// cpu kernel: the way to find what to make native next.
const traceFallback = process.env.TPCVISION_TRACE_FALLBACK === '1';
const traced = new Set<string>();

export function fallback(kernelName: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  if (traceFallback) {
    const key = `${kernelName} ${Object.values(args.inputs).map((t) => (t == null ? '-' : `${t.dtype}[${t.shape}]`)).join(' ')}`;
    if (!traced.has(key)) {
      traced.add(key);
      console.error(`tpcvision-native fallback: ${key}`);
    }
  }
  return cpuKernel(kernelName)(args as unknown as Parameters<KernelFunc>[0]);
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
