import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { runOasisQuality } from '../../src/study/oasis-quality.js';
import { readMigdalFeather } from '../../src/io/feather.js';

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

  it('a test bin adds hybrids in its energy range; resuming reuses matching simulations and redoes changed ones', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'oasis-quality-bin-'));
    const lines: string[] = [];
    const options = {
      outDir,
      seed: 3,
      trainEvents: 2,
      testEvents: 2,
      epochs: 1,
      base: 8,
      batchSize: 4,
      presets: ['nominal' as const],
      migdal: { image: { width: 32, height: 16, pixelMm: 2.5 } },
      testBin: { events: 3, loKeV: 4, hiKeV: 5 },
      resume: true,
      log: (l: string) => lines.push(l),
    };
    try {
      const r = await runOasisQuality(options);
      expect(r.entries[0].testEvents).toBe(2 + 2 + 3);
      const bin = readMigdalFeather(join(outDir, 'test-bin', 'migdal.feather')).samples;
      expect(bin).toHaveLength(3);
      for (const b of bin) {
        expect(b.kind).toBe('hybrid');
        expect(b.erEnergyKeV).toBeGreaterThanOrEqual(4);
        expect(b.erEnergyKeV).toBeLessThan(5);
      }
      const testRun = join(outDir, 'test', 'run.json');
      const before = statSync(testRun).mtimeMs;
      lines.length = 0;
      // same settings: both simulations reused, the finished training resumed (nothing to train)
      const again = await runOasisQuality(options);
      expect(lines.filter((l) => l.includes('reusing the simulated set'))).toHaveLength(3); // train, test, test-bin
      expect(statSync(testRun).mtimeMs).toBe(before);
      expect(again.entries[0].medianDeltaI).toBe(r.entries[0].medianDeltaI);
      // a changed test count is simulated again, not reused
      lines.length = 0;
      await runOasisQuality({ ...options, testEvents: 3 });
      expect(lines.some((l) => l.startsWith('simulated test:'))).toBe(true);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
