/**
 * A trigger run killed with SIGKILL mid-run (issue 17, point 8: "a killed trigger leaves no summary
 * and cannot resume"): the journal holds the frames finished before the kill; `--resume` finishes the
 * run without redoing them and writes the summary an uninterrupted run writes. `--resume` with
 * `--overwrite` is a usage error.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpyFrame } from '../../src/io/npy.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { JOURNAL_FILE } from '../../src/trigger/journal.js';
import { noiseFrames } from '../helpers/synthetic.js';

const BIN = join(process.cwd(), 'bin', 'tpcvision.js');
const run = (args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8' });
const frameLines = (out: string) => (existsSync(join(out, JOURNAL_FILE)) ? readFileSync(join(out, JOURNAL_FILE), 'utf8').split('\n').filter((l) => l.includes('"kind":"frame"')).length : 0);

describe('tpcvision trigger killed, then --resume', () => {
  it('finishes the run from the journal, equal to an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-kill-'));
    const [W, H] = [256, 192];
    mkdirSync(join(dir, 'ped'));
    mkdirSync(join(dir, 'data'));
    noiseFrames(6, W, 1, { height: H }).forEach((f, i) => writeNpyFrame(join(dir, 'ped', `p${i}.npy`), f));
    noiseFrames(120, W, 2, { height: H }).forEach((f, i) => writeNpyFrame(join(dir, 'data', `d${String(i).padStart(3, '0')}.npy`), f));
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ preprocess: { frameWidth: W, frameHeight: H, crop: { x: 0, y: 0, width: W, height: H }, analysisWidth: 128, analysisHeight: 96 }, roi: { closingRadius: 2 } }));
    const stats = join(dir, 'stats');
    expect(run(['pedestals', join(dir, 'ped'), '--out', stats, '--config', cfg]).status).toBe(0);
    const args = (out: string) => ['trigger', join(dir, 'data'), '--stats', stats, '--tau', '3', '--out', out, '--config', cfg, '--json'];

    // killed as soon as the journal holds 2 frames: far from the 120
    const out = join(dir, 'out');
    const child = spawn('node', [BIN, ...args(out)], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    while (frameLines(out) < 2) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    expect(await exited).toBeNull(); // killed, not finished
    const journalled = frameLines(out);
    expect(journalled).toBeLessThan(120);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);

    // a plain rerun is refused; --resume with --overwrite is a usage error; --resume finishes
    expect(run(args(out)).stderr).toMatch(/give --resume to continue it/);
    const both = run([...args(out), '--resume', '--overwrite']);
    expect([both.status, both.stderr]).toEqual([EXIT.badInput, expect.stringMatching(/--resume and --overwrite contradict each other/)]);
    const resumed = run([...args(out), '--resume']);
    expect(resumed.status).toBe(0);
    const s = JSON.parse(resumed.stdout);
    expect(s.framesResumed).toBe(journalled); // a .roi is written before its journal line: every journalled one is intact
    expect(frameLines(out)).toBe(120); // the rest, each journalled once

    const clean = join(dir, 'clean');
    const c = JSON.parse(run(args(clean)).stdout);
    const strip = (x: { frames: { output: string }[]; framesIn: number; framesWritten: number; keptFractionAnalysis: number }, root: string) => ({
      framesIn: x.framesIn,
      framesWritten: x.framesWritten,
      kept: x.keptFractionAnalysis,
      frames: x.frames.map((f) => ({ ...f, output: f.output.replace(root, '') })),
    });
    expect(strip(s, out)).toEqual(strip(c, clean));
  });
});
