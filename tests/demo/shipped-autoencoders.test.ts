/**
 * The demo's path for shipped autoencoders, on a tiny model trained here: a fresh run of the model's
 * own camera (camera seed from PROVENANCE.json), the model's frozen statistics, τ calibrated on fresh
 * pedestals, the model evaluated beside the classical scores. (The real shipped models are checked
 * in shipped-models.test.ts.)
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/select-backend.js';
import { runTriggerStudy } from '../../src/study/trigger-study.js';
import { evaluateShippedAutoencoders } from '../../src/demo/shipped-models.js';

describe('shipped autoencoders in the demo (tiny model)', () => {
  const root = mkdtempSync(join(tmpdir(), 'tpcv-shipped-ae-'));
  beforeAll(async () => {
    await selectBackend({ prefer: 'native' });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a fresh run of the model\'s camera, with its statistics, calibrated and evaluated beside the classical scores', async () => {
    // 1. "the benchmark": a tiny study on camera seed 3 trains a refined autoencoder
    const bench = await runTriggerStudy({ outDir: join(root, 'bench'), seed: 3, size: 288, trainingPedestals: 8, calibrationPedestals: 4, events: 4, autoencoderEpochs: 1 });
    const models = join(root, 'models');
    cpSync(join(bench.outDir, 'models', 'ae-refined'), join(models, 'ae-refined'), { recursive: true });
    const provenance = { model: 'ae-refined', trainedBy: { command: 'test', seed: 3, commit: 'test' }, camera: { seed: 3, size: 288, noise: 'structured' }, metrics: { coverageAtReferenceCut: 0.5 } };
    writeFileSync(join(models, 'ae-refined', 'PROVENANCE.json'), JSON.stringify(provenance));
    const model = { dir: join(models, 'ae-refined'), name: 'ae-refined-shipped' };

    // 2. the demo's evaluation on a new run (seed 99) of camera 3
    const r = await evaluateShippedAutoencoders({ outDir: join(root, 'demo'), seed: 99, calibrationPedestals: 4, events: 6, eventsPerFrame: 1.5, models: [model] });
    expect(r).not.toBeNull();
    const names = r!.study.evaluation.methods.map((m) => m.name);
    expect(names).toEqual(['gaussian', 'gaussian-rowcol', 'matched-filter', 'ae-refined-shipped']);
    const ae = r!.study.evaluation.methods[3];
    expect(Number.isFinite(ae.tau) && ae.tau > 0).toBe(true);
    // the run simulated camera 3 with run seed 99, and no training pedestals
    const run = JSON.parse(readFileSync(join(root, 'demo', 'sim', 'run.json'), 'utf8'));
    expect(run.config.camera.seed).toBe(3);
    expect(run.seed).toBe(99);
    expect(run.counts.pedestalFrames).toBe(4);
    // the model's own statistics were used, byte for byte
    for (const f of ['mean.npy', 'sigma.npy']) {
      if (existsSync(join(model.dir, 'stats', f))) expect(readFileSync(join(root, 'demo', 'stats', f)).equals(readFileSync(join(model.dir, 'stats', f)))).toBe(true);
    }
    expect(r!.section.html).toContain('ae-refined-shipped');
    expect(r!.section.html).toContain('camera seed 3');

    // 3. without the camera in PROVENANCE.json: a clear error naming the file
    writeFileSync(join(models, 'ae-refined', 'PROVENANCE.json'), JSON.stringify({ ...provenance, camera: undefined }));
    await expect(evaluateShippedAutoencoders({ outDir: join(root, 'demo2'), seed: 99, calibrationPedestals: 4, events: 2, eventsPerFrame: 1, models: [model] })).rejects.toThrow(/PROVENANCE\.json.*no camera/);
  }, 240_000);
});
