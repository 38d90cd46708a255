/**
 * Overlap-separation quality benchmark (spec overlap-separation.md, "Reported results"): the same
 * simulated MIGDAL training set trained with the 'unweighted' and 'nominal' loss presets, both scored
 * on the same simulated test set — ΔI median and IQR of 4–5 keV ERs, topological IoU, NR-only
 * false-positive rate, ER-direction resolution.
 *
 * --full (issue 12): the release's sizes on two cores in at most 3 hours. `simulate migdal --seed 1`
 * at the spec's 288×512: 20,000 hybrid + 20,000 NR-only (the seeded 10% split validates: 36,000 +
 * 4,000), test set 1,000 + 1,000 at seed 1,000,004; nominal and unweighted with the same budget:
 * base width 16, 128×128 windows (centred at inference on the input's event box: the brightest
 * group grown over its faint part, overlap/event-box.ts), batch 16 in one pass, FULL_EPOCHS = 4
 * epochs (2,250 steps each) under a cosine learning-rate schedule from
 * FULL_LR with 500 warm-up steps, a checkpoint every 250 steps. Why these: a step of 16 windows of
 * 128² costs 0.40 s at base 16 and 1.14 s at base 32 (bench/oasis-window.ts), so in ~55 min per
 * preset base 16 sees 3 epochs, base 32 about one; with the GPU reference on the same data, base
 * 16 after 2.8 epochs beat base 32 after 2 on IoU (0.708 vs 0.680). Four epochs since the fused
 * AdamW (0.33–0.46 s a step): the whole benchmark (simulation 14 min, two trainings of ~1 h,
 * evaluation) fits in 2.5 h of one session; three epochs (the first run) gave IoU 0.724. 128² rather than 96²: 0.25% of
 * the valid boxes exceed 128 px, 3.5% exceed 96. The cosine schedule and its peak: see FULL_LR.
 * Resumable: rerun the same command after an interruption; finished simulations are reused (their
 * run.json must match) and each training resumes from its last checkpoint. Not run in CI.
 * --quick: 24 hybrid + 24 NR-only training samples, 12 + 12 test, 64×128 images (0.625 mm/px, the
 * 4× coarser pixel keeps the tracks inside), base 8, batch 8, 2 epochs: checks the pipeline end to
 * end in about a minute; its numbers mean nothing.
 *
 * --reduced: the hour-sized run on two cores. The spec's field of view (8 cm × 4.5 cm) at twice the
 * pixel (0.3125 mm: the camera binned 8×8 instead of 4×4, 144×256 images), base width 16, batch 16,
 * 1,000 hybrid + 1,000 NR-only training samples, 500 + 500 test samples, 6 epochs. A 4–5 keV ER
 * (≈ 3 mm) still spans about ten pixels.
 *
 * Measured (tpcvision-native, 2 cores, 2026-11-25): a training step of 16 at 144×256, base 16, in
 * 2.3 s with another benchmark running (load ≈ 3), so one --reduced epoch (113 steps) takes about
 * 4 min. At the spec's size (288×512, base 32) a step of 4 images takes 6.8 s at load 4.4–5
 * (docs/ENGINE.md; 28.6 s before the native GroupNorm+SiLU, upsampling and loss kernels), so the
 * full run is about 2 h per epoch of 2,000 + 2,000 samples. On the 'cpu' backend the conv-filter
 * gradient runs element by element (~0.5 µs per multiply-add): use it only for tests.
 *
 * Without a mode: the older 'full' sizes, 2,000 + 2,000 training samples at base 32 on whole frames
 * (about 2 h per epoch), kept for comparison.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/oasis-quality.js [--quick | --reduced | --full] [--out DIR]
 *      [--seed N] [--train-events N] [--test-events N] [--epochs N] [--base N] [--engine native|cpu]
 * Writes bench/results/oasis-quality.json (oasis-quality-quick.json with --quick): the entries of
 * oasis-evaluation.json plus sizes, the MIGDAL settings overridden (image geometry), backend and
 * seconds per step (the committed result from before this change calls the override 'image'); the
 * study itself goes to --out (default runs/oasis-quality[-mode]).
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../src/core/atomic-write.js';
import { toolVersion } from '../src/core/version.js';
import { selectBackend } from '../src/engine/select-backend.js';
import { runOasisQuality } from '../src/study/oasis-quality.js';
import { lineProgress } from '../src/core/progress.js';
import type { PresetName } from '../src/config/oasis.js';
import { gitCommit } from './git-commit.js';

const WHOLE_FRAMES = { trainEvents: 2000, testEvents: 1000, epochs: 50, base: 32, batchSize: 16, migdal: {} as object, overrides: { window: null } as object, resume: false };
/**
 * Peak learning rate of --full. Pilot (docs/RESULTS.md, "Overlap separation at scale"): 450 steps of
 * the cosine schedule on 8,000 of the samples gave validation losses 0.0598 / 0.0284 / 0.0233 at peaks
 * 2e-4 (the spec's constant rate) / 1e-3 / 3e-3; a run 20× longer wants a lower peak than the short
 * one's best, hence 2e-3.
 */
