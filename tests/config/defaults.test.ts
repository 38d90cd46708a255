/**
 * Every schema listed in config/index.ts resolves {} to its defaults; the defaults moved into
 * src/config by issue 11 keep the values (and key order, which provenance JSON records) they had as
 * literals in their modules; the new sections reject unknown keys naming the key and the layer.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { describeDefault } from '../../src/config/describe-default.js';
import {
  DEMO_DEFAULTS,
  demoSchema,
  FEATHER_DEFAULTS,
  FEATURE_SCHEMAS,
  OASIS_STUDY_DEFAULTS,
  PREPARATION_DEFAULTS,
  REPORT_DEFAULTS,
  resolveConfig,
  schemaDefaults,
  SIMULATE_RUN_DEFAULTS,
  TRIGGER_STUDY_DEFAULTS,
} from '../../src/config/index.js';

/** The ConfigError message of resolving `value` from the file 'user.json' over `schema`. */
function errorOf(schema: Parameters<typeof resolveConfig>[0], value: unknown): string {
  try {
    resolveConfig(schema, [{ source: 'user.json', value }]);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('resolved without an error');
}

describe('defaults in src/config', () => {
  it('every listed schema resolves {} (and no layer at all) to its defaults', () => {
    for (const [name, schema] of Object.entries(FEATURE_SCHEMAS)) {
      const defaults = schemaDefaults(schema);
      expect(defaults, name).toBeTypeOf('object');
      expect(resolveConfig(schema, [{ source: 'user.json', value: {} }]), name).toEqual(defaults);
      expect(resolveConfig(schema, []), name).toEqual(defaults);
    }
    expect(Object.keys(FEATURE_SCHEMAS)).toEqual(
      expect.arrayContaining(['pipeline', 'training', 'lime', 'migdal', 'oasis', 'overlapSample', 'report', 'simulateRun', 'triggerStudy', 'oasisStudy', 'demo']),
    );
  });

  it('the moved values are the literals they replace, in the same key order', () => {
    // core/overlap-sample.ts DEFAULT_PREPARE
    expect(Object.entries(PREPARATION_DEFAULTS)).toEqual(
      Object.entries({ truthCutAdu: 1, percentile: 99, guard: 'floor', minCoverage: 0.01, sFloorAdu: 10, padPx: 3 }),
    );
    // io/feather.ts DEFAULT_INPUT_ZERO_SUPPRESS_ADU; io/feather-migdal-simulator.ts aduPerCount ?? 1
    expect(FEATHER_DEFAULTS).toEqual({ inputZeroSuppressAdu: 10, simulatorAduPerCount: 1 });
    // calibration/calibrate.ts scoreQuantile's 4_000_000
    expect(schemaDefaults(FEATURE_SCHEMAS.pipeline).calibration.quantileSamplePixels).toBe(4_000_000);
    // report/panels.ts 384, 'magma'; report/tables.ts limit = 200; overlap/evaluate.ts examples ?? 3
    expect(REPORT_DEFAULTS).toEqual({ panelMaxWidth: 384, scoreColormap: 'magma', lowCoverageRows: 200, oasisExamples: 3 });
    // cli/commands/simulate-lime.ts --pedestals '20' --events '50'; simulate-migdal.ts --events '100'
    expect(SIMULATE_RUN_DEFAULTS).toEqual({ lime: { pedestals: 20, events: 50 }, migdal: { events: 100 } });
    // study/trigger-study.ts STUDY_DEFAULTS (recorded as provenance.study in evaluation.json: order matters)
    expect(Object.entries(TRIGGER_STUDY_DEFAULTS)).toEqual(
      Object.entries({ size: 576, trainingPedestals: 40, calibrationPedestals: 20, events: 150, autoencoderEpochs: 4, noise: 'structured' }),
    );
    // study/oasis-quality.ts presets ?? […], nrOnlyFraction ?? 0.5
    expect(OASIS_STUDY_DEFAULTS).toEqual({ presets: ['unweighted', 'nominal'], nrOnlyFraction: 0.5 });
    // demo/run-demo.ts DEMO_DEFAULTS and DEMO_OASIS
    expect(Object.entries(DEMO_DEFAULTS.study)).toEqual(
      Object.entries({ size: 576, trainingPedestals: 32, calibrationPedestals: 20, events: 150, eventsPerFrame: 1.5, autoencoderEpochs: 4 }),
    );
    expect(JSON.stringify(DEMO_DEFAULTS.oasis)).toBe(
      JSON.stringify({ trainEvents: 24, testEvents: 40, epochs: 3, base: 8, batchSize: 8, testBinEvents: 10, shipped: { events: 100, binEvents: 20 }, migdal: { image: { width: 64, height: 32, pixelMm: 1.25 } } }),
    );
    expect(describeDefault('epochs', demoSchema, 'study.autoencoderEpochs')).toBe('epochs (default 4)');
  });

  it('the new sections reject unknown keys and wrong types, naming the key and the layer', () => {
    expect(errorOf(FEATURE_SCHEMAS.overlapSample, { preparation: { padPix: 2 } })).toMatch(/^user\.json: preparation\.padPix: unknown key/);
    expect(errorOf(FEATURE_SCHEMAS.overlapSample, { preparation: { guard: 'ceiling' } })).toMatch(/user\.json: preparation\.guard/);
    expect(errorOf(FEATURE_SCHEMAS.overlapSample, { feather: { inputZeroSupress: 3 } })).toMatch(/user\.json: feather\.inputZeroSupress: unknown key/);
    expect(errorOf(FEATURE_SCHEMAS.report, { panelMaxWidht: 300 })).toMatch(/user\.json: panelMaxWidht: unknown key/);
    expect(errorOf(FEATURE_SCHEMAS.report, { lowCoverageRows: -1 })).toMatch(/user\.json: lowCoverageRows/);
    expect(errorOf(FEATURE_SCHEMAS.simulateRun, { lime: { frames: 3 } })).toMatch(/user\.json: lime\.frames: unknown key/);
    expect(errorOf(FEATURE_SCHEMAS.triggerStudy, { pedestals: 3 })).toMatch(/user\.json: pedestals: unknown key/);
    expect(errorOf(FEATURE_SCHEMAS.oasisStudy, { presets: ['heavy'] })).toMatch(/user\.json: presets\.0/);
    expect(errorOf(FEATURE_SCHEMAS.demo, { study: { event: 3 } })).toMatch(/user\.json: study\.event: unknown key/);
    expect(errorOf(FEATURE_SCHEMAS.demo, { oasis: { migdal: { image: { depth: 1 } } } })).toMatch(/user\.json: oasis\.migdal\.image\.depth: unknown key/);
    expect(errorOf(FEATURE_SCHEMAS.pipeline, { calibration: { quantileSamplePixels: 0 } })).toMatch(/user\.json: calibration\.quantileSamplePixels/);
  });

  it('a partial layer keeps the other defaults', () => {
    const cfg = resolveConfig(FEATURE_SCHEMAS.overlapSample, [{ source: 'user.json', value: { preparation: { padPx: 1 } } }]);
    expect(cfg.preparation).toEqual({ ...PREPARATION_DEFAULTS, padPx: 1 });
    expect(cfg.feather).toEqual(FEATHER_DEFAULTS);
  });
});
