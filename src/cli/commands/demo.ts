/**
 * `tpcvision demo`: simulate a small LIME run and run the whole chain (statistics, calibration,
 * trigger, evaluation, report) plus a tiny overlap-separation study, via runDemo (src/demo).
 */
import type { Command } from 'commander';
import { demoSchema } from '../../config/demo.js';
import { describeDefault } from '../../config/describe-default.js';
import { UsageError } from '../../core/errors.js';
import { parseCount, parseInteger, parseSize } from '../config-options.js';
import { summaryTable } from '../output.js';
import { terminalProgress } from '../progress-bar.js';

interface DemoFlags {
  out: string;
  seed: string;
  aeEpochs?: string;
  size?: string;
  events?: string;
  oasis: boolean;
  json?: boolean;
}

type DemoResult = Awaited<ReturnType<typeof import('../../demo/run-demo.js').runDemo>>;

interface OasisEntry {
  name: string;
  preset: string;
  medianDeltaI_4to5keV: number | null;
  iou: number | null;
  nrOnlyFpRate: number | null;
}

export function registerDemo(program: Command): Command {
  return program
    .command('demo')
    .description('simulate a small LIME run and run the whole chain: statistics, calibration, trigger, evaluation, report')
    .option('--out <dir>', 'output directory', 'runs/demo')
    .option('--seed <n>', 'random seed (same seed, same bytes)', '1')
    .option('--ae-epochs <n>', describeDefault('epochs of each autoencoder training (0 skips the autoencoders)', demoSchema, 'study.autoencoderEpochs'))
    .option('--size <size>', describeDefault('frame side of the simulated run: quarter (576), eighth (288) or px ≥ 64', demoSchema, 'study.size'))
    .option('--events <n>', describeDefault('simulated events', demoSchema, 'study.events'))
    .option('--no-oasis', 'skip the overlap-separation part')
    .option('--json', 'print the summary as JSON')
    .action(async (o: DemoFlags) => {
      const { seed, autoencoderEpochs, size, events } = parseDemoFlags(o);
      const log = o.json ? () => {} : (line: string) => console.error(`· ${line}`);
      // loaded on demand: the demo pulls in every stage, tfjs included
      const { runDemo } = await import('../../demo/run-demo.js');
      const r = await runDemo({ outDir: o.out, seed, autoencoderEpochs, size, events, oasis: o.oasis, progress: terminalProgress(o.json), log });
      if (o.json) printJson(r);
      else printSummary(r);
    });
}

/** Flags the user gave; an absent flag stays undefined and runDemo takes the schema's default. */
function parseDemoFlags(o: DemoFlags): { seed: number; autoencoderEpochs: number | undefined; size?: number; events?: number } {
  const autoencoderEpochs = o.aeEpochs === undefined ? undefined : Number(o.aeEpochs);
  if (autoencoderEpochs !== undefined && (!Number.isInteger(autoencoderEpochs) || autoencoderEpochs < 0)) {
    throw new UsageError('--ae-epochs', `must be a non-negative integer, got '${o.aeEpochs}'`);
  }
  const size = o.size === undefined ? undefined : parseSize(o.size);
  const events = o.events === undefined ? undefined : parseCount('--events', o.events);
  return { seed: parseInteger('--seed', o.seed) as number, autoencoderEpochs, size, events };
}

function printJson(r: DemoResult): void {
  console.log(
    JSON.stringify({ report: r.report, evaluation: `${r.outDir}/evaluation.json`, seconds: r.seconds, methods: r.evaluation.methods.map(({ sweep: _s, ...m }) => m), shippedAutoencoders: r.shippedAutoencoders.map(({ sweep: _s, ...m }) => m), oasis: r.oasis }, null, 2),
  );
}

function printSummary(r: DemoResult): void {
  console.log(summaryTable(r.evaluation.methods));
  console.log(`\n${r.evaluation.containedEvents} contained events in ${r.evaluation.frames} frames; trigger kept ${(100 * r.trigger.keptFractionRaw).toFixed(2)}% of raw pixels`);
  if (r.shippedAutoencoders.length) {
    console.log(`\nshipped autoencoders (models/) beside the classical scores, on new frames of the camera run they were trained on:`);
    console.log(summaryTable(r.shippedAutoencoders));
  }
  for (const e of r.oasis as OasisEntry[]) {
    const f = (v: number | null, d = 3) => (v === null || Number.isNaN(v) ? '–' : v.toFixed(d));
    console.log(`overlap separation ${e.name.padEnd(20)} ΔI(4–5 keV) median ${f(e.medianDeltaI_4to5keV)}  IoU ${f(e.iou)}  NR-only FP ${f(e.nrOnlyFpRate)}`);
  }
  console.log(`demo finished in ${r.seconds.toFixed(0)} s\nreport: ${r.report}`);
}
