import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { resolveOasisConfig } from '../../src/config/oasis.js';
import { trainOasis } from '../../src/overlap/train.js';
import { evaluateOasisRun } from '../../src/study/oasis-evaluate-run.js';
import { deltaIVsEnergySpec } from '../../src/report/oasis-section.js';
import { tinySamples } from '../overlap/fixtures.js';
import { expectSummaryMatchesNaive, naiveModelEvents } from '../overlap/reference.js';
import { loadOasisModel } from '../../src/overlap/model-dir.js';
import type { MetricsSummary } from '../../src/overlap/metrics.js';

describe('oasis evaluation', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('evaluates two trained models on a test set: JSON entries per preset and an HTML report with charts and panels', async () => {
    const train = tinySamples(3, 11);
    const test = tinySamples(4, 12);
    const dirs: string[] = [];
    for (const preset of ['unweighted', 'nominal'] as const) {
      const dir = mkdtempSync(join(tmpdir(), `oasis-${preset}-`));
      const config = resolveOasisConfig(preset, { training: { base: 8, batchSize: 2, epochs: 1 } });
      const r = await trainOasis({ samples: train, config, preset, seed: 3, outDir: dir });
      r.model.dispose();
      dirs.push(dir);
    }
    const out = mkdtempSync(join(tmpdir(), 'oasis-eval-'));
    const r = await evaluateOasisRun({ modelDirs: dirs, samples: test, outDir: out, examples: 1 });
    const json = JSON.parse(readFileSync(r.json, 'utf8'));
    expect(json.entries.map((e: { preset: string }) => e.preset)).toEqual(['unweighted', 'nominal']);
    for (const e of json.entries) {
      for (const k of ['medianDeltaI_4to5keV', 'iqrDeltaI_4to5keV', 'iou', 'nrOnlyFpRate', 'angleResolutionDeg', 'trainEvents', 'testEvents', 'bins']) expect(e).toHaveProperty(k);
      expect(e.testEvents).toBe(4);
      expect(e.trainEvents).toBe(2); // 3 samples, 1 validates
      expect(e.bins).toHaveLength(11);
      expect(e.hybridEvents).toBe(2);
    }
    // each entry's figures are the naive ones on its own model's predictions (no mix-up of models)
    json.entries.forEach((e: MetricsSummary, k: number) => {
      const { model } = loadOasisModel(dirs[k], { width: 32, height: 16 });
      expectSummaryMatchesNaive(e, naiveModelEvents(model, test), 1e-4, 1e-3);
      model.dispose();
    });
    const html = readFileSync(r.html, 'utf8');
    expect(html).toContain('<svg');
    expect(html.match(/data:image\/png;base64/g)?.length).toBe(2 * 5); // one example × 5 maps per model
    expect(r.section.title).toMatch(/OASIS/);
    const spec = deltaIVsEnergySpec(r.entries) as { data: { values: { model: string }[] } };
    expect(new Set(spec.data.values.map((v) => v.model))).toEqual(new Set(['unweighted', 'nominal']));
  });
});
