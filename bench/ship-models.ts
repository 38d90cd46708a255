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
 * Each folder is written under a temporary name and renamed into place, so a model is either the old
 * one or the new one, never half of each.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/ship-models.js [--oasis RUN]
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../src/core/atomic-write.js';
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

/** Copy `files` of `from` into `to` through a temporary folder, then PROVENANCE.json. */
function shipFolder(from: string, to: string, files: string[], provenance: object): void {
  const tmp = `${to}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const f of files) copyFileSync(join(from, f), join(tmp, f));
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
      shippedBy: 'node dist/bench/ship-models.js --oasis ' + run,
    });
    console.log(`models/oasis-${preset}: from ${from} (best epoch ${meta.bestEpoch + 1}, commit ${result.commit ?? 'unknown'})`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { oasis: { type: 'string', default: 'runs/oasis-quality-full' }, out: { type: 'string', default: 'models' } } });
  shipOasis(values.oasis!, 'bench/results/oasis-quality-full.json', values.out!);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
