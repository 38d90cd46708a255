/**
 * The pedestal-statistics directory's refusals (each names the file and what is wrong), the frame
 * label used in preprocessing errors, and the resize/grid-index edge cases: argument check, clamping
 * of crop pixels outside the crop.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { preprocessSchema } from '../../src/config/pipeline.js';
import { makeFrame } from '../../src/core/frame.js';
import { writeNpyArray } from '../../src/io/npy.js';
import { checkRawFrame, frameLabel } from '../../src/preprocessing/check-raw-frame.js';
import { computePedestalStats, type PedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { cropToAnalysisIndex, resizeBilinear } from '../../src/preprocessing/resize.js';
import { loadPedestalStats, savePedestalStats } from '../../src/preprocessing/stats-artefact.js';
import { naiveAnalysisIndex } from '../helpers/naive-trigger.js';
import { noiseFrames, sequenceOf } from '../helpers/synthetic.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const cfg = preprocessSchema.parse({ frameWidth: 24, frameHeight: 20, crop: { x: 3, y: 2, width: 12, height: 10 }, analysisWidth: 6, analysisHeight: 5 });

async function savedStats(): Promise<{ dir: string; stats: PedestalStats }> {
  const stats = await computePedestalStats(sequenceOf(noiseFrames(3, 24, 9, { height: 20 })), cfg);
  const dir = mkdtempSync(join(tmpdir(), 'tpcv-artefact-'));
  dirs.push(dir);
  savePedestalStats(dir, stats);
  return { dir, stats };
}

describe('loadPedestalStats', () => {
  it('reads back every field: sizes of the crop and of the analysis grid, sources, frame count, stats.json contents', async () => {
    const { dir, stats } = await savedStats();
    const back = loadPedestalStats(dir);
    expect(back.frameCount).toBe(3);
    expect(back.sources).toEqual(['synthetic-0', 'synthetic-1', 'synthetic-2']);
    expect(back.version).toBe(1);
    expect(Array.from(back.meanCrop)).toEqual(Array.from(stats.meanCrop));
    expect(Array.from(back.sigma)).toEqual(Array.from(stats.sigma));
    expect(back.meanCrop).toHaveLength(120);
    expect(back.mu).toHaveLength(30);
    const json = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
    expect(json).toMatchObject({ kind: 'tpcvision-pedestal-stats', version: 1, tool: { name: 'tpcvision' }, frameCount: 3 });
    expect(json.files).toEqual({ mean: 'mean.npy', mu: 'mu.npy', sigma: 'sigma.npy' });
    // an older stats.json without sources reads as no sources
    writeFileSync(join(dir, 'stats.json'), JSON.stringify({ ...json, sources: undefined }));
    expect(loadPedestalStats(dir).sources).toEqual([]);
  });

  it('refuses a directory without stats.json, bad JSON, a foreign kind, another version, a wrong array, naming the file', async () => {
    const { dir } = await savedStats();
    const json = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
    const empty = mkdtempSync(join(tmpdir(), 'tpcv-artefact-empty-'));
    dirs.push(empty);
    expect(() => loadPedestalStats(empty)).toThrow(`${empty}: not a pedestal-statistics directory (stats.json missing)`);
    const path = join(dir, 'stats.json');
    writeFileSync(path, '{"kind": ');
    expect(() => loadPedestalStats(dir)).toThrow(new RegExp(`^${path.replace(/[.\\/]/g, '\\$&')}: unreadable JSON: .+`));
    writeFileSync(path, JSON.stringify({ ...json, kind: 'something-else' }));
    expect(() => loadPedestalStats(dir)).toThrow(`${path}: not a pedestal-statistics file`);
    writeFileSync(path, JSON.stringify({ ...json, version: 2 }));
    expect(() => loadPedestalStats(dir)).toThrow(`${path}: version 2 is not supported (expected 1)`);
    writeFileSync(path, JSON.stringify(json));
    // mu.npy of the crop's shape instead of the grid's; then the right shape in float64
    writeNpyArray(join(dir, 'mu.npy'), [10, 12], new Float32Array(120));
    expect(() => loadPedestalStats(dir)).toThrow(`${join(dir, 'mu.npy')}: expected float32 (5, 6), got float32 (10, 12)`);
    writeNpyArray(join(dir, 'mu.npy'), [5, 6], new Float64Array(30));
    expect(() => loadPedestalStats(dir)).toThrow(`${join(dir, 'mu.npy')}: expected float32 (5, 6), got float64 (5, 6)`);
    writeNpyArray(join(dir, 'mu.npy'), [30], new Float32Array(30));
    expect(() => loadPedestalStats(dir)).toThrow(`${join(dir, 'mu.npy')}: expected float32 (5, 6), got float32 (30)`);
    writeNpyArray(join(dir, 'mu.npy'), [5, 7], new Float32Array(35));
    expect(() => loadPedestalStats(dir)).toThrow(`${join(dir, 'mu.npy')}: expected float32 (5, 6), got float32 (5, 7)`);
    writeNpyArray(join(dir, 'mu.npy'), [5, 6], new Float32Array(30));
    unlinkSync(join(dir, 'sigma.npy'));
    expect(() => loadPedestalStats(dir)).toThrow(/sigma\.npy/);
  });
});

describe('frame labels in preprocessing errors', () => {
  it('the source, with the frame index when it is past the first; "frame" without a source', () => {
    const f = (meta: Record<string, unknown>) => makeFrame(2, 1, new Uint16Array(2), meta);
    expect(frameLabel(f({ source: 'run.tif', index: 4 }))).toBe('run.tif [frame 4]');
    expect(frameLabel(f({ source: 'run.tif', index: 0 }))).toBe('run.tif');
    expect(frameLabel(f({ source: 'run.tif', index: '4' }))).toBe('run.tif');
    expect(frameLabel(f({ source: 'run.tif' }))).toBe('run.tif');
    expect(frameLabel(f({ index: 4 }))).toBe('frame');
    expect(() => checkRawFrame(f({ source: 'run.tif', index: 2 }), cfg)).toThrow('run.tif [frame 2]: wrong frame size: expected 24×20, got 2×1');
  });
});

describe('resize edge cases', () => {
  it('names a map of the wrong length', () => {
    expect(() => resizeBilinear(new Float32Array(5), 3, 2, 2, 2)).toThrow('resizeBilinear: map has 5 px, expected 3×2');
  });

  it('a same-size resize is a copy, not the input', () => {
    const src = Float32Array.of(1, 2, 3, 4, 5, 6);
    const out = resizeBilinear(src, 3, 2, 3, 2);
    expect(out).not.toBe(src);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('cropToAnalysisIndex equals the scan for the analysis pixel holding the centre, and clamps outside the crop', () => {
    for (const [inSize, outSize] of [
      [12, 5],
      [5, 12],
      [7, 7],
    ]) {
      for (let c = 0; c < inSize; c++) expect(cropToAnalysisIndex(c, inSize, outSize)).toBe(naiveAnalysisIndex(c, inSize, outSize));
      expect(cropToAnalysisIndex(-1, inSize, outSize)).toBe(0);
      expect(cropToAnalysisIndex(-3, inSize, outSize)).toBe(0);
      expect(cropToAnalysisIndex(inSize + 2, inSize, outSize)).toBe(outSize - 1);
    }
  });
});
