import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { readNpy } from '../../src/io/npy.js';
import { resolveLimeConfig } from '../../src/config/lime.js';
import { scheduleEvents, simulateLimeRun } from '../../src/simulation/lime/run.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tpcvision-sim-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** All files under dir, relative paths, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();
}

const config = resolveLimeConfig({ camera: { width: 64, height: 64 }, events: { perFrame: 1.5 } });

describe('event schedule', () => {
  it('places exactly M events; the last frame takes the remainder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.double({ min: 0.05, max: 8, noNaN: true }), fc.integer(), (m, mean, seed) => {
        const s = scheduleEvents(m, mean, seed);
        expect(s.reduce((a, b) => a + b, 0)).toBe(m);
        expect(s.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
        if (m > 0) expect(s[s.length - 1]).toBeGreaterThan(0);
      }),
      { numRuns: 60, seed: 111 },
    );
  });

  it('keeps empty frames, as real runs have them', () => {
    const s = scheduleEvents(40, 0.5, 1);
    expect(s.filter((n) => n === 0).length).toBeGreaterThan(5);
  });

  it('refuses a zero event rate when events are asked for', () => {
    expect(() => scheduleEvents(3, 0, 1)).toThrow(ConfigError);
    expect(scheduleEvents(0, 0, 1)).toEqual([]);
  });
});

describe('simulateLimeRun', () => {
  it('writes pedestals, data frames with truth and run.json; events total exactly M', async () => {
    const out = tempDir();
    const ticks = vi.fn();
    const s = await simulateLimeRun({
      config,
      outDir: out,
      pedestals: 3,
      events: 7,
      seed: 11,
      progress: { start: () => {}, tick: ticks, stop: () => {} },
    });
    expect(s.events).toBe(7);
    expect(s.pedestalFrames).toBe(3);
    expect(ticks).toHaveBeenCalledTimes(3 + s.dataFrames);
    const files = listFiles(out);
    expect(files.filter((f) => f.startsWith('pedestals/'))).toEqual(['pedestals/ped_00000.npy', 'pedestals/ped_00001.npy', 'pedestals/ped_00002.npy']);
    expect(files.filter((f) => f.startsWith('data/') && f.endsWith('.npy')).length).toBe(s.dataFrames);
    expect(files.filter((f) => f.endsWith('.truth.json')).length).toBe(s.dataFrames);
    expect(files.some((f) => f.includes('.tmp-'))).toBe(false);

    const ped = readNpy(join(out, 'pedestals/ped_00000.npy'));
    expect([ped.shape, ped.dtype]).toEqual([[64, 64], 'uint16']);

    const ids: number[] = [];
    for (let i = 0; i < s.dataFrames; i++) {
      const name = `frame_${String(i).padStart(5, '0')}`;
      const frame = readNpy(join(out, 'data', `${name}.npy`));
      expect(frame.shape).toEqual([64, 64]);
      const truth = JSON.parse(readFileSync(join(out, 'data', `${name}.truth.json`), 'utf8'));
      expect(truth).toMatchObject({ frame: `${name}.npy`, width: 64, height: 64 });
      for (const e of truth.events) {
        expect(Object.keys(e)).toEqual(['id', 'type', 'energyKeV', 'depthCm', 'vertex', 'pixels']);
        expect(['fe55', 'er', 'nr', 'muon', 'alpha']).toContain(e.type);
        expect(e.vertex).toHaveLength(2);
        ids.push(e.id);
      }
    }
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6]);

    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run.tool).toBe('tpcvision');
    expect(typeof run.version).toBe('string');
    expect(run.seed).toBe(11);
    expect(run.config).toEqual(JSON.parse(JSON.stringify(config)));
    expect(run.counts.events).toBe(7);
    expect(Object.values(run.counts.eventsByType as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(7);
    expect(run.files.pedestals).toHaveLength(3);
    expect(run.files.data).toHaveLength(s.dataFrames);
  });

  it('same seed → byte-identical files; different seed → different frames', async () => {
    const run = async (seed: number) => {
      const out = tempDir();
      await simulateLimeRun({ config, outDir: out, pedestals: 2, events: 5, seed });
      return out;
    };
    const [a, b, c] = [await run(21), await run(21), await run(22)];
    const files = listFiles(a);
    expect(listFiles(b)).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    expect(readFileSync(join(c, 'pedestals/ped_00000.npy')).equals(readFileSync(join(a, 'pedestals/ped_00000.npy')))).toBe(false);
    expect(readFileSync(join(c, 'data/frame_00000.npy')).equals(readFileSync(join(a, 'data/frame_00000.npy')))).toBe(false);
  });

  it('a frame does not depend on how many frames come before or after it', async () => {
    const a = tempDir();
    const b = tempDir();
    await simulateLimeRun({ config, outDir: a, pedestals: 1, events: 0, seed: 5 });
    await simulateLimeRun({ config, outDir: b, pedestals: 4, events: 3, seed: 5 });
    expect(readFileSync(join(b, 'pedestals/ped_00000.npy')).equals(readFileSync(join(a, 'pedestals/ped_00000.npy')))).toBe(true);
  });
});
