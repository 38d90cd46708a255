/**
 * Every kernel the native backend registers (nativeKernelConfigs) is claimed by at least one
 * engine test that asserts it ran natively, so a new kernel without such a test fails here; and
 * expectNative itself fails on each way a native kernel can silently not run (a check that cannot
 * fail would make every claim empty).
 *
 * A claim is a call `expectNative(KERNELS, …)` or `<name>Native(KERNELS, …)` (the per-file wrappers
 * checkNative / compareNative pass KERNELS on to expectNative) in tests/engine/*.test.ts, outside
 * comments. KERNELS is read from the source: kernel-name string literals, identifiers exported by
 * tfjs-core or src/engine/kernels/ (Relu, TPC_GROUP_NORM), or a const of the same file holding
 * them. An argument it cannot read (a parameter passed through) claims nothing, so the scan can
 * miss a claim but never invent one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Relu, Sigmoid } from '@tensorflow/tfjs-core';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon, NATIVE_BACKEND, nativeKernelConfigs, registerNativeBackend } from '../../src/engine/index.js';
import { expectNative } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const kernelsDir = join(here, '../../src/engine/kernels');

/** Identifier → kernel name, for every string export of tfjs-core and of src/engine/kernels/. */
async function kernelIdentifiers(registered: Set<string>): Promise<Map<string, string>> {
  const modules: Array<Record<string, unknown>> = [tf as unknown as Record<string, unknown>];
  for (const file of readdirSync(kernelsDir).filter((f) => f.endsWith('.ts'))) {
    modules.push((await import(join(kernelsDir, file.replace(/\.ts$/, '.js')))) as Record<string, unknown>);
  }
  const ids = new Map<string, string>();
  for (const mod of modules) {
    for (const [key, value] of Object.entries(mod)) if (typeof value === 'string' && registered.has(value)) ids.set(key, value);
  }
  return ids;
}

const stripComments = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/**
 * The expression starting at src[from] (after blanks): up to the first ',', ';' or line end outside brackets, or
 * an unmatched closing bracket (the first argument of a call, the initializer of a const).
 */
function expressionAt(src: string, from: number): string {
  const start = from + (/^\s*/.exec(src.slice(from, from + 200))?.[0].length ?? 0);
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    const ch = src[i];
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) {
      if (depth === 0) return src.slice(start, i);
      depth--;
    } else if (depth === 0 && ',;\n'.includes(ch)) return src.slice(start, i);
  }
  return src.slice(start);
}

/** Kernel names claimed in one test file's source (see the header). */
export function claimedKernels(source: string, ids: Map<string, string>, registered: Set<string>): Set<string> {
  const src = stripComments(source);
  const claimed = new Set<string>();
  const seen = new Set<string>(); // consts already read
  const resolve = (text: string) => {
    for (const m of text.matchAll(/'([^']*)'|"([^"]*)"|\b([A-Za-z_$][\w$]*)\b/g)) {
      const literal = m[1] ?? m[2];
      const id = m[3];
      if (literal != null) {
        if (registered.has(literal)) claimed.add(literal);
      } else if (ids.has(id)) claimed.add(ids.get(id)!);
      else if (!seen.has(id)) {
        seen.add(id);
        const decl = new RegExp(`\\bconst\\s+${id.replace(/\$/g, '\\$')}\\s*(?::[^=\\n]+)?=\\s*`).exec(src);
        if (decl != null) resolve(expressionAt(src, decl.index + decl[0].length));
      }
    }
  };
  for (const m of src.matchAll(/(\bfunction\s+)?\b(expectNative|\w+Native)\s*\(/g)) {
    if (m[1] != null) continue; // a definition, not a claim
    resolve(expressionAt(src, m.index + m[0].length));
  }
  return claimed;
}

beforeAll(async () => {
  registerNativeBackend();
  await tf.setBackend(NATIVE_BACKEND);
});

