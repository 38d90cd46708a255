/**
 * Copies trained models from a finished benchmark run into the repository's models/ folder, the
 * models `tpcvision demo` evaluates (src/demo/shipped-models.ts), each with PROVENANCE.json beside
 * it: the benchmark command and seed, the data it was trained on (the simulation's run.json
 * provenance), the git commit the benchmark ran from, the metrics the benchmark measured on its test
 * set, and this command. Nothing is typed in by hand: every figure is read from the benchmark's
 * result file.
 *
 * --oasis RUN (default runs/oasis-quality-full): RUN/models/{nominal,unweighted}/ of
 * `node dist/bench/oasis-quality.js --full`, with bench/results/oasis-quality-full.json →
 * models/oasis-nominal/, models/oasis-unweighted/ (oasis-model.json, weights.json, weights.bin;
 * the checkpoint/ folder is left behind).
 *
 * --ae RUN (default runs/bench-trigger-quality/structured): RUN/models/ae-{refined,baseline}/ of
 * `node dist/bench/trigger-quality.js --noise structured`, with its result file (--ae-result, default
 * bench/results/trigger-quality.json) →
 * models/ae-refined/, models/ae-baseline/ (config.json, model.onnx, history.json and stats/,
 * the pedestal statistics the model needs; checkpoint/ left behind). PROVENANCE.json also records
 * the camera (seed, frame size, noise model) the demo simulates a fresh run of.
 *
 * Each folder is written under a temporary name and renamed into place, so a model is either the old
 * one or the new one, never half of each.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/ship-models.js [--oasis RUN] [--ae RUN] [--ae-result FILE] [--only oasis|ae]
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic, writeJsonAtomic } from '../src/core/atomic-write.js';
import { readOasisMeta } from '../src/overlap/model-dir.js';

const OASIS_FILES = ['oasis-model.json', 'weights.json', 'weights.bin'];

interface OasisResultFile {
  commit?: string;
  mode: string;
  seed: number;
  sizes: unknown;
  overrides: unknown;
  entries: ({ preset: string } & Record<string, unknown>)[];
}

/** Copy `files` of `from` (paths relative to it) into `to` through a temporary folder, then PROVENANCE.json. */
function shipFolder(from: string, to: string, files: string[], provenance: object): void {
  const tmp = `${to}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const f of files) {
    mkdirSync(dirname(join(tmp, f)), { recursive: true });
    copyFileSync(join(from, f), join(tmp, f));
  }
  writeJsonAtomic(join(tmp, 'PROVENANCE.json'), provenance);
  const old = `${to}.old-${process.pid}`;
  if (existsSync(to)) renameSync(to, old);
  renameSync(tmp, to);
  rmSync(old, { recursive: true, force: true });
}

function shipOasis(run: string, resultPath: string, out: string): void {
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as OasisResultFile;
  if (result.mode !== 'full') throw new Error(`${resultPath}: mode '${result.mode}', expected the --full run`);
  const trainRun = JSON.parse(readFileSync(join(run, 'train', 'run.json'), 'utf8')) as Record<string, unknown>;
  for (const preset of ['nominal', 'unweighted']) {
    const from = join(run, 'models', preset);
    const meta = readOasisMeta(from); // validates the directory before anything is copied
    const entry = result.entries.find((e) => e.preset === preset);
    if (!entry) throw new Error(`${resultPath}: no entry for preset '${preset}'`);
    const { bins, ...summary } = entry as { bins?: unknown };
    shipFolder(from, join(out, `oasis-${preset}`), OASIS_FILES, {
      model: `oasis-${preset}`,
      description: `OASIS U-Net, base ${meta.base}, ${meta.window ? `${meta.window.height}×${meta.window.width} windows` : 'whole frames'}, loss preset '${preset}'`,
      trainedBy: { command: 'node dist/bench/oasis-quality.js --full', seed: result.seed, commit: result.commit ?? 'unknown', sizes: result.sizes, overrides: result.overrides },
      data: { tool: trainRun.tool, version: trainRun.version, seed: trainRun.seed, counts: trainRun.counts, trainEvents: meta.trainEvents, validationEvents: meta.validationEvents },
      bestEpoch: meta.bestEpoch,
      metrics: { source: resultPath, testSet: 'simulate migdal --events 1000 --nr-only 1000 --seed 1000004', ...summary, bins },
      shippedBy: `node dist/bench/ship-models.js --only oasis --oasis ${run}`,
    });
    console.log(`models/oasis-${preset}: from ${from} (best epoch ${meta.bestEpoch + 1}, commit ${result.commit ?? 'unknown'})`);
  }
}

interface TriggerResultFile {
  commit?: string;
  /** the command line, recorded by the benchmark since it gained --result */
  command?: string;
  quick: boolean;
  seed: number;
  settings: { size: number; autoencoderEpochs: number } & Record<string, unknown>;
  runs: { noise: string; methods: ({ name: string } & Record<string, unknown>)[] }[];
}

function shipAutoencoders(run: string, resultPath: string, out: string): void {
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as TriggerResultFile;
  if (result.quick) throw new Error(`${resultPath}: a --quick run; ship the models of a full one`);
  const structured = result.runs.find((r) => r.noise === 'structured');
  if (!structured) throw new Error(`${resultPath}: no structured-noise run`);
  for (const mode of ['refined', 'baseline']) {
    const name = `ae-${mode}`;
    const from = join(run, 'models', name);
    if (!existsSync(join(from, 'config.json'))) throw new Error(`${from}: not a trained autoencoder (no config.json)`);
    // the ONNX file holds the weights the score serves: the tfjs copy (weights.*) would double the size
    const files = ['config.json', 'model.onnx', 'history.json', ...readdirSync(join(from, 'stats')).map((f) => `stats/${f}`)].filter((f) => existsSync(join(from, f)));
    const m = structured.methods.find((x) => x.name === name);
    if (!m) throw new Error(`${resultPath}: no method '${name}' in the structured run`);
    const { sweep, energyBins, ...summary } = m as { sweep?: unknown; energyBins?: unknown };
    shipFolder(from, join(out, name), files, {
      model: name,
      description: `ROI autoencoder (spec roi-trigger.md), ${mode} training, ${result.settings.autoencoderEpochs} epochs on simulated LIME pedestals`,
      trainedBy: { command: result.command ?? `node dist/bench/trigger-quality.js --noise structured --epochs ${result.settings.autoencoderEpochs}`, seed: result.seed, commit: result.commit ?? 'unknown', settings: result.settings },
      camera: { seed: result.seed, size: result.settings.size, noise: 'structured' },
      metrics: { source: resultPath, ...summary, energyBins },
      shippedBy: `node dist/bench/ship-models.js --only ae --ae ${run} --ae-result ${resultPath}`,
    });
    console.log(`models/${name}: from ${from} (commit ${result.commit ?? 'unknown'})`);
  }
}

/** models/README.md, made from every folder's PROVENANCE.json (so it can never disagree with them). */
function writeModelsReadme(out: string): void {
  const pct = (x: unknown) => (typeof x === 'number' ? `${(100 * x).toFixed(1)}%` : '—');
  const rows: string[] = [];
  for (const name of readdirSync(out).sort()) {
    const path = join(out, name, 'PROVENANCE.json');
    if (!existsSync(path)) continue;
    const p = JSON.parse(readFileSync(path, 'utf8'));
    const m = p.metrics ?? {};
    const figures =
      p.camera === undefined
        ? `ΔI(4–5 keV) median ${pct(m.medianDeltaI_4to5keV)} (IQR ${pct(m.iqrDeltaI_4to5keV)}), IoU ${typeof m.iou === 'number' ? m.iou.toFixed(3) : '—'}, NR-only FP ${pct(m.nrOnlyFpRate)}`
        : `coverage ${pct(m.meanCoverage)} at τ ${typeof m.tau === 'number' ? m.tau.toPrecision(4) : '—'}, ${pct(m.coverageAtReferenceCut)} at the 97.8% area cut`;
    rows.push(`| \`${name}/\` | ${p.description} | \`${p.trainedBy.command}\`, seed ${p.trainedBy.seed}, commit \`${String(p.trainedBy.commit).slice(0, 12)}\` | ${figures} |`);
  }
  const text = [
    '# Shipped models',
    '',
    'Trained by the project\'s own benchmarks and copied here by `node dist/bench/ship-models.js`; `tpcvision demo`',
    'evaluates them on freshly simulated data (src/demo/shipped-models.ts) and tests/demo/shipped-models.test.ts',
    'checks that they load and perform. Each folder\'s PROVENANCE.json has the exact command, seed, data, git',
    'commit and every metric the benchmark measured (its result file under bench/results/); this table is made',
    'from those files by the same command.',
    '',
    '| folder | model | trained by | measured by the benchmark |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  writeFileAtomic(join(out, 'README.md'), text);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      oasis: { type: 'string', default: 'runs/oasis-quality-full' },
      ae: { type: 'string', default: 'runs/bench-trigger-quality/structured' },
      'ae-result': { type: 'string', default: 'bench/results/trigger-quality.json' },
      only: { type: 'string' },
      out: { type: 'string', default: 'models' },
    },
  });
  if (values.only !== undefined && values.only !== 'oasis' && values.only !== 'ae') throw new Error(`--only: '${values.only}' is not oasis or ae`);
  mkdirSync(values.out!, { recursive: true });
  if (values.only !== 'ae') shipOasis(values.oasis!, 'bench/results/oasis-quality-full.json', values.out!);
  if (values.only !== 'oasis') shipAutoencoders(values.ae!, values['ae-result']!, values.out!);
  writeModelsReadme(values.out!);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
