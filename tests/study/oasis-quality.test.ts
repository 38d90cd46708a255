import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { runOasisQuality } from '../../src/study/oasis-quality.js';

describe('runOasisQuality (tiny)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('simulates, trains both presets on the same data and evaluates them on the same test set', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'oasis-quality-'));
    try {
      // 16×32 images with 2.5 mm pixels (16× coarser than MIGDAL's): a track is a few pixels
      const r = await runOasisQuality({
        outDir,
        seed: 2,
        trainEvents: 2,
        testEvents: 2,
        epochs: 1,
        base: 8,
        batchSize: 4,
        migdal: { image: { width: 32, height: 16, pixelMm: 2.5 } },
      });
      expect(r.entries.map((e) => e.preset)).toEqual(['unweighted', 'nominal']);
      for (const e of r.entries) {
        expect(e.testEvents).toBe(4); // 2 hybrid + 2 NR-only (nrOnlyFraction 0.5)
        expect(e.trainEvents + e.validationEvents).toBe(4);
      }
      for (const f of ['train/migdal.feather', 'test/migdal.feather', 'models/nominal/oasis-model.json', 'oasis-evaluation.json', 'oasis-report.html']) {
        expect(existsSync(join(outDir, f))).toBe(true);
      }
      expect(r.section.html).toContain('<svg');
      expect(Object.keys(r.secondsPerStep)).toEqual(['unweighted', 'nominal']);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
