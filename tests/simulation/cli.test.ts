import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerSimulate } from '../../src/cli/commands/simulate.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tpcvision-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('simulate lime (CLI)', () => {
  const program = () => {
    const p = new Command('tpcvision').exitOverride();
    registerSimulate(p);
    return p;
  };

  it('parses flags, resolves the config and runs', async () => {
    const out = tempDir();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await program().parseAsync(
        ['simulate', 'lime', '--out', out, '--size', '64', '--pedestals', '1', '--events', '2', '--seed', '3', '--noise', 'independent', '--events-per-frame', '2', '--json'],
        { from: 'user' },
      );
      const summary = JSON.parse(log.mock.calls[0][0] as string);
      expect(summary).toMatchObject({ width: 64, height: 64, pedestalFrames: 1, events: 2, seed: 3 });
    } finally {
      log.mockRestore();
    }
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run.config.noise).toBe('independent');
    expect(run.config.events.perFrame).toBe(2);

    // a second run into the same directory would mix two cameras' frames under one run.json: refused, or replaced with --overwrite
    const again = ['simulate', 'lime', '--out', out, '--size', '64', '--pedestals', '2', '--events', '0', '--seed', '4', '--json'];
    await expect(program().parseAsync(again, { from: 'user' })).rejects.toThrow(/holds an earlier run \(run\.json, pedestals, data\); choose another --out or give --overwrite/);
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await program().parseAsync([...again, '--overwrite'], { from: 'user' });
    } finally {
      quiet.mockRestore();
    }
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).seed).toBe(4);
    expect(readdirSync(join(out, 'pedestals'))).toHaveLength(2);
    expect(existsSync(join(out, 'data')) ? readdirSync(join(out, 'data')).filter((f) => f.endsWith('.npy')) : []).toEqual([]); // the first run's data frames are gone
  });

  it('errors name the bad key or flag', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ optics: { vignetting: { radius: 3 } } }));
    await expect(program().parseAsync(['simulate', 'lime', '--out', dir, '--config', bad], { from: 'user' })).rejects.toThrow(
      /optics\.vignetting\.radius: unknown key/,
    );
    await expect(program().parseAsync(['simulate', 'lime', '--out', dir, '--size', 'huge'], { from: 'user' })).rejects.toThrow(/--size/);
    await expect(program().parseAsync(['simulate', 'lime', '--out', dir, '--noise', 'pink'], { from: 'user' })).rejects.toThrow(/--noise/);
  });
});