const FULL_LR = 2e-3;
const FULL_EPOCHS = 4;
const FULL = {
  trainEvents: 20000,
  testEvents: 1000,
  epochs: FULL_EPOCHS,
  base: 16,
  batchSize: 16,
  migdal: {} as object,
  overrides: {
    training: { microBatch: 0, learningRate: FULL_LR, schedule: 'cosine', warmupSteps: 500, checkpointEverySteps: 250 },
    window: { height: 128, width: 128, box: 'input' },
  } as object,
  resume: true,
};
const REDUCED = {
  trainEvents: 1000,
  testEvents: 500,
  epochs: 6,
  base: 16,
  batchSize: 16,
  migdal: { image: { width: 256, height: 144, pixelMm: 0.3125 } },
  overrides: { window: null } as object,
  resume: false,
};
const QUICK = {
  trainEvents: 24,
  testEvents: 12,
  epochs: 2,
  base: 8,
  batchSize: 8,
  migdal: { image: { width: 128, height: 64, pixelMm: 0.625 }, events: { vertexMarginMm: 8 } },
  overrides: { window: null } as object,
  resume: false,
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      reduced: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'train-events': { type: 'string' },
      'test-events': { type: 'string' },
      epochs: { type: 'string' },
      base: { type: 'string' },
      engine: { type: 'string', default: 'native' },
    },
  });
  if ([values.quick, values.reduced, values.full].filter(Boolean).length > 1) throw new Error('oasis-quality: --quick, --reduced and --full exclude each other');
  const preset = values.quick ? QUICK : values.reduced ? REDUCED : values.full ? FULL : WHOLE_FRAMES;
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  const sizes = {
    trainEvents: num(values['train-events'], preset.trainEvents),
    testEvents: num(values['test-events'], preset.testEvents),
    epochs: num(values.epochs, preset.epochs),
    base: num(values.base, preset.base),
    batchSize: preset.batchSize,
  };
  const commit = gitCommit(); // the code the run starts from (commits made while it runs do not count)
  const backend = await selectBackend({ prefer: values.engine === 'cpu' ? 'cpu' : 'native' });
  const mode = values.quick ? 'quick' : values.reduced ? 'reduced' : values.full ? 'full' : 'whole-frames';
  const outDir = values.out ?? `runs/oasis-quality${mode === 'whole-frames' ? '' : `-${mode}`}`;
  console.error(`backend ${backend}; ${JSON.stringify(sizes)} → ${outDir}`);
  const progress = values.full ? lineProgress((l) => console.error(l), 60) : undefined;
  // --full trains nominal first: the preset the targets and the demo need, should the run be cut
  const presets: PresetName[] = values.full ? ['nominal', 'unweighted'] : ['unweighted', 'nominal'];
  const r = await runOasisQuality({ outDir, seed: Number(values.seed), ...sizes, migdal: preset.migdal, overrides: preset.overrides, resume: preset.resume, presets, progress, log: (l) => console.error(l) });
  const pct = (x: number | null) => (x === null ? '     —' : `${(100 * x).toFixed(1).padStart(6)}%`);
  console.log('preset        ΔI(4–5) med   IQR      ΔI all    IoU    NR-only FP  angle68°  s/step');
  for (const e of r.entries) {
    console.log(
      `${e.name.padEnd(12)} ${pct(e.medianDeltaI_4to5keV)} ${pct(e.iqrDeltaI_4to5keV)} ${pct(e.medianDeltaI)}  ${(e.iou ?? NaN).toFixed(3)}  ${pct(e.nrOnlyFpRate)}  ` +
        `${(e.angleResolutionDeg ?? NaN).toFixed(1).padStart(7)}  ${r.secondsPerStep[e.preset].toFixed(2)}`,
    );
  }
  if (values.full) {
    console.log('\nΔI per keV bin (median / IQR), nominal and unweighted');
    const byPreset = Object.fromEntries(r.entries.map((e) => [e.preset, e]));
    for (const b of r.entries[0].bins) {
      const cell = (p: string) => {
        const x = byPreset[p]?.bins.find((y) => y.loKeV === b.loKeV);
        return x ? `${pct(x.medianDeltaI)} /${pct(x.iqrDeltaI)} (${x.events})` : '—';
      };
      console.log(`${String(b.loKeV).padStart(2)}–${String(b.hiKeV).padEnd(3)} keV  ${cell('nominal')}   ${cell('unweighted')}`);
    }
  }
  // --quick smoke runs go to their own file; --full to oasis-quality-full.json; the others are the older result
  const file = values.quick ? 'bench/results/oasis-quality-quick.json' : values.full ? 'bench/results/oasis-quality-full.json' : 'bench/results/oasis-quality.json';
  writeJsonAtomic(file, {
    version: toolVersion(),
    commit,
    backend,
    mode,
    quick: values.quick,
    sizes,
    migdal: preset.migdal,
    overrides: preset.overrides,
    seed: Number(values.seed),
    seconds: r.seconds,
    phases: r.phases,
    secondsPerStep: r.secondsPerStep,
    entries: r.entries.map(({ history, ...rest }) => ({ ...rest, epochs: history.length, history })),
  });
  console.error(`wrote ${file}, ${r.json}, ${r.html} (${r.seconds.toFixed(0)} s)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
