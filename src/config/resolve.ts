/**
 * The one configuration resolver: layers (defaults → preset → file → flags) deep-merged, then parsed
 * by a strict zod schema, with one error message format that names the dotted key and the layer the
 * bad value came from (the file, or 'command-line flags'), so a user knows where to fix it.
 *
 * In: a schema and the user's layers, each a plain JSON object (or nothing) with its source. Out: the
 * parsed configuration. Ignored: cross-field checks (crop inside the frame, lo ≤ hi of a range); each
 * feature's resolve function adds them after the parse, naming the source with `sourceOf`.
 *
 * Merge rule: plain objects merge key by key; arrays, tuples, scalars and null replace; undefined
 * means "not given" and keeps the value underneath. Unknown keys are carried into the merge so the
 * strict parse rejects them by name.
 */
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { describeProblems, zodProblems, type ConfigProblem } from '../core/zod-problems.js';

/** One layer of a configuration: a partial JSON object and where it came from. */
export interface ConfigLayer {
  /** Named in error messages: a file path, 'command-line flags', 'preset nominal', … */
  source: string;
  value: unknown;
}

type Plain = Record<string, unknown>;

export const isPlainObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of plain objects (arrays and scalars replace; undefined keeps `base`). Neither input is modified. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const merged = mergeConfig(Object.hasOwn(base, key) ? base[key] : undefined, value);
    // defineProperty, not assignment: a JSON key "__proto__" stays an own (hence unknown, rejected) key
    Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const defaultsCache = new WeakMap<z.ZodType, unknown>();

/** The schema's defaults (its parse of {}), computed once per schema; callers must not modify it. */
export function schemaDefaults<S extends z.ZodType>(schema: S): z.output<S> {
  if (!defaultsCache.has(schema)) defaultsCache.set(schema, schema.parse({}));
  return defaultsCache.get(schema) as z.output<S>;
}

/** How many leading keys of `path` are present in `value`. */
function depthIn(value: unknown, path: readonly PropertyKey[]): number {
  let node = value;
  let depth = 0;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) break;
    node = (node as Plain)[key as string];
    depth++;
  }
  return depth;
}

/**
 * The layer responsible for the value at `path`: the one that reaches deepest into it, the later one
 * on a tie (it replaced the earlier). A key no layer mentions belongs to the last layer.
 */
export function sourceOf(layers: readonly ConfigLayer[], path: readonly PropertyKey[]): string {
  let best = layers.length - 1;
  let bestDepth = 0;
  layers.forEach((layer, i) => {
    const d = depthIn(layer.value, path);
    if (d > 0 && d >= bestDepth) [best, bestDepth] = [i, d];
  });
  return layers[best]?.source ?? 'configuration';
}

/**
 * One ConfigError for all problems, grouped by the layer each came from:
 * `my.json: camera.pedestalMeen: unknown key; command-line flags: epochs: …`.
 */
export function configError(layers: readonly ConfigLayer[], problems: readonly ConfigProblem[]): ConfigError {
  const bySource = new Map<string, ConfigProblem[]>();
  for (const p of problems) {
    const source = sourceOf(layers, p.path);
    bySource.set(source, [...(bySource.get(source) ?? []), p]);
  }
  return new ConfigError([...bySource].map(([source, ps]) => `${source}: ${describeProblems(ps)}`).join('; '));
}

/**
 * Resolve a configuration: 1. check every layer is a JSON object (or nothing); 2. merge the layers
 * over the schema's defaults in order; 3. strict parse; every problem names its key and its layer.
 */
export function resolveConfig<S extends z.ZodType>(schema: S, layers: readonly ConfigLayer[]): z.output<S> {
  for (const { source, value } of layers) {
    if (value !== undefined && value !== null && !isPlainObject(value)) {
      throw new ConfigError(`${source}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
    }
  }
  const merged = layers.reduce<unknown>((acc, layer) => mergeConfig(acc, layer.value ?? {}), schemaDefaults(schema));
  const result = schema.safeParse(merged);
  if (!result.success) throw configError(layers, zodProblems(result.error));
  return result.data;
}

/**
 * Cross-field checks after the parse (a range's lo ≤ hi, a profile's radii): problems are collected
 * by dotted key and thrown together by `done`, each naming the layer that set the key.
 */
export class ConfigChecks {
  private readonly problems: ConfigProblem[] = [];

  constructor(private readonly layers: readonly ConfigLayer[]) {}

  problem(key: string, message: string): void {
    this.problems.push({ path: key.split('.'), message });
  }

  /** A range given as its two ends. */
  range(key: string, lo: number, hi: number): void {
    if (!(lo <= hi)) this.problem(key, `the first value (${lo}) exceeds the second (${hi})`);
  }

  /** Radii of a piecewise profile: from 0, strictly increasing. */
  radiiFromZero(key: string, radii: readonly number[]): void {
    if (radii[0] !== 0 || radii.some((r, i) => i > 0 && !(r > radii[i - 1]))) this.problem(key, 'radii must start at 0 and increase');
  }

  done(): void {
    if (this.problems.length > 0) throw configError(this.layers, this.problems);
  }
}
