/**
 * Backend selection: the native backend is chosen when the addon loads, 'cpu' when asked for, and
 * the unavailable-engine error tells the user which apt package and command fix it.
 */
import { getBackend } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon, NATIVE_BACKEND, NativeEngineUnavailable, selectBackend } from '../../src/engine/index.js';

describe('selectBackend', () => {
  it('selects the native backend, or cpu on request', async () => {
    const warnings: string[] = [];
    expect(await selectBackend({ warn: (m) => warnings.push(m) })).toBe(NATIVE_BACKEND);
    expect(getBackend()).toBe(NATIVE_BACKEND);
    expect(warnings).toEqual([]);
    expect(await selectBackend({ prefer: 'cpu' })).toBe('cpu');
  });

  it('sets the OpenMP thread count used by oneDNN and the native loops', async () => {
    const addon = loadNativeAddon();
    const before = addon.getNumThreads();
    await selectBackend({ threads: 1 });
    expect(addon.getNumThreads()).toBe(1);
    addon.setNumThreads(before);
    expect(addon.dnnlVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('explains how to install the native engine', () => {
    const err = new NativeEngineUnavailable('libdnnl.so missing');
    expect(err.message).toMatch(/apt-get install -y libdnnl-dev/);
    expect(err.message).toMatch(/npm rebuild/);
  });
});
