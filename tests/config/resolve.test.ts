import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/core/errors.js';
import { mergeConfig, resolveConfig, sourceOf } from '../../src/config/resolve.js';
import { defaultOf, describeDefault, formatDefault } from '../../src/config/describe-default.js';
import { FEATURE_SCHEMAS } from '../../src/config/index.js';
import { geometryForFrame, geometryForSize, pipelineSchema, presetForFrame, presetForSize, resolvePipelineConfig } from '../../src/config/pipeline.js';
import { injectionSchema, resolveTrainingConfig, trainingSchema } from '../../src/config/training.js';
import { resolveOasisConfig } from '../../src/config/oasis.js';
import { resolveLimeConfig } from '../../src/config/lime.js';
import { resolveMigdalConfig } from '../../src/config/migdal.js';

type Json = unknown;
const plain = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Naive reference: the union of keys; a key in both merges if both sides are objects, else `over` wins. */
function naiveMerge(base: Json, over: Json): Json {
  if (over === undefined) return base;
  if (!(plain(base) && plain(over))) return over;
  const keys = new Set([...Object.keys(base), ...Object.keys(over)]);
  const out: Record<string, Json> = {};
  for (const k of keys) {
    if (!(k in over)) out[k] = base[k];
    else if (!(k in base)) out[k] = over[k];
    else out[k] = naiveMerge(base[k], over[k]);
  }
  return out;
}

/** The migdal simulator's former merge (keys new to `base` copied, others merged), kept as a second reference. */
function migdalMergeBefore(base: Json, over: Json): Json {
  if (!plain(base) || !plain(over)) return over;
  const out: Record<string, Json> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = key in base ? migdalMergeBefore(base[key], value) : value;
  return out;
}

// small config-like trees over few keys, so that base and over share keys at several depths
const key = fc.constantFrom('a', 'b', 'c', 'd');
const leaf = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null), fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }));
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.dictionary(key, tie('tree'), { maxKeys: 4 })),
}));
const settings = { numRuns: 400, seed: 11 };

describe('mergeConfig', () => {
  it('equals the naive merge and modifies neither input', () => {
    fc.assert(
      fc.property(tree, tree, (base, over) => {
        const before = JSON.stringify([base, over]);
        expect(mergeConfig(base, over)).toEqual(naiveMerge(base, over));
        expect(JSON.stringify([base, over])).toBe(before);
      }),
      settings,
    );
  });

  it("equals the migdal simulator's former merge on JSON input (no undefined)", () => {
    fc.assert(
      fc.property(tree, tree, (base, over) => {
        expect(mergeConfig(base, over)).toEqual(migdalMergeBefore(base, over));
      }),
      settings,
    );
  });

  it('arrays replace, undefined keeps, a JSON "__proto__" key stays an own key', () => {
    expect(mergeConfig({ a: [1, 2, 3], b: 1 }, { a: [9], b: undefined })).toEqual({ a: [9], b: 1 });
    const merged = mergeConfig({ a: 1 }, JSON.parse('{"__proto__": {"x": 1}}')) as object;
    expect(Object.keys(merged)).toEqual(['a', '__proto__']);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });
});

describe('resolveConfig', () => {
  const schema = z.strictObject({
    a: z.strictObject({ b: z.number().default(1), c: z.array(z.number()).default([1, 2]) }).default({ b: 1, c: [1, 2] }),
    d: z.enum(['x', 'y']).default('x'),
  });

  it('merges defaults → file → flags, the later layer winning', () => {
    const cfg = resolveConfig(schema, [
      { source: 'my.json', value: { a: { b: 5, c: [7] } } },
      { source: 'command-line flags', value: { a: { b: 6 } } },
    ]);
    expect(cfg).toEqual({ a: { b: 6, c: [7] }, d: 'x' });
  });

  it('an error names the key and the file it came from', () => {
    const layers = [
      { source: 'my.json', value: { a: { b: 'five' } } },
      { source: 'command-line flags', value: { d: 'z' } },
    ];
    expect(() => resolveConfig(schema, layers)).toThrow(ConfigError);
    expect(() => resolveConfig(schema, layers)).toThrow(/^my\.json: a\.b: .*; command-line flags: d: /);
  });

  it('rejects an unknown key, naming its dotted path and its source', () => {
    expect(() => resolveConfig(schema, [{ source: 'my.json', value: { a: { bb: 2 } } }])).toThrow(/^my\.json: a\.bb: unknown key$/);
    expect(() => resolveConfig(schema, [{ source: 'my.json', value: JSON.parse('{"__proto__": {}}') }])).toThrow(/__proto__: unknown key/);
    expect(() => resolveConfig(schema, [{ source: 'my.json', value: [1] }])).toThrow(/my\.json: expected a JSON object, got an array/);
  });

  it('attributes a key to the layer that set it last, and a key no layer set to the last layer', () => {
    const layers = [
      { source: 'preset', value: { a: { b: 1 } } },
      { source: 'file', value: { a: { c: [1] } } },
      { source: 'flags', value: {} },
    ];
    expect(sourceOf(layers, ['a', 'b'])).toBe('preset');
    expect(sourceOf(layers, ['a', 'c', 0])).toBe('file');
    expect(sourceOf(layers, ['d'])).toBe('flags');
  });
});

