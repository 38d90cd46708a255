/**
 * Configuration as the commands see it: defaults → size preset → --config file → flags, resolved and
 * validated in one place (unknown keys and wrong types are errors naming the key).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';
import { mergeConfig, presetForSize, resolvePipelineConfig, type PipelineConfig } from '../config/pipeline.js';

export function readConfigFile(path: string | undefined): unknown {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${path}: cannot read configuration JSON: ${(err as Error).message}`);
  }
}

export const SIZE_PRESETS: Record<string, number> = { full: 2304, half: 1152, quarter: 576, eighth: 288 };

export function parseSize(value: string): number {
  const preset = SIZE_PRESETS[value];
  if (preset) return preset;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 64) {
    throw new ConfigError(`--size must be one of ${Object.keys(SIZE_PRESETS).join(', ')} or an integer ≥ 64, got '${value}'`);
  }
  return n;
}

/** Resolve the pipeline configuration for frames of `frameSize` px (square) with user overrides. */
export function pipelineConfig(frameSize: number | undefined, configFile: string | undefined, flags: unknown = {}): PipelineConfig {
  let cfg: unknown = {};
  if (frameSize !== undefined && frameSize !== 2304) cfg = presetForSize(frameSize);
  cfg = mergeConfig(cfg, readConfigFile(configFile));
  cfg = mergeConfig(cfg, flags);
  return resolvePipelineConfig(cfg, configFile ?? 'configuration');
}

export function parseNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got '${value}'`);
  return n;
}

/** A non-negative integer flag (frame or event counts). */
export function parseCount(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new ConfigError(`${flag} must be a non-negative integer, got '${value}'`);
  return n;
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
