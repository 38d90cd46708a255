/**
 * What window training buys (issue 12, point 1): convolution FLOPs, the time of one training step
 * (batch 16, AdamW, the nominal loss) and of inference per sample, for the whole 288×512 frame and
 * for windows, at base widths 32 (spec) and 16, measured in the same run on the same samples.
 *
 * Samples: `simulate migdal` defaults (288×512), 32 events at seed 1, compact (overlap/window.ts).
 * Whole frames run in micro-batches of 4 (a batch of 16 does not fit in memory at base 32); windows
 * take the batch of 16 in one pass. Times: best of `--reps` after one warm-up (the machine is shared).
 *
 * On tpcvision-native the step is also timed with AdamW's op-by-op update (its fused kernel
 * TpcAdamW unregistered for that measurement), in the same run.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/oasis-window.js [--reps N] [--quick]
 * --quick: windows only (no whole-frame step, ~30 s per case at base 32).
 * Writes bench/results/oasis-window.json.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeJsonAtomic } from '../src/core/atomic-write.js';
import { Rng } from '../src/core/rng.js';
import { toolVersion } from '../src/core/version.js';
import { resolveMigdalConfig } from '../src/config/migdal.js';
import { resolveOasisConfig } from '../src/config/oasis.js';
import { selectBackend } from '../src/engine/select-backend.js';
import { readMigdalFeatherAs } from '../src/io/feather.js';
import { buildOasisUnet, oasisConvFlops } from '../src/models/oasis-unet.js';
import { simulateMigdalRun } from '../src/simulation/migdal/run.js';
import { initializeWeights } from '../src/training/init.js';
import { AdamW, FUSED_ADAMW_KERNEL } from '../src/training/optimizer.js';
import { trainStep } from '../src/overlap/train.js';
import { windowInput } from '../src/overlap/batch.js';
import { compactSample, effectiveWindow, randomOrigin, type WindowSize } from '../src/overlap/window.js';

interface Case {
  name: string;
  window: WindowSize | null;
  base: number;
}

const CASES: Case[] = [
  { name: 'frame 288×512', window: null, base: 32 },
  { name: 'window 128²', window: { height: 128, width: 128 }, base: 32 },
  { name: 'frame 288×512', window: null, base: 16 },
  { name: 'window 128²', window: { height: 128, width: 128 }, base: 16 },
  { name: 'window 96²', window: { height: 96, width: 96 }, base: 16 },
];

function best(reps: number, f: () => void): number {
  f(); // warm-up: kernels, allocations
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { reps: { type: 'string', default: '2' }, quick: { type: 'boolean', default: false } } });
  const reps = Number(values.reps);
  const backend = await selectBackend({ prefer: 'native' });
  const dir = mkdtempSync(join(tmpdir(), 'oasis-window-'));
  const sim = simulateMigdalRun({ config: resolveMigdalConfig({}, 'bench'), outDir: dir, events: 32, seed: 1 });
  const samples = readMigdalFeatherAs(sim.feather, compactSample).samples;
  rmSync(dir, { recursive: true, force: true });
  const frame = { height: samples[0].height, width: samples[0].width };
  const rows = [];
  for (const c of CASES.filter((k) => !values.quick || k.window !== null)) {
    const win = effectiveWindow(c.window, frame);
    const cfg = resolveOasisConfig('nominal', { training: { base: c.base, batchSize: 16, microBatch: c.window === null ? 4 : 0 }, window: c.window });
    const model = buildOasisUnet({ ...win, base: c.base });
    initializeWeights(model, Rng.derive(1, 'init'));
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const opt = new AdamW(vars, { learningRate: 2e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-4 });
    const rng = new Rng(2);
    const idx = Array.from({ length: 16 }, (_, i) => i);
    const step = () => {
      const origins = idx.map((i) => randomOrigin(samples[i], samples[i].valid, win, rng));
      trainStep(model, vars, opt, cfg, samples, idx, origins, win);
    };
    const stepSeconds = best(reps, step);
    // the same step with the optimizer's op-by-op update
    const fused = tf.getKernel(FUSED_ADAMW_KERNEL, backend);
    let stepOpsSeconds: number | null = null;
    if (fused) {
      tf.unregisterKernel(FUSED_ADAMW_KERNEL, backend);
      try {
        stepOpsSeconds = best(reps, step);
      } finally {
        tf.registerKernel(fused);
      }
    }
    // inference: a batch of 8 windows (or frames), per sample
    const input = new Float32Array(8 * win.height * win.width);
    for (let k = 0; k < 8; k++) input.set(windowInput(samples[k], randomOrigin(samples[k], samples[k].valid, win, rng), win), k * win.height * win.width);
    const inferSeconds =
      best(reps + 1, () => {
        const y = tf.tidy(() => model.predict(tf.tensor4d(input, [8, win.height, win.width, 1])) as tf.Tensor);
        y.dataSync();
        y.dispose();
      }) / 8;
    opt.dispose();
    model.dispose();
    const flops = oasisConvFlops(win.height, win.width, c.base);
    rows.push({ case: c.name, base: c.base, window: win, gflopForward: flops.nominal / 1e9, gflopExecuted: flops.executed / 1e9, stepSeconds, stepOpsSeconds, inferMsPerSample: inferSeconds * 1000 });
    console.error(`${c.name} base ${c.base}: step ${stepSeconds.toFixed(2)} s (op-by-op AdamW ${stepOpsSeconds?.toFixed(2) ?? '–'} s), inference ${(inferSeconds * 1000).toFixed(1)} ms/sample`);
  }
  console.log('case            base  GFLOP/sample (fwd)  step of 16 (s)  op-by-op AdamW (s)  inference (ms/sample)  step vs frame');
  for (const r of rows) {
    const ref = rows.find((q) => q.base === r.base && q.case.startsWith('frame'));
    console.log(
      `${r.case.padEnd(15)} ${String(r.base).padStart(4)}  ${r.gflopForward.toFixed(2).padStart(18)}  ${r.stepSeconds.toFixed(2).padStart(14)}  ${(r.stepOpsSeconds?.toFixed(2) ?? '–').padStart(18)}  ${r.inferMsPerSample.toFixed(1).padStart(21)}  ${ref ? `${(ref.stepSeconds / r.stepSeconds).toFixed(1)}×` : '—'}`,
    );
  }
  const file = values.quick ? 'bench/results/oasis-window-quick.json' : 'bench/results/oasis-window.json';
  writeJsonAtomic(file, { version: toolVersion(), backend, reps, samples: { events: 32, seed: 1, frame }, rows });
  console.error(`wrote ${file}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
