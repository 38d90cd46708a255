import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../src/io/npy.js';

const BIN = join(process.cwd(), 'bin', 'tpcvision.js');
const run = (args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8' });

describe('tpcvision command line', () => {
  it('has --help on every command', () => {
    for (const cmd of [[], ['simulate', 'lime'], ['pedestals'], ['calibrate'], ['trigger'], ['evaluate'], ['train'], ['demo'], ['model', 'summary']]) {
      const r = run([...cmd, '--help']);
      expect(r.status, cmd.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: tpcvision/);
    }
  });

  it('simulates, computes statistics, calibrates and triggers on a small run; same seed gives the same bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-cli-'));
    const sim = (out: string) => execFileSync('node', [BIN, 'simulate', 'lime', '--out', out, '--pedestals', '6', '--events', '4', '--seed', '5', '--size', '288', '--json'], { encoding: 'utf8' });
    const summary = JSON.parse(sim(join(dir, 'a')));
    expect(summary.events).toBe(4);
    sim(join(dir, 'b'));
    const peds = readdirSync(join(dir, 'a', 'pedestals'));
    expect(peds).toHaveLength(6);
    for (const f of peds) expect(readFileSync(join(dir, 'a', 'pedestals', f)).equals(readFileSync(join(dir, 'b', 'pedestals', f)))).toBe(true);

    // statistics from the first four pedestals, τ from the two held out (calibrating on the statistics' own frames is refused)
    const ped = (i: number) => join(dir, 'a', 'pedestals', peds[i]);
    execFileSync('node', [BIN, 'pedestals', ped(0), ped(1), ped(2), ped(3), '--out', join(dir, 'stats'), '--json']);
    const cal = JSON.parse(
      execFileSync('node', [BIN, 'calibrate', ped(4), ped(5), '--stats', join(dir, 'stats'), '--out', join(dir, 'cal.json'), '--score', 'gaussian', '--json'], { encoding: 'utf8' }),
    );
    expect(cal.methods[0].name).toBe('gaussian');
    expect(cal.methods[0].calibration.whole.fraction).toBeLessThanOrEqual(6.9e-3);
    const trig = JSON.parse(
      execFileSync('node', [BIN, 'trigger', join(dir, 'a', 'data'), '--stats', join(dir, 'stats'), '--calibration', join(dir, 'cal.json'), '--out', join(dir, 'roi'), '--json'], { encoding: 'utf8' }),
    );
    expect(trig.framesIn).toBe(trig.framesWritten);
    expect(trig.failed).toEqual([]);
  });

  it('names the file and leaves no output behind on a truncated frame', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-bad-'));
    const full = encodeNpy([64, 64], new Uint16Array(64 * 64).fill(100));
    writeFileSync(join(dir, 'cut.npy'), full.subarray(0, full.length - 10));
    const r = run(['pedestals', join(dir, 'cut.npy'), '--out', join(dir, 'stats')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cut\.npy: truncated \.npy data/);
    expect(existsSync(join(dir, 'stats'))).toBe(false);
  });
});
