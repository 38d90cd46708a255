/**
 * Flags and configuration as the commands see them: defaults → size preset → --config file → flags,
 * resolved and validated in one place (unknown keys and wrong types are errors naming the key), and
 * the small parsers every command shares. A bad flag value is a UsageError naming the flag.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, InputError, UsageError } from '../core/errors.js';
import { presetForFrame, resolvePipelineLayers, type PipelineConfig } from '../config/pipeline.js';
import type { ConfigLayer } from '../config/resolve.js';
import type { PedestalStats } from '../preprocessing/index.js';
import { CLASSICAL_SCORES } from '../scores/classical.js';

export function readConfigFile(path: string | undefined): unknown {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${path}: cannot read configuration JSON: ${(err as Error).message}`);
  }
}

/** How configuration errors name the values given as flags. */
export const FLAGS = 'command-line flags';

/** The --config file as a configuration layer (its `section` only, when given); no file, no values. */
export function fileLayer(path: string | undefined, section?: string): ConfigLayer {
  const value = readConfigFile(path) as Record<string, unknown> | null;
  if (!section) return { source: path ?? 'configuration', value };
  return { source: `${path} (section "${section}")`, value: value?.[section] };
}

export const SIZE_PRESETS: Record<string, number> = { full: 2304, half: 1152, quarter: 576, eighth: 288 };

/** Frame sizes of `simulate lime --size`: the square presets and sides, and W×H ones (cygno04 = 4096×2304, CYGNO-04's ORCA-Quest). */
export const FRAME_PRESETS: Record<string, { width: number; height: number }> = { cygno04: { width: 4096, height: 2304 } };

/** A frame size: a SIZE_PRESETS name or side (square), a FRAME_PRESETS name, or WxH (e.g. 4096x2304). */
export function parseFrameSize(value: string): { width: number; height: number } {
  const preset = FRAME_PRESETS[value];
  if (preset) return preset;
  const m = /^(\d+)[x×](\d+)$/.exec(value);
  if (m) {
    const [width, height] = [Number(m[1]), Number(m[2])];
    if (width < 64 || height < 64) throw new UsageError('--size', `sides must be ≥ 64, got '${value}'`);
    return { width, height };
  }
  const side = parseSize(value);
  return { width: side, height: side };
}

export function parseSize(value: string): number {
  const preset = SIZE_PRESETS[value];
  if (preset) return preset;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 64) {
    throw new UsageError('--size', `must be one of ${Object.keys(SIZE_PRESETS).join(', ')} or an integer ≥ 64, got '${value}'`);
  }
  return n;
}

/** Resolve the pipeline configuration for frames of `frameSize` px (square) with user overrides. */
/** `frame`: a square frame's side, or width and height; undefined or LIME's 2304² = the defaults. */
export function pipelineConfig(frame: number | { width: number; height: number } | undefined, configFile: string | undefined, flags: unknown = {}): PipelineConfig {
  const f = typeof frame === 'number' ? { width: frame, height: frame } : frame;
  const preset = f !== undefined && (f.width !== 2304 || f.height !== 2304) ? [{ source: `size preset ${f.width}×${f.height} px`, value: presetForFrame(f.width, f.height) }] : [];
  return resolvePipelineLayers([...preset, fileLayer(configFile), { source: FLAGS, value: flags }]);
}

/** Pipeline config for work on frames described by existing pedestal statistics. */
export function configForStats(stats: PedestalStats, configFile: string | undefined, flags: unknown): PipelineConfig {
  const cfg = pipelineConfig({ width: stats.config.frameWidth, height: stats.config.frameHeight }, configFile, flags);
  return { ...cfg, preprocess: stats.config };
}

export function parseNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(name, `must be a number, got '${value}'`);
  return n;
}

/** An integer flag (seeds, epochs, widths); undefined when the flag was not given. */
export function parseInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(flag, `must be an integer, got '${value}'`);
  return n;
}

/** A non-negative integer flag (frame or event counts). */
export function parseCount(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new UsageError(flag, `must be a non-negative integer, got '${value}'`);
  return n;
}

/** `--engine`: the tfjs backend to prefer. */
export function parseEngine(value: string): 'native' | 'cpu' {
  if (value !== 'native' && value !== 'cpu') throw new UsageError('--engine', `must be native or cpu, got '${value}'`);
  return value;
}

/** `--model name=dir` values → a map from score name to model directory. */
export function parseModels(values: string[] | undefined): Map<string, string> {
  const models = new Map<string, string>();
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InputError('--model', `expected NAME=DIR (e.g. ae-refined=models/refined), got '${v}'`);
    models.set(v.slice(0, eq), v.slice(eq + 1));
  }
  return models;
}

/** `--score` names must be classical scores, 'all' (where `allowAll`) or a NAME given with --model. */
export function checkScoreNames(names: string[], models: Map<string, string>, allowAll: boolean): void {
  const known = [...CLASSICAL_SCORES, ...(allowAll ? ['all'] : []), ...models.keys()];
  for (const n of names) {
    if (!known.includes(n)) throw new UsageError('--score', `names an unknown score '${n}' (available: ${known.join(', ')}, or a NAME=DIR given with --model)`);
  }
}

/** Drop undefined leaves so flags the user did not give do not override anything. */
export function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const inner = defined(v as Record<string, unknown>);
      if (Object.keys(inner).length) out[k] = inner;
    } else out[k] = v;
  }
  return out as Partial<T>;
}
