import { describe, expect, it } from 'vitest';
import { mergeConfig, presetForSize, resolvePipelineConfig } from '../../src/config/pipeline.js';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { classicalScore } from '../../src/scores/classical.js';
import type { AnomalyScore } from '../../src/scores/score.js';
import { evaluateRun, type DataItem } from '../../src/evaluation/evaluate-run.js';
import { resolveLimeConfig } from '../../src/simulation/lime/config.js';
import { LimeSimulator } from '../../src/simulation/lime/simulator.js';
import { sequenceOf } from '../helpers/synthetic.js';

/** A "learned" score: the Gaussian score behind a model-time counter, as the autoencoder score keeps one. */
function timedScore(inner: AnomalyScore): AnomalyScore & { modelMs: number } {
  const s = {
    name: 'timed',
    description: 'gaussian behind a model-time counter',
    batchSize: 2,
    modelMs: 0,
    async scoreBatch(maps: Float32Array[], w: number, h: number) {
      const t0 = performance.now();
      const out = await inner.scoreBatch(maps, w, h);
      s.modelMs += performance.now() - t0;
      return out;
    },
  };
  return s;
}

describe('evaluateRun timing', () => {
  it('reports the model forward time per frame for learned scores only, within the score time', async () => {
    const size = 192;
    const sim = new LimeSimulator(resolveLimeConfig({ camera: { width: size, height: size }, events: { perFrame: 1 } }, 'test'), 5);
    const cfg = resolvePipelineConfig(mergeConfig(presetForSize(size), { roi: { closingRadius: 4 }, evaluation: { sweepPoints: 3 } }), 'test');
    const stats = await computePedestalStats(sequenceOf([0, 1, 2, 3, 4, 5].map((i) => sim.pedestalFrame(i))), cfg.preprocess);
    const gauss = classicalScore('gaussian', stats, cfg.score);
    const timed = timedScore(classicalScore('gaussian', stats, cfg.score));
    const items: DataItem[] = [0, 1, 2].map((i) => {
      const { frame, truth } = sim.dataFrame(i, [2 * i, 2 * i + 1]);
      return { frame, truth: JSON.parse(JSON.stringify(truth)) as DataItem['truth'] }; // as read back from its truth file
    });
    const data = sequenceOf(items);
    const methods = [gauss, timed].map((score) => ({ score, tau: 5, sweepTaus: [4, 5, 6] }));
    const result = await evaluateRun({ data, stats, methods, config: cfg });

    const [g, t] = result.methods;
    expect(g.msPerFrame.model).toBeUndefined();
    expect(t.msPerFrame.model).toBeGreaterThan(0);
    expect(t.msPerFrame.model!).toBeLessThanOrEqual(t.msPerFrame.score);
    // every frame went through the counter once, so the per-frame figure is its total over the frames
    expect(t.msPerFrame.model!).toBeCloseTo(timed.modelMs / result.frames, 6);
    // the wrapper changes timing only, never the result
    expect(t.meanCoverage).toBe(g.meanCoverage);
    expect(t.meanAreaCut).toBe(g.meanAreaCut);
  });
});
