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
import { evaluateShippedAutoencoders, evaluateShippedOasis, SHIPPED_AUTOENCODERS, SHIPPED_OASIS, shippedAutoencoders, shippedModelsRoot, shippedOasisModels } from '../../src/demo/shipped-models.js';
import { readModelInfo } from '../../src/training/model-dir.js';
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

const aeResults = JSON.parse(readFileSync(new URL('../../bench/results/trigger-quality-structured-100ep.json', import.meta.url), 'utf8')) as {
  commit: string;
  command: string;
  seed: number;
  runs: { noise: string; methods: { name: string; tau: number; meanCoverage: number; coverageAtReferenceCut: number }[] }[];
};

describe('shipped autoencoders', () => {
  const out = mkdtempSync(join(tmpdir(), 'tpcv-shipped-ae-'));
  beforeAll(async () => {
    await selectBackend({ prefer: 'native' });
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('are in models/, with provenance whose metrics are the benchmark result file\'s', () => {
    const models = shippedAutoencoders(root);
    expect(models.map((m) => m.name)).toEqual(SHIPPED_AUTOENCODERS.map((m) => m.name));
    const structured = aeResults.runs.find((r) => r.noise === 'structured')!;
    for (const m of models) {
      const p = JSON.parse(readFileSync(join(m.dir, 'PROVENANCE.json'), 'utf8'));
      const entry = structured.methods.find((x) => x.name === p.model)!;
      expect(p.trainedBy.command).toBe(aeResults.command);
      expect(p.trainedBy.commit).toBe(aeResults.commit);
      expect(p.trainedBy.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(p.camera).toEqual({ seed: aeResults.seed, size: 576, noise: 'structured' });
      expect([p.metrics.tau, p.metrics.meanCoverage, p.metrics.coverageAtReferenceCut]).toEqual([entry.tau, entry.meanCoverage, entry.coverageAtReferenceCut]);
      const info = readModelInfo(m.dir);
      expect([info.mode, info.epochsCompleted, info.width, info.height]).toEqual([p.model.replace('ae-', ''), 100, 256, 256]);
    }
  });

  it('perform on a fresh run of their camera: the refined model covers more than the baseline at its calibrated τ', async () => {
    const r = await evaluateShippedAutoencoders({ outDir: out, seed: 515151, calibrationPedestals: 12, events: 60, eventsPerFrame: 1.5 });
    expect(r).not.toBeNull();
    const by = Object.fromEntries(r!.study.evaluation.methods.map((m) => [m.name, m]));
    const [refined, baseline] = [by['ae-refined-shipped'], by['ae-baseline-shipped']];
    expect(refined.events).toBeGreaterThan(20);
    // each kept about the calibrated share of the grid (target 0.69% of pedestal pixels: area cut ≳ 90%)
    for (const m of [refined, baseline]) expect(m.meanAreaCut).toBeGreaterThan(0.9);
    expect(refined.meanCoverage).toBeGreaterThan(baseline.meanCoverage);
    expect(refined.meanCoverage).toBeGreaterThan(0.8);
  }, 600_000);
});
