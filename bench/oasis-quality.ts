/**
 * Overlap-separation quality benchmark (spec overlap-separation.md, "Reported results"): the same
 * simulated MIGDAL training set trained with the 'unweighted' and 'nominal' loss presets, both scored
 * on the same simulated test set — ΔI median and IQR of 4–5 keV ERs, topological IoU, NR-only
 * false-positive rate, ER-direction resolution.
 *
 * Sizes (full run): 2,000 hybrid + 2,000 NR-only training samples (10% of them validate), 1,000 hybrid
 * + 1,000 NR-only test samples, 288×512 images, base width 32, batch 16, up to 50 epochs with early
 * stopping (patience 10). The release trains on 18,000 + 2,000 per kind: scale --train-events up
 * when the machine allows (a step of 16 images at 288×512 is the unit of cost; see the printed
 * seconds per step). Not run in CI.
 * --quick: 24 hybrid + 24 NR-only training samples, 12 + 12 test, 64×128 images (0.625 mm/px, the
 * 4× coarser pixel keeps the tracks inside), base 8, batch 8, 2 epochs: checks the pipeline end to
 * end in about a minute; its numbers mean nothing.
 *
 * Measured (tpcvision-native, 2 shared cores, 2026-11): forward + backward of 4 images at 288×512,
 * base 32, in 25 s, so ~100 s per step of 16 (4 micro-batches of 4; a single pass of 16 needs over
 * 23 GB and was killed): the full run is ~3.5 h per epoch for 2,000 + 2,000 samples. --quick: 63 s,
 * ~2 s per step. Since the native GroupNorm+SiLU, upsampling and loss kernels (docs/ENGINE.md,
 * 2026-11-25, load 4.4–5 on the 2 cores): a training step of 4 images at 288×512, base 32 (forward,
 * loss, backward, Adam) in 6.8 s (28.6 s before, same load), peak RSS 2.4 GB, so roughly 27 s per
 * step of 16 and a quarter of the epoch time above; the full run itself not re-measured. On the 'cpu' backend the conv-filter gradient runs element by element (~0.5 µs per
 * multiply-add): use it only for tests.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/oasis-quality.js [--quick] [--out DIR] [--seed N]
 *      [--train-events N] [--test-events N] [--epochs N] [--base N] [--engine native|cpu]
 * Writes bench/results/oasis-quality.json (or oasis-quality-quick.json with --quick): the entries of
 * oasis-evaluation.json plus sizes, backend and seconds per step; the study itself goes to --out
 * (default runs/oasis-quality).
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../src/core/atomic-write.js';
import { toolVersion } from '../src/core/version.js';
import { selectBackend } from '../src/engine/select-backend.js';
import { runOasisQuality } from '../src/overlap/run-quality.js';

const FULL = { trainEvents: 2000, testEvents: 1000, epochs: 50, base: 32, batchSize: 16, migdal: {} as object };
const QUICK = {
  trainEvents: 24,
  testEvents: 12,
  epochs: 2,
  base: 8,
  batchSize: 8,
  migdal: { image: { width: 128, height: 64, pixelMm: 0.625 }, events: { vertexMarginMm: 8 } },
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'train-events': { type: 'string' },
      'test-events': { type: 'string' },
      epochs: { type: 'string' },
      base: { type: 'string' },
      engine: { type: 'string', default: 'native' },
    },
  });
  const preset = values.quick ? QUICK : FULL;
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  const sizes = {
    trainEvents: num(values['train-events'], preset.trainEvents),
    testEvents: num(values['test-events'], preset.testEvents),
    epochs: num(values.epochs, preset.epochs),
    base: num(values.base, preset.base),
    batchSize: preset.batchSize,
  };
  const backend = await selectBackend({ prefer: values.engine === 'cpu' ? 'cpu' : 'native' });
  const outDir = values.out ?? (values.quick ? 'runs/oasis-quality-quick' : 'runs/oasis-quality');
  console.error(`backend ${backend}; ${JSON.stringify(sizes)} → ${outDir}`);
  const r = await runOasisQuality({ outDir, seed: Number(values.seed), ...sizes, migdal: preset.migdal, presets: ['unweighted', 'nominal'], log: (l) => console.error(l) });
  const pct = (x: number | null) => (x === null ? '     —' : `${(100 * x).toFixed(1).padStart(6)}%`);
  console.log('preset        ΔI(4–5) med   IQR      ΔI all    IoU    NR-only FP  angle68°  s/step');
  for (const e of r.entries) {
    console.log(
      `${e.name.padEnd(12)} ${pct(e.medianDeltaI_4to5keV)} ${pct(e.iqrDeltaI_4to5keV)} ${pct(e.medianDeltaI)}  ${(e.iou ?? NaN).toFixed(3)}  ${pct(e.nrOnlyFpRate)}  ` +
        `${(e.angleResolutionDeg ?? NaN).toFixed(1).padStart(7)}  ${r.secondsPerStep[e.preset].toFixed(2)}`,
    );
  }
  const file = values.quick ? 'bench/results/oasis-quality-quick.json' : 'bench/results/oasis-quality.json';
  writeJsonAtomic(file, { version: toolVersion(), backend, quick: values.quick, sizes, seed: Number(values.seed), seconds: r.seconds, secondsPerStep: r.secondsPerStep, entries: r.entries.map(({ history, ...rest }) => ({ ...rest, epochs: history.length })) });
  console.error(`wrote ${file}, ${r.json}, ${r.html} (${r.seconds.toFixed(0)} s)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
