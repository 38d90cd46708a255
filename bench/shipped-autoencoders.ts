/**
 * bench/shipped-autoencoders: the shipped autoencoders (models/ae-*) beside the classical scores on
 * new simulated data of their camera, as `tpcvision demo` runs them: new frames of the camera run
 * they were trained on (default), or with --later-run a later run of the camera (other isolated hot
 * pixels), where their frozen pedestal statistics no longer describe the frames.
 *
 * Usage: node dist/bench/shipped-autoencoders.js [--seed 515151] [--pedestals 12] [--events 60] [--later-run]
 * Prints a table and writes bench/results/shipped-autoencoders[-later-run].json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '../src/core/atomic-write.js';
import { selectBackend } from '../src/engine/select-backend.js';
import { evaluateShippedAutoencoders } from '../src/demo/shipped-models.js';
import { gitCommit } from './git-commit.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '515151' },
    pedestals: { type: 'string', default: '12' },
    events: { type: 'string', default: '60' },
    'later-run': { type: 'boolean', default: false },
  },
});
const commit = gitCommit();
const laterRun = Boolean(values['later-run']);
const settings = { seed: Number(values.seed), calibrationPedestals: Number(values.pedestals), events: Number(values.events), eventsPerFrame: 1.5, laterRun };
await selectBackend({ prefer: 'native' });
const out = mkdtempSync(join(tmpdir(), 'tpcv-bench-shipped-ae-'));
try {
  const r = await evaluateShippedAutoencoders({ outDir: out, ...settings });
  if (!r) throw new Error('no shipped autoencoders in models/');
  const ev = r.study.evaluation;
  const methods = ev.methods.map((m) => ({ name: m.name, tau: m.tau, meanCoverage: m.meanCoverage, meanAreaCut: m.meanAreaCut, coverageAtReferenceCut: m.coverageAtReferenceCut, events: m.events }));
  const pct = (v: number | null) => (v === null || Number.isNaN(v) ? '     –' : `${(100 * v).toFixed(1).padStart(5)}%`);
  console.log(`${laterRun ? 'a later run' : 'new frames of the models\' run'}: ${ev.frames} frames, ${ev.containedEvents} contained events`);
  console.log('method                 τ           coverage  area cut  cov@97.8%');
  for (const m of methods) console.log(`${m.name.padEnd(22)} ${m.tau.toPrecision(4).padEnd(11)} ${pct(m.meanCoverage)}    ${pct(m.meanAreaCut)}   ${pct(m.coverageAtReferenceCut)}`);
  const file = join('bench', 'results', `shipped-autoencoders${laterRun ? '-later-run' : ''}.json`);
  writeJsonAtomic(file, { bench: 'shipped-autoencoders', command: ['node dist/bench/shipped-autoencoders.js', ...process.argv.slice(2)].join(' '), commit, settings, frames: ev.frames, containedEvents: ev.containedEvents, methods });
  console.log(`written ${file}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
