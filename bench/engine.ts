/**
 * Engine benchmark (docs/ENGINE.md): the ROI autoencoder at 256² and 1024² in
 *   tfjs on the native backend (inference batch 1, training steps),
 *   ONNX Runtime (inference batch 1, the exported model),
 *   PyTorch via bench/engine_torch.py with Debian's /usr/bin/python3 (the identical model),
 * all in the same run. Each case runs in its own child process so that its peak RSS is its own.
 * Prints a table and writes bench/results/engine.json
 * ([{ runtime, mode, size, batch, medianSeconds, peakRssMB }]).
 *
 * Usage: npm run bench:engine -- [--quick] [--threads N] [--with-1024-b8] [--profile] [--out FILE]
 * A training step is forward + MSE loss + backward + Adam update (lr 1e-3), batch-norm in training
 * mode; the spec's SSIM term is left out so that every runtime computes the same thing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { writeJsonAtomic } from '../src/core/atomic-write.js';
import { DEFAULT_GOMP_SPINCOUNT } from '../src/engine/addon.js';
import { exportOnnx, OnnxModel, selectBackend } from '../src/engine/index.js';
import { buildRoiAutoencoder, roiAutoencoderFlops } from '../src/models/roi-autoencoder.js';

type Runtime = 'tfjs-native' | 'onnxruntime' | 'pytorch';
interface Case { runtime: Runtime; mode: 'infer' | 'train'; size: number; batch: number; reps: number }
interface Result { runtime: string; mode: string; size: number; batch: number; medianSeconds: number | null; peakRssMB: number | null; note?: string }

// Same OpenMP spin policy for every runtime (PyTorch's Debian build also uses libgomp); see
// src/engine/addon.ts for why the default spin is shortened.
const childEnv = { ...process.env, GOMP_SPINCOUNT: process.env.GOMP_SPINCOUNT ?? DEFAULT_GOMP_SPINCOUNT };

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench when compiled
const repoRoot = existsSync(join(here, '..', 'package.json')) ? join(here, '..') : join(here, '..', '..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function seededInput(n: number): Float32Array {
  const a = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = (s >>> 8) / 16777216;
  }
  return a;
}

/** Runs one case in this process (the child side). */
async function runCase(c: Case, threads: number, profile: boolean): Promise<number[]> {
  const times: number[] = [];
  const input = seededInput(c.batch * c.size * c.size);
  if (c.runtime === 'onnxruntime') {
    await selectBackend({ prefer: 'cpu', warn: () => {} });
    const model = buildRoiAutoencoder({ height: c.size, width: c.size });
    const session = await OnnxModel.load(await exportOnnx(model), { threads });
    model.dispose();
    for (let r = 0; r <= c.reps; r++) {
      const t0 = performance.now();
      await session.run(input, [c.batch, c.size, c.size, 1]);
      if (r > 0) times.push((performance.now() - t0) / 1000); // first run is warm-up
    }
    await session.dispose();
    return times;
  }
  const backend = await selectBackend({ threads });
  if (backend !== 'tpcvision-native') throw new Error(`native backend unavailable (got ${backend})`);
  const model = buildRoiAutoencoder({ height: c.size, width: c.size });
  const x = tf.tensor4d(input, [c.batch, c.size, c.size, 1]);
  const optimizer = tf.train.adam(1e-3);
  const step = () =>
    c.mode === 'infer'
      ? tf.tidy(() => {
          // Read the result inside the tidy but do not return it: tidy walks whatever it returns,
          // element by element for a typed array (4 s for a 1024² map).
          (model.predict(x) as tf.Tensor).dataSync();
        })
      : tf.tidy(() => {
          const loss = optimizer.minimize(() => tf.mean(tf.squaredDifference(model.apply(x, { training: true }) as tf.Tensor, x)) as tf.Scalar, true);
          loss?.dataSync();
        });
  for (let r = 0; r <= c.reps; r++) {
    const t0 = performance.now();
    step();
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  if (profile) {
    const info = await tf.profile(step);
    const byKernel = new Map<string, number>();
    for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0));
    const top = [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
    console.error(`profile ${c.mode} ${c.size}² b${c.batch}:`);
    for (const [name, ms] of top) console.error(`  ${name.padEnd(24)} ${ms.toFixed(1)} ms`);
  }
  return times;
}

