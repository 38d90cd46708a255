import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerOasis } from '../../src/cli/commands/oasis.js';
import { writeMigdalFeather } from '../../src/io/feather.js';
import { tinySamples } from './fixtures.js';

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
});
