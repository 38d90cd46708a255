/**
 * The models shipped in models/ (bench/ship-models.ts) load, carry their provenance, and perform on
 * a freshly simulated test set, as `tpcvision demo` uses them. The figures in PROVENANCE.json must be
 * the benchmark's own (bench/results/oasis-quality-full.json), never typed in.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/select-backend.js';
import { evaluateShippedOasis, SHIPPED_OASIS, shippedModelsRoot, shippedOasisModels } from '../../src/demo/shipped-models.js';
import { loadOasisModel } from '../../src/overlap/model-dir.js';

const root = shippedModelsRoot();
const results = JSON.parse(readFileSync(new URL('../../bench/results/oasis-quality-full.json', import.meta.url), 'utf8')) as {
  commit: string;
  entries: { preset: string; medianDeltaI_4to5keV: number | null; iou: number | null; nrOnlyFpRate: number | null; testEvents: number }[];
};

describe('shipped OASIS models', () => {
  const out = mkdtempSync(join(tmpdir(), 'tpcv-shipped-'));
  beforeAll(async () => {
    await selectBackend({ prefer: 'native' });
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('are in models/, with provenance whose metrics are the benchmark result file\'s', () => {
    expect(root).not.toBeNull();
    const models = shippedOasisModels(root);
    expect(models.map((m) => m.name)).toEqual(SHIPPED_OASIS.map((m) => m.name));
    for (const m of models) {
      const p = JSON.parse(readFileSync(join(m.dir, 'PROVENANCE.json'), 'utf8'));
      const preset = p.model.replace('oasis-', '');
      const entry = results.entries.find((e) => e.preset === preset)!;
      expect(p.trainedBy.command).toBe('node dist/bench/oasis-quality.js --full');
      expect(p.trainedBy.commit).toBe(results.commit);
      expect(p.trainedBy.commit).toMatch(/^[0-9a-f]{40}$/); // a clean checkout ran the benchmark
      expect(p.metrics.medianDeltaI_4to5keV).toBe(entry.medianDeltaI_4to5keV);
      expect(p.metrics.iou).toBe(entry.iou);
      expect(p.metrics.nrOnlyFpRate).toBe(entry.nrOnlyFpRate);
      const { model, meta } = loadOasisModel(m.dir);
      expect(meta.preset).toBe(preset);
      expect(meta.window).toEqual({ height: 128, width: 128 });
      model.dispose();
    }
  });

  it('perform on a fresh 288×512 test set: finite 4–5 keV medians, nominal within ±50%, IoU well above chance', async () => {
    const r = await evaluateShippedOasis({ outDir: out, seed: 424242, events: 60, binEvents: 20 });
    expect(r).not.toBeNull();
    const byName = Object.fromEntries(r!.entries.map((e) => [e.preset, e]));
    for (const e of r!.entries) {
      expect(e.testEvents).toBe(60 + 60 + 20);
      expect(Number.isFinite(e.medianDeltaI_4to5keV)).toBe(true);
      expect(e.iou).toBeGreaterThan(0.4);
    }
    expect(Math.abs(byName.nominal.medianDeltaI_4to5keV!)).toBeLessThan(0.5);
    expect(byName.nominal.nrOnlyFpRate).toBeLessThan(0.1);
    tf.disposeVariables();
  });
});