describe('feature resolvers keep their results', () => {
  it('pipeline: a valid partial resolves as its direct parse did', () => {
    for (const partial of [{}, presetForSize(288), { roi: { tau: 0.1 }, evaluation: { energyBins: [1, 3] } }]) {
      expect(resolvePipelineConfig(partial)).toEqual(pipelineSchema.parse(partial));
    }
  });

  it('every feature schema resolves {} to its defaults', () => {
    expect(resolvePipelineConfig({})).toEqual(FEATURE_SCHEMAS.pipeline.parse({}));
    expect(resolveTrainingConfig({})).toEqual(FEATURE_SCHEMAS.training.parse({}));
    expect(resolveLimeConfig({})).toEqual(FEATURE_SCHEMAS.lime.parse({}));
    expect(resolveMigdalConfig({})).toEqual(FEATURE_SCHEMAS.migdal.parse({}));
    expect(resolveOasisConfig('nominal')).toEqual(FEATURE_SCHEMAS.oasis.parse({}));
  });
});

describe('training config: injection', () => {
  it('is part of the training config, settable, and defaults to the spec values', () => {
    const cfg = resolveTrainingConfig({ injection: { blobCount: [1, 2] } }, 'train.json');
    expect(cfg.injection).toEqual({ ...injectionSchema.parse({}), blobCount: [1, 2] });
    expect(resolveTrainingConfig({}).injection).toMatchObject({ faintProbability: 0.9, blobCount: [3, 5], trackSamples: 300 });
    expect(() => resolveTrainingConfig({ injection: { blobSigmas: [1, 2] } }, 'train.json')).toThrow(/train\.json: injection\.blobSigmas: unknown key/);
  });

  it('a model directory written before the key existed reads with the default injection', () => {
    const { injection, ...before } = trainingSchema.parse({});
    expect(trainingSchema.parse(before).injection).toEqual(injection);
  });
});

describe('defaults for help text', () => {
  it('reads a default by dotted key and formats it as typed', () => {
    expect(defaultOf(trainingSchema, 'epochs')).toBe(100);
    expect(defaultOf(pipelineSchema, 'calibration.targetFraction')).toBe(6.9e-3);
    expect(describeDefault('epochs', trainingSchema, 'epochs')).toBe('epochs (default 100)');
    expect(describeDefault('rate', trainingSchema, 'learningRate')).toBe('rate (default 1e-3)');
    expect(() => defaultOf(trainingSchema, 'epoch')).toThrow(/no default for 'epoch'/);
  });

  it('formats numbers, arrays and null', () => {
    expect([2e-4, 0.04, 0.75, 16, 0, 65535, 2e6].map(formatDefault)).toEqual(['2e-4', '0.04', '0.75', '16', '0', '65535', '2e6']);
    expect(formatDefault([22, 44, 66, 88])).toBe('22, 44, 66, 88');
    expect(formatDefault(null)).toBe('none');
  });
});

describe('cross-field checks', () => {
  it('name the layer that set the key', async () => {
    const { resolveLimeLayers } = await import('../../src/config/lime.js');
    const layers = [
      { source: 'lime.json', value: { events: { er: { spectrum: 'uniform', minKeV: 50, maxKeV: 10, rangeScale: 1, scattering: 1, kinksPerRange: 1 } } } },
      { source: 'command-line flags', value: { camera: { width: 64, height: 64 } } },
    ];
    expect(() => resolveLimeLayers(layers)).toThrow(/^lime\.json: events\.er\.minKeV\/maxKeV: the first value \(50\) exceeds the second \(10\)$/);
  });
});

describe('frame geometry presets (config/pipeline.ts geometryForFrame)', () => {
  /** The spec's proportions on one axis: margin 375/2304, crop 1525/2304, grid 1024 per 1525 crop px (multiple of 16). */
  const axis = (n: number) => {
    const side = Math.round((1525 * n) / 2304);
    return { margin: Math.round((375 * n) / 2304), side, grid: Math.max(16, 16 * Math.round((side * 1024) / 1525 / 16)) };
  };
  it('apply the spec proportions per axis: square sizes as before, CYGNO-04 4096×2304 → crop 2711×1525 at (667, 375), grid 1824×1024', () => {
    for (const [w, h] of [[2304, 2304], [576, 576], [4096, 2304], [512, 288], [300, 1000]]) {
      const g = geometryForFrame(w, h);
      const [x, y] = [axis(w), axis(h)];
      expect(g).toMatchObject({ frameWidth: w, frameHeight: h, crop: { x: x.margin, y: y.margin, width: x.side, height: y.side }, analysisWidth: x.grid, analysisHeight: y.grid });
      if (w === h) expect(geometryForSize(w)).toEqual(g);
    }
    expect(geometryForSize(2304)).toEqual(pipelineSchema.parse({}).preprocess); // the defaults are the full LIME frame's
    const c = presetForFrame(4096, 2304);
    expect([c.preprocess.crop, c.preprocess.analysisWidth, c.preprocess.analysisHeight, c.calibration.border]).toEqual([{ x: 667, y: 375, width: 2711, height: 1525 }, 1824, 1024, 50]);
  });
});
