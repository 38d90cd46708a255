import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerOasis } from '../../src/cli/commands/oasis.js';
import { resolveOasisConfig } from '../../src/config/oasis.js';
import { readMigdalFeather, writeMigdalFeather } from '../../src/io/feather.js';
import { loadOasisModel } from '../../src/overlap/model-dir.js';
import { trainOasis } from '../../src/overlap/train.js';
import { tinySamples } from './fixtures.js';
import { expectSummaryMatchesNaive, naiveModelEvents } from './reference.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tpcvision-oasis-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('oasis train / evaluate (CLI)', () => {
  const program = () => {
    const p = new Command('tpcvision').exitOverride();
    registerOasis(p);
    return p;
  };

  it('trains from a Feather file with flags over the preset, then evaluates', async () => {
    const dir = tempDir();
    const data = join(dir, 'mig.feather');
    writeMigdalFeather(data, tinySamples(3, 21));
    const model = join(dir, 'model');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await program().parseAsync(
        ['oasis', 'train', '--data', data, '--out', model, '--preset', 'overlap-only', '--epochs', '1', '--batch-size', '2', '--base', '8', '--engine', 'cpu', '--seed', '4', '--json'],
        { from: 'user' },
      );
      const summary = JSON.parse(log.mock.calls[0][0] as string);
      expect(summary).toMatchObject({ preset: 'overlap-only', backend: 'cpu', epochs: 1, trainEvents: 2, validationEvents: 1 });
      const meta = JSON.parse(readFileSync(join(model, 'oasis-model.json'), 'utf8'));
      expect(meta.config.loss.regionWeights.overlap).toBe(6);
      expect(meta.config.training).toMatchObject({ batchSize: 2, base: 8, epochs: 1 });
      const out = join(dir, 'eval');
      await program().parseAsync(['oasis', 'evaluate', '--model', model, '--data', data, '--out', out, '--engine', 'cpu', '--json'], { from: 'user' });
      const entries = JSON.parse(log.mock.calls[1][0] as string);
      expect(entries[0].preset).toBe('overlap-only');
      expect(existsSync(join(out, 'oasis-report.html'))).toBe(true);
    } finally {
      log.mockRestore();
    }
    await expect(program().parseAsync(['oasis', 'train', '--data', data, '--out', model, '--preset', 'heavy', '--engine', 'cpu'], { from: 'user' })).rejects.toThrow(/unknown preset 'heavy'/);
  });

  it('oasis evaluate: the figures in oasis-evaluation.json are the naive ones on the model\'s own predictions', async () => {
    // a model trained for one seeded epoch (its weights come from training/init.ts, not tfjs's
    // unseeded initialisers), evaluated by the CLI on 9 other events of the same 32×16 geometry
    const dir = tempDir();
    await tf.setBackend('cpu');
    const model = join(dir, 'model');
    const config = resolveOasisConfig('nominal', { training: { base: 8, batchSize: 2, epochs: 1 } });
    (await trainOasis({ samples: tinySamples(3, 31), config, preset: 'nominal', seed: 6, outDir: model })).model.dispose();
    const data = join(dir, 'test.feather');
    writeMigdalFeather(data, tinySamples(9, 32));
    const out = join(dir, 'eval');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await program().parseAsync(['oasis', 'evaluate', '--model', model, '--data', data, '--out', out, '--engine', 'cpu', '--json'], { from: 'user' });
    } finally {
      log.mockRestore();
    }
    const [entry] = JSON.parse(readFileSync(join(out, 'oasis-evaluation.json'), 'utf8')).entries;
    // the reference: the same samples as the CLI read them, the model run one sample at a time
    const samples = readMigdalFeather(data).samples;
    const { model: net } = loadOasisModel(model, { width: 32, height: 16 });
    const naive = naiveModelEvents(net, samples);
    net.dispose();
    expect(entry.testEvents).toBe(9);
    expect(naive.filter((e) => e.deltaI !== null)).toHaveLength(5);
    expect(new Set(naive.map((e) => e.deltaI?.toFixed(6))).size).toBeGreaterThan(4); // events differ: a mix-up would show
    // float32 predictions batched vs one at a time: 1e-4 relative on the sums, 1e-3° on the angles
    expectSummaryMatchesNaive(entry, naive, 1e-4, 1e-3);
  });
});
