/**
 * CYGNO-04 geometry end to end (issue 13): a simulated 4096×2304 run (`simulate lime --size cygno04`,
 * the ORCA-Quest frame) through pedestals → calibrate → trigger → evaluate (and inspect, export) with
 * no geometry given by hand: the statistics take the frame's preset (config/pipeline.ts
 * geometryForFrame: crop 2711×1525 at (667, 375), grid 1824×1024, checked against the formula), every
 * data frame is written as a 4096×2304 .roi whose pixels are the frame's own under its mask and lie in
 * the crop, and the evaluation counts every truth event of the run.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFrames } from '../../src/io/frames.js';
import { readRoiFrame } from '../../src/roi/compress.js';

const BIN = join(process.cwd(), 'bin', 'tpcvision.js');
const cli = (args: string[]) => JSON.parse(execFileSync('node', [BIN, ...args, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 }));
const dir = mkdtempSync(join(tmpdir(), 'tpcv-cygno04-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CYGNO-04 4096×2304 frames end to end', () => {
  it('simulate → pedestals → calibrate → trigger → evaluate → export, geometry from the frame', async () => {
    const sim = join(dir, 'sim');
    cli(['simulate', 'lime', '--size', 'cygno04', '--pedestals', '4', '--events', '3', '--events-per-frame', '1.5', '--seed', '4', '--out', sim]);
    const peds = readdirSync(join(sim, 'pedestals')).sort();
    mkdirSync(join(dir, 'p1'));
    mkdirSync(join(dir, 'p2'));
    peds.slice(0, 2).forEach((f) => cpSync(join(sim, 'pedestals', f), join(dir, 'p1', f)));
    peds.slice(2).forEach((f) => cpSync(join(sim, 'pedestals', f), join(dir, 'p2', f)));

    const stats = join(dir, 'stats');
    cli(['pedestals', join(dir, 'p1'), '--out', stats]);
    const cfg = JSON.parse(readFileSync(join(stats, 'stats.json'), 'utf8')).config;
    // the spec's proportions per axis: margin 375/2304, crop 1525/2304, 1525 crop px per 1024 grid px (multiple of 16)
    const axis = (n: number) => [Math.round((375 * n) / 2304), Math.round((1525 * n) / 2304)];
    expect(cfg).toMatchObject({ frameWidth: 4096, frameHeight: 2304, crop: { x: axis(4096)[0], y: axis(2304)[0], width: axis(4096)[1], height: axis(2304)[1] } });
    expect([cfg.crop.x, cfg.crop.y, cfg.crop.width, cfg.crop.height, cfg.analysisWidth, cfg.analysisHeight]).toEqual([667, 375, 2711, 1525, 1824, 1024]);

    const calib = join(dir, 'calib.json');
    cli(['calibrate', join(dir, 'p2'), '--stats', stats, '--score', 'gaussian', '--out', calib]);
    const data = join(sim, 'data');
    const frames = readdirSync(data).filter((f) => f.endsWith('.npy')).sort();
    expect(frames.length).toBeGreaterThan(0);
    const roi = join(dir, 'roi');
    const t = cli(['trigger', data, '--stats', stats, '--calibration', calib, '--score', 'gaussian', '--out', roi, '--allow-high-occupancy']);
    expect(t.framesWritten).toBe(frames.length);
    expect(t.failed).toEqual([]);
    for (const [k, f] of frames.entries()) {
      const r = readRoiFrame(join(roi, f.replace(/\.npy$/, '.roi')));
      expect([r.width, r.height]).toEqual([4096, 2304]);
      const [raw] = await readFrames(join(data, f));
      let kept = 0;
      for (let i = 0; i < r.mask.length; i++) {
        if (!r.mask[i]) continue;
        kept++;
        const x = i % 4096;
        const y = Math.floor(i / 4096);
        expect(x >= 667 && x < 667 + 2711 && y >= 375 && y < 375 + 1525, `frame ${k} pixel (${x}, ${y}) outside the crop`).toBe(true);
        if (r.values[i] !== raw.data[i]) expect.fail(`frame ${k} pixel (${x}, ${y}): stored ${r.values[i]}, raw ${raw.data[i]}`);
      }
      expect(kept).toBeGreaterThan(0);
    }

    const ev = cli(['evaluate', data, '--stats', stats, '--calibration', calib, '--score', 'gaussian', '--out', join(dir, 'ev')]);
    const evaluation = JSON.parse(readFileSync(join(dir, 'ev', 'evaluation.json'), 'utf8'));
    const truthEvents = readdirSync(data)
      .filter((f) => f.endsWith('.truth.json'))
      .reduce((n, f) => n + JSON.parse(readFileSync(join(data, f), 'utf8')).events.length, 0);
    expect(evaluation.dataset).toMatchObject({ frames: frames.length, events: truthEvents, analysisWidth: 1824, analysisHeight: 1024 });
    expect(ev).toBeDefined();
    expect(readdirSync(join(dir, 'ev'))).toContain('report.html');

    const inspected = cli(['inspect', join(data, frames[0])]);
    expect(inspected[0].items[0].dimensions).toBe('4096×2304');
    const exported = cli(['export', roi, '--out', join(dir, 'export')]);
    expect(exported.written).toHaveLength(frames.length);
  }, 600_000);
});
