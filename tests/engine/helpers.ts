/**
 * Shared helpers for the engine tests: run one computation on a named backend, compare two
 * results with a relative tolerance (max |a - b| over max |b|, float32 kernels: 1e-4), and assert
 * that a native kernel really ran (expectNative), so that a native-vs-cpu comparison never
 * compares the cpu kernel with itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { loadNativeAddon } from '../../src/engine/addon.js';
import { NATIVE_BACKEND } from '../../src/engine/native-backend.js';

export async function onBackend<T>(name: string, fn: () => T): Promise<T> {
  await tf.setBackend(name);
  return fn();
}

export function randomArray(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.range(lo, hi);
  return a;
}

export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4, what = ''): void {
  const err = relativeError(actual, expected);
  expect(err, `${what} relative error ${err}`).toBeLessThan(tol);
}

/** What expectNative saw of one kernel: how often tfjs dispatched it, how often it called the addon. */
export interface KernelTrace {
  dispatched: number;
  /** dispatches during which the kernel called at least one addon function (not its cpu fallback) */
  native: number;
  /** the addon functions it called, by name */
  addonCalls: Set<string>;
}

/**
 * Runs fn (synchronously, on the native backend) and asserts that each named kernel ran natively
 * at least once: tfjs dispatched it (the op did not take a composite of other ops) and, during
 * that dispatch, it called the oneDNN addon (it did not fall back to the cpu backend's kernel,
 * and the registration is not the cpu kernel copied under the native backend's name).
 *
 * The mechanism is tfjs's own dispatch: for the duration of fn each named kernel's registration
 * on the native backend is swapped (unregisterKernel / registerKernel) for one that records its
 * entry and exit around the original kernelFunc, and each addon function is wrapped to note which
 * traced kernel is running when it is called. Everything is restored afterwards; src is untouched.
 * Returns fn's result; the traces (by kernel name) are passed to `inspect` when given.
 */
export function expectNative<T>(kernels: string | string[], fn: () => T, inspect?: (traces: Map<string, KernelTrace>) => void): T {
  const names = [...new Set(Array.isArray(kernels) ? kernels : [kernels])];
  expect(tf.getBackend(), 'expectNative runs fn on the active backend').toBe(NATIVE_BACKEND);
  const traces = new Map<string, KernelTrace>(names.map((k) => [k, { dispatched: 0, native: 0, addonCalls: new Set<string>() }]));
  const running: Array<{ kernel: string; calls: number }> = []; // traced kernels on the call stack
  const originals = names.map((name) => {
    const config = tf.getKernel(name, NATIVE_BACKEND);
    expect(config, `kernel ${name} is registered on ${NATIVE_BACKEND}`).toBeDefined();
    return config!;
  });
  const addon = loadNativeAddon() as unknown as Record<string, unknown>;
  const addonFns = Object.entries(addon).filter((e): e is [string, (...a: unknown[]) => unknown] => typeof e[1] === 'function');
  for (const [key, f] of addonFns) {
    addon[key] = (...args: unknown[]) => {
      const top = running[running.length - 1];
      if (top != null) {
        top.calls++;
        traces.get(top.kernel)!.addonCalls.add(key);
      }
      return f(...args);
    };
  }
  for (const config of originals) {
    tf.unregisterKernel(config.kernelName, NATIVE_BACKEND);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const trace = traces.get(config.kernelName)!;
        trace.dispatched++;
        running.push({ kernel: config.kernelName, calls: 0 });
        try {
          return config.kernelFunc(args);
        } finally {
          if (running.pop()!.calls > 0) trace.native++;
        }
      },
    });
  }
  let result: T;
  try {
    result = fn();
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, NATIVE_BACKEND);
      tf.registerKernel(config);
    }
    for (const [key, f] of addonFns) addon[key] = f;
  }
  for (const [name, t] of traces) {
    expect(t.dispatched, `${name}: never dispatched (the op took another path)`).toBeGreaterThan(0);
    expect(t.native, `${name}: dispatched ${t.dispatched}×, never called the addon (cpu fallback)`).toBeGreaterThan(0);
  }
  inspect?.(traces);
  return result;
}