describe('native kernel coverage', () => {
  it('every kernel in nativeKernelConfigs has a test asserting that it ran natively', async () => {
    const registered = new Set(nativeKernelConfigs().map((c) => c.kernelName));
    expect(registered.size).toBeGreaterThan(30);
    const ids = await kernelIdentifiers(registered);
    const claimed = new Set<string>();
    const files = readdirSync(here).filter((f) => f.endsWith('.test.ts') && f !== basename(fileURLToPath(import.meta.url)));
    for (const file of files) {
      const src = readFileSync(join(here, file), 'utf8');
      const mine = claimedKernels(src, ids, registered);
      // a skipped test asserts nothing
      if (mine.size > 0) expect(stripComments(src), `${file} skips tests`).not.toMatch(/\b(it|test|describe)\.(skip|skipIf|runIf|todo|only)\b/);
      for (const k of mine) claimed.add(k);
    }
    const missing = [...registered].filter((k) => !claimed.has(k)).sort();
    expect(missing, 'native kernels no test asserts ran (use expectNative from tests/engine/helpers.ts)').toEqual([]);
  });

  it('the scan reads literals, exported names and local consts, and ignores comments and definitions', () => {
    const registered = new Set([Relu, Sigmoid, 'TpcX', 'TpcY', 'TpcZ']);
    const ids = new Map([['Relu', Relu], ['Sigmoid', Sigmoid], ['TPC_X', 'TpcX']]);
    const src = [
      "const pair = cond ? [TPC_X, 'TpcY'] : [];",
      'function checkNative(kernels: string[], fn) { return expectNative(kernels, fn); }',
      'await checkNative(pair, "x", () => 1);',
      'expectNative(Relu, () => tf.relu(x));',
      "// expectNative(Sigmoid, () => 0); expectNative('TpcZ', f)",
      "/* compareNative(['TpcZ'], 'y', f) */",
    ].join('\n');
    expect([...claimedKernels(src, ids, registered)].sort()).toEqual([Relu, 'TpcX', 'TpcY']);
  });
});

describe('expectNative fails when the native kernel did not run', () => {
  const big = () => tf.linspace(-1, 1, 2048);

  it('passes when it ran, and returns fn’s result', () => {
    const y = expectNative(Relu, () => tf.relu(big()));
    expect(y.shape).toEqual([2048]);
    y.dispose();
  });

  it('the kernel fell back to its cpu implementation (below NATIVE_MIN_ELEMENTS)', () => {
    expect(() => expectNative(Relu, () => tf.relu(tf.ones([3])))).toThrow(/never called the addon/);
  });

  it('the op never dispatched the kernel (another path, e.g. a composite)', () => {
    expect(() => expectNative(Sigmoid, () => tf.relu(big()))).toThrow(/never dispatched/);
  });

  it('the cpu kernel registered under the native backend’s name instead of the native one', () => {
    const native = tf.getKernel(Relu, NATIVE_BACKEND)!;
    tf.unregisterKernel(Relu, NATIVE_BACKEND);
    tf.registerKernel({ ...tf.getKernel(Relu, 'cpu')!, backendName: NATIVE_BACKEND });
    try {
      expect(() => expectNative(Relu, () => tf.relu(big()))).toThrow(/never called the addon/);
    } finally {
      tf.unregisterKernel(Relu, NATIVE_BACKEND);
      tf.registerKernel(native);
    }
  });

  it('restores the registry and the addon afterwards, also after a failure', () => {
    const config = tf.getKernel(Relu, NATIVE_BACKEND);
    const addon = loadNativeAddon();
    const unary = addon.unary;
    expect(() => expectNative(Relu, () => tf.relu(tf.ones([3])))).toThrow();
    expect(() => expectNative(Relu, () => { throw new Error('fn failed'); })).toThrow(/fn failed/);
    expect(tf.getKernel(Relu, NATIVE_BACKEND)).toBe(config);
    expect(addon.unary).toBe(unary);
  });
});
