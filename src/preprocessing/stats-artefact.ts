/**
 * Saving and reloading PedestalStats as a versioned directory: stats.json (version, configuration,
 * extrema, sizes, provenance) beside mean.npy (crop grid) and mu.npy / sigma.npy (analysis grid), and
 * dark.npy (raw size) when the frames get a dark subtracted (config darkFrame).
 * stats.json is written last, so a directory without it is an interrupted write, never a valid artefact.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../core/atomic-write.js';
import { readNpy, writeNpyArray } from '../io/npy.js';
import { preprocessSchema } from '../config/pipeline.js';
import { PEDESTAL_STATS_VERSION, type PedestalStats } from './pedestal-stats.js';
import { loadDarkFrame } from './raw-input.js';

const DARK_FILE = 'dark.npy';
import { toolVersion } from '../core/version.js';

export function savePedestalStats(dir: string, stats: PedestalStats): void {
  const { crop, analysisWidth: aw, analysisHeight: ah } = stats.config;
  writeNpyArray(join(dir, 'mean.npy'), [crop.height, crop.width], stats.meanCrop);
  writeNpyArray(join(dir, 'mu.npy'), [ah, aw], stats.mu);
  writeNpyArray(join(dir, 'sigma.npy'), [ah, aw], stats.sigma);
  // the dark travels with the statistics: later commands subtract this copy, whatever becomes of the file
  const dark = stats.rawInput?.dark;
  if (dark) writeNpyArray(join(dir, DARK_FILE), [dark.height, dark.width], dark.data);
  writeJsonAtomic(join(dir, 'stats.json'), {
    kind: 'tpcvision-pedestal-stats',
    version: stats.version,
    tool: { name: 'tpcvision', version: toolVersion() },
    config: stats.config,
    frameCount: stats.frameCount,
    extrema: stats.extrema,
    files: { mean: 'mean.npy', mu: 'mu.npy', sigma: 'sigma.npy', ...(dark ? { dark: DARK_FILE } : {}) },
    sources: stats.sources,
  });
}

export function loadPedestalStats(dir: string): PedestalStats {
  const jsonPath = join(dir, 'stats.json');
  if (!existsSync(jsonPath)) throw new InputError(dir, 'not a pedestal-statistics directory (stats.json missing)');
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (err) {
    throw new InputError(jsonPath, `unreadable JSON: ${(err as Error).message}`);
  }
  if (meta.kind !== 'tpcvision-pedestal-stats') throw new InputError(jsonPath, 'not a pedestal-statistics file');
  if (meta.version !== PEDESTAL_STATS_VERSION) {
    throw new InputError(jsonPath, `version ${String(meta.version)} is not supported (expected ${PEDESTAL_STATS_VERSION})`);
  }
  const config = preprocessSchema.parse(meta.config);
  const { crop, analysisWidth: aw, analysisHeight: ah } = config;
  const load = (name: string, h: number, w: number): Float32Array => {
    const path = join(dir, name);
    const arr = readNpy(path);
    if (arr.dtype !== 'float32' || arr.shape.length !== 2 || arr.shape[0] !== h || arr.shape[1] !== w) {
      throw new InputError(path, `expected float32 (${h}, ${w}), got ${arr.dtype} (${arr.shape.join(', ')})`);
    }
    return arr.data as Float32Array;
  };
  const extrema = meta.extrema as PedestalStats['extrema'];
  return {
    version: PEDESTAL_STATS_VERSION,
    config,
    frameCount: Number(meta.frameCount),
    sources: (meta.sources as string[]) ?? [],
    meanCrop: load('mean.npy', crop.height, crop.width),
    extrema,
    mu: load('mu.npy', ah, aw),
    sigma: load('sigma.npy', ah, aw),
    rawInput: { dark: config.darkFrame === null ? null : loadDarkFrame(join(dir, DARK_FILE)), bin: config.bin },
  };
}