function torchCase(c: Case, threads: number): Result {
  const base: Result = { runtime: 'pytorch', mode: c.mode, size: c.size, batch: c.batch, medianSeconds: null, peakRssMB: null };
  const script = join(repoRoot, 'bench', 'engine_torch.py');
  const r = spawnSync('/usr/bin/python3', [script, c.mode, String(c.size), String(c.batch), String(c.reps), String(threads)], { encoding: 'utf8', env: childEnv });
  if (r.status !== 0) {
    const why = /No module named 'torch'/.test(r.stderr) ? 'torch absent (apt-get install -y python3-torch)' : (r.stderr || r.error?.message || 'failed').trim().split('\n').pop();
    return { ...base, note: why };
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { times: number[]; peakRssMB: number };
  return { ...base, medianSeconds: median(out.times), peakRssMB: out.peakRssMB };
}

function nodeCase(c: Case, threads: number, profile: boolean): Result {
  const base: Result = { runtime: c.runtime, mode: c.mode, size: c.size, batch: c.batch, medianSeconds: null, peakRssMB: null };
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), '--worker', JSON.stringify(c), String(threads), profile ? '1' : '0'], {
    encoding: 'utf8',
    env: childEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) return { ...base, note: `worker failed (status ${r.status}, signal ${r.signal})` };
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { times: number[]; peakRssMB: number };
  return { ...base, medianSeconds: median(out.times), peakRssMB: out.peakRssMB };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--worker') {
    const c = JSON.parse(args[1]) as Case;
    const times = await runCase(c, Number(args[2]), args[3] === '1');
    const peakRssMB = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(JSON.stringify({ times, peakRssMB }) + '\n');
    return;
  }
  const quick = args.includes('--quick');
  const profile = args.includes('--profile');
  const ti = args.indexOf('--threads');
  const threads = ti >= 0 ? Number(args[ti + 1]) : cpus().length;
  const reps = (size: number) => (quick ? (size >= 1024 ? 2 : 3) : size >= 1024 ? 3 : 5);
  const cases: Case[] = [];
  for (const size of [256, 1024]) {
    for (const runtime of ['tfjs-native', 'onnxruntime', 'pytorch'] as const) cases.push({ runtime, mode: 'infer', size, batch: 1, reps: reps(size) });
  }
  const trainShapes: Array<[number, number]> = [[256, 8], [1024, 1]];
  if (args.includes('--with-1024-b8')) trainShapes.push([1024, 8]);
  for (const [size, batch] of trainShapes) {
    for (const runtime of ['tfjs-native', 'pytorch'] as const) cases.push({ runtime, mode: 'train', size, batch, reps: quick ? 2 : 3 });
  }

  console.log(`engine benchmark: ${threads} threads; ROI autoencoder ${(roiAutoencoderFlops(1024, 1024) / 1e9).toFixed(1)} GFLOP per 1024² forward`);
  const results: Result[] = [];
  for (const c of cases) {
    const r = c.runtime === 'pytorch' ? torchCase(c, threads) : nodeCase(c, threads, profile && c.runtime === 'tfjs-native');
    results.push(r);
    const t = r.medianSeconds == null ? `— (${r.note})` : `${r.medianSeconds.toFixed(3)} s`;
    console.log(`  ${r.runtime.padEnd(12)} ${r.mode.padEnd(5)} ${String(r.size).padStart(4)}² b${r.batch}  ${t.padEnd(12)} peak RSS ${r.peakRssMB?.toFixed(0) ?? '—'} MB`);
  }

  console.log('\n| runtime | mode | size | batch | median s | peak RSS MB |\n|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.runtime} | ${r.mode} | ${r.size}² | ${r.batch} | ${r.medianSeconds?.toFixed(3) ?? '— ' + (r.note ?? '')} | ${r.peakRssMB?.toFixed(0) ?? '—'} |`);
  }
  const find = (rt: string, mode: string, size: number, batch: number) => results.find((r) => r.runtime === rt && r.mode === mode && r.size === size && r.batch === batch)?.medianSeconds;
  const nat = find('tfjs-native', 'train', 256, 8);
  const pt = find('pytorch', 'train', 256, 8);
  if (nat && pt) console.log(`\ntrain 256² b8: tfjs-native ${(pt / nat).toFixed(2)}× PyTorch speed (target ≥ 2×)`);
  const ort = find('onnxruntime', 'infer', 1024, 1);
  if (ort) console.log(`ONNX Runtime 1024² b1: ${ort.toFixed(3)} s (target ≤ ${(1.5 * 0.35).toFixed(3)} s)`);
  const oi = args.indexOf('--out');
  const outPath = oi >= 0 ? args[oi + 1] : join(repoRoot, 'bench', 'results', 'engine.json');
  writeJsonAtomic(outPath, results.map(({ note, ...r }) => (note ? { ...r, note } : r)));
}

await main();
