/**
 * A trigger run with a bad frame: the others are written, the failure is listed on stderr (not mixed
 * into the table on stdout), the exit code is 3, and the summary lists it; long runs print progress
 * lines when stderr is not a terminal.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpyFrame } from '../../src/io/npy.js';
import { noiseFrames } from '../helpers/synthetic.js';
import { EXIT } from '../../src/cli/exit-codes.js';

const BIN = join(process.cwd(), 'bin', 'tpcvision.js');
const run = (args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8' });

describe('tpcvision trigger with a bad frame', () => {
  it('writes the good frames, lists the bad one on stderr, exits 3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-trigfail-'));
    const [W, H] = [64, 48];
    mkdirSync(join(dir, 'ped'));
    mkdirSync(join(dir, 'data'));
    noiseFrames(6, W, 1, { height: H }).forEach((f, i) => writeNpyFrame(join(dir, 'ped', `p${i}.npy`), f));
    noiseFrames(2, W, 2, { height: H }).forEach((f, i) => writeNpyFrame(join(dir, 'data', `d${i}.npy`), f));
    const [wrong] = noiseFrames(1, 32, 3, { height: 32 });
    writeNpyFrame(join(dir, 'data', 'd9.npy'), wrong);
    const stats = join(dir, 'stats');
    const cfg = join(dir, 'cfg.json');
    const config = { preprocess: { frameWidth: W, frameHeight: H, crop: { x: 0, y: 0, width: W, height: H }, analysisWidth: 32, analysisHeight: 24 }, roi: { closingRadius: 1 } };
    writeFileSync(cfg, JSON.stringify(config));
    expect(run(['pedestals', join(dir, 'ped'), '--out', stats, '--config', cfg]).status).toBe(0);
    const out = join(dir, 'out');
    const r = run(['trigger', join(dir, 'data'), '--stats', stats, '--tau', '6', '--out', out, '--config', cfg]);
    expect(r.status).toBe(EXIT.framesFailed);
    expect(r.stdout).toMatch(/^2\/3 frames written to /);
    expect(r.stdout).not.toMatch(/d9\.npy/);
    expect(r.stderr).toMatch(/tpcvision: 1 of 3 frames failed \(exit code 3; the others are written\):\n {2}.*d9\.npy.*wrong frame size/);
    // stderr is a pipe here: the progress comes as plain lines
    expect(r.stderr).toMatch(/· trigger: 3\/3 \(100\.0%\)/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0].source).toMatch(/d9\.npy/);
  });
});
