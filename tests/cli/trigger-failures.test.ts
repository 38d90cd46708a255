/**
 * A trigger run with a bad frame and entries that hold no frame: the others are written, the failure
 * is listed on stderr (not mixed into the table on stdout), the exit code is 3; every directory entry
 * is in the summary (failed or skipped with its reason: a broken symlink never aborts the run);
 * progress comes as plain lines when stderr is not a terminal.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpyArray, writeNpyFrame } from '../../src/io/npy.js';
import { noiseFrames } from '../helpers/synthetic.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { statsDigest } from '../../src/preprocessing/pedestal-stats.js';
import { loadPedestalStats } from '../../src/preprocessing/stats-artefact.js';

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
    // entries that hold no frame: each is skipped with its reason, none aborts the run
    writeFileSync(join(dir, 'data', 'notes.txt'), 'shift log');
    mkdirSync(join(dir, 'data', 'old'));
    symlinkSync(join(dir, 'nowhere.npy'), join(dir, 'data', 'gone.npy'));
    symlinkSync(join(dir, 'data', 'loop.npy'), join(dir, 'data', 'loop.npy'));
    writeNpyArray(join(dir, 'data', 'empty.npy'), [0, H, W], new Uint16Array(0));
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
    expect(r.stderr).toMatch(/· 5 entries skipped: .*\(listed in summary\.json\)/);
    // stderr is a pipe here: the progress comes as plain lines
    expect(r.stderr).toMatch(/· trigger: 4\/4 \(100\.0%\)/); // files read, the empty stack included
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0].source).toMatch(/d9\.npy/);
    // per-frame records: their mean is the run's kept fraction; at τ 6 nothing is flagged
    expect(summary.frames.map((f: { source: string }) => f.source.split('/').pop())).toEqual(['d0.npy', 'd1.npy']);
    const mean = summary.frames.reduce((a: number, f: { keptFractionAnalysis: number }) => a + f.keptFractionAnalysis, 0) / summary.frames.length;
    expect(mean).toBeCloseTo(summary.keptFractionAnalysis, 12);
    expect(summary.highOccupancy).toEqual([]);
    // provenance by content: the statistics' digest (no calibration file here: --tau)
    expect(summary.provenance.statsSha256).toBe(statsDigest(loadPedestalStats(stats)));
    expect(summary.provenance.calibrationSha256).toBeNull();
    const reasons = Object.fromEntries(summary.skipped.map((k: { path: string; reason: string }) => [k.path.split('/').pop(), k.reason]));
    expect(reasons).toEqual({
      'empty.npy': 'holds no frames (an empty stack)',
      'gone.npy': 'dangling symlink',
      'loop.npy': 'symlink loop',
      'notes.txt': expect.stringMatching(/^not a frame file/),
      old: 'a subdirectory (not descended into)',
    });

    // a τ of 1e-9 keeps the whole grid: every frame flagged, exit 4 unless allowed; τ 0 and no τ at all are refused
    const all = run(['trigger', join(dir, 'data', 'd0.npy'), join(dir, 'data', 'd1.npy'), '--stats', stats, '--tau', '1e-9', '--out', join(dir, 'all'), '--config', cfg]);
    expect(all.status).toBe(EXIT.highOccupancy);
    expect(all.stderr).toMatch(/tpcvision: 2 of 2 frames kept more than 20% of the grid \(up to 100\.0%; listed in summary\.json highOccupancy\): τ 1\.000e-9 or the statistics .* may not fit these frames \(exit code 4; --allow-high-occupancy to accept\)/);
    const flagged = JSON.parse(readFileSync(join(dir, 'all', 'summary.json'), 'utf8'));
    expect(flagged.highOccupancy.map((h: { keptFractionAnalysis: number }) => h.keptFractionAnalysis)).toEqual([1, 1]);
    expect(flagged.framesWritten).toBe(2);
    const allowed = run(['trigger', join(dir, 'data', 'd0.npy'), '--stats', stats, '--tau', '1e-9', '--out', join(dir, 'allowed'), '--config', cfg, '--allow-high-occupancy']);
    expect(allowed.status).toBe(0);
    expect(allowed.stderr).toMatch(/kept more than 20% of the grid/);
    const none = run(['trigger', join(dir, 'data', 'd0.npy'), '--stats', stats, '--out', join(dir, 'none'), '--config', cfg]);
    expect(none.status).toBe(EXIT.badInput);
    expect(none.stderr).toMatch(/--calibration no τ for score 'gaussian': give --calibration FILE/);

    // operating points nothing vouches for are refused before any frame: τ ≤ 0, a radius beyond the grid,
    // and against a calibration a radius other than its own or a τ below its sweep
    const d0 = join(dir, 'data', 'd0.npy');
    const refused = (extra: string[], out: string) => {
      const r = run(['trigger', d0, '--stats', stats, '--out', join(dir, out), '--config', cfg, ...extra]);
      expect(r.status).toBe(EXIT.badInput);
      expect(existsSync(join(dir, out, 'summary.json'))).toBe(false);
      return r.stderr;
    };
    expect(refused(['--tau', '0'], 'r0')).toMatch(/--tau must be a positive number, got 0/);
    expect(refused(['--tau', '5', '--radius', '33'], 'r1')).toMatch(/--radius 33 px is larger than the analysis grid \(32×24\)/);
    mkdirSync(join(dir, 'held'));
    noiseFrames(3, W, 5, { height: H }).forEach((f, i) => writeNpyFrame(join(dir, 'held', `h${i}.npy`), f));
    const cal = join(dir, 'cal.json');
    expect(run(['calibrate', join(dir, 'held'), '--stats', stats, '--out', cal, '--score', 'gaussian', '--config', cfg]).status).toBe(0);
    const lowest = JSON.parse(readFileSync(cal, 'utf8')).methods[0].sweepTaus[0] as number;
    expect(refused(['--calibration', cal, '--radius', '3'], 'r2')).toMatch(/--radius 3 differs from the closing radius 1 that .*cal\.json calibrated 'gaussian' with/);
    const low = refused(['--calibration', cal, '--tau', String(lowest * 0.9)], 'r3');
    expect(low).toContain(`is below the lowest τ of ${cal}'s sweep for 'gaussian' (${lowest.toPrecision(4)}, which half of the pedestal pixels exceed)`);
    // at the sweep's lowest τ and the calibrated radius the run goes ahead
    expect(run(['trigger', d0, '--stats', stats, '--out', join(dir, 'r4'), '--config', cfg, '--calibration', cal, '--tau', String(lowest), '--allow-high-occupancy']).status).toBe(0);
  });

  it('same base names in two directories, a stack beside a file named like its frame, a rerun into the same --out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-trignames-'));
    const [W, H] = [64, 48];
    for (const d of ['ped', 'run1', 'run2']) mkdirSync(join(dir, d));
    noiseFrames(6, W, 1, { height: H }).forEach((f, i) => writeNpyFrame(join(dir, 'ped', `p${i}.npy`), f));
    const frames = noiseFrames(6, W, 2, { height: H });
    writeNpyFrame(join(dir, 'run1', 'st.npy'), frames[0]);
    writeNpyFrame(join(dir, 'run2', 'st.npy'), frames[1]);
    // run2: a 3-frame stack st3.npy and a single file st3_0001.npy that would take its frame 1's name
    writeNpyArray(join(dir, 'run2', 'st3.npy'), [3, H, W], Uint16Array.from([...frames[2].data, ...frames[3].data, ...frames[4].data] as number[]));
    writeNpyFrame(join(dir, 'run2', 'st3_0001.npy'), frames[5]);
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ preprocess: { frameWidth: W, frameHeight: H, crop: { x: 0, y: 0, width: W, height: H }, analysisWidth: 32, analysisHeight: 24 }, roi: { closingRadius: 1 } }));
    const stats = join(dir, 'stats');
    expect(run(['pedestals', join(dir, 'ped'), '--out', stats, '--config', cfg]).status).toBe(0);
    const out = join(dir, 'out');
    const args = ['trigger', join(dir, 'run1'), join(dir, 'run2'), '--stats', stats, '--tau', '6', '--out', out, '--config', cfg];
    const r = run(args);
    expect(r.status).toBe(EXIT.framesFailed);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.framesIn).toBe(6);
    expect(summary.framesWritten).toBe(5);
    expect(summary.failed).toHaveLength(1);
    // the directory order reads st3_0001.npy first: the stack's frame 1 is the one refused, both named
    expect(summary.failed[0].reason).toMatch(/run2\/st3\.npy frame 1: its output run2\/st3_0001\.roi is already the output of .*run2\/st3_0001\.npy: rename one/);
    // every written frame has its own file: none written over another
    expect(new Set(summary.outputs).size).toBe(5);
    expect(readdirSync(join(out, 'run1'))).toEqual(['st.roi']);
    expect(readdirSync(join(out, 'run2')).sort()).toEqual(['st.roi', 'st3_0000.roi', 'st3_0001.roi', 'st3_0002.roi']);
    expect(existsSync(join(out, '.tpcvision.lock'))).toBe(false);
    // a rerun into the same --out is refused; --overwrite replaces the earlier output
    const again = run(args);
    expect(again.status).toBe(EXIT.badInput);
    expect(again.stderr).toMatch(/holds the output of an earlier run \(7 files, .*give --resume to continue it or --overwrite to replace it/);
    const over = run(['trigger', join(dir, 'run1'), '--stats', stats, '--tau', '6', '--out', out, '--config', cfg, '--overwrite']);
    expect(over.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['journal.jsonl', 'st.roi', 'summary.json']); // run2's files of the earlier run are gone
  });
});
