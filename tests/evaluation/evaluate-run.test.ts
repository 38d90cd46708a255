import { describe, expect, it } from 'vitest';
import { presetForSize, resolvePipelineConfig } from '../../src/config/pipeline.js';
import { mergeConfig } from '../../src/config/resolve.js';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { classicalScore } from '../../src/scores/classical.js';
import type { AnomalyScore } from '../../src/scores/score.js';
import { evaluateRun, type DataItem } from '../../src/evaluation/evaluate-run.js';
import { resolveLimeConfig } from '../../src/config/lime.js';
import { LimeSimulator } from '../../src/simulation/lime/simulator.js';
import { sequenceOf } from '../helpers/synthetic.js';
import { InputError } from '../../src/core/errors.js';
import { preprocessFrame } from '../../src/preprocessing/preprocess.js';
import { closeMask } from '../../src/roi/closing.js';
import { thresholdMap } from '../../src/roi/threshold.js';
import { coverage, projectTruth } from '../../src/evaluation/truth.js';
import { coverageAtAreaCut } from '../../src/evaluation/accumulate.js';

/**
 * A "learned" score: the Gaussian score behind a model-time counter, as the autoencoder score keeps
 * one. The counter advances by a fixed 7 ms per batch (not the wall clock), so the reported figure is
 * known exactly.
 */
function timedScore(inner: AnomalyScore): AnomalyScore & { modelMs: number } {
  const s = {
    name: 'timed',
    description: 'gaussian behind a model-time counter',
    batchSize: 2,
    modelMs: 0,
    async scoreBatch(maps: Float32Array[], w: number, h: number) {
      const out = await inner.scoreBatch(maps, w, h);
      s.modelMs += 7;
      return out;
    },
  };
  return s;
}

describe('evaluateRun timing', () => {
  it('reports the model forward time per frame for learned scores only: the counter\'s total over the frames', async () => {
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
    // 3 frames in batches of 2 (the largest batch size of the methods): 2 batches × 7 ms over 3 frames
    expect(timed.modelMs).toBe(14);
    expect(t.msPerFrame.model).toBeCloseTo(14 / 3, 12);
    // the wrapper changes timing only, never the result
    expect(t.meanCoverage).toBe(g.meanCoverage);
    expect(t.meanAreaCut).toBe(g.meanAreaCut);
  });
});

describe('evaluateRun results', () => {
  const size = 192;
  const sim = new LimeSimulator(resolveLimeConfig({ camera: { width: size, height: size }, events: { perFrame: 1 } }, 'test'), 9);
  const cfg = resolvePipelineConfig(
    mergeConfig(presetForSize(size), { roi: { closingRadius: 3 }, evaluation: { sweepPoints: 3, referenceAreaCut: 0.9 } }),
    'test',
  );
  const items: DataItem[] = [0, 1, 2].map((i) => {
    const { frame, truth } = sim.dataFrame(i, [i]);
    return { frame, truth: JSON.parse(JSON.stringify(truth)) as DataItem['truth'] };
  });

  it('area cuts and coverages equal threshold + closing by hand, at τ and along the sweep; coverage quoted at the configured cut', async () => {
    const stats = await computePedestalStats(sequenceOf([0, 1, 2, 3].map((i) => sim.pedestalFrame(i))), cfg.preprocess);
    const score = classicalScore('gaussian', stats, cfg.score);
    const sweepTaus = [3, 5, 8];
    const result = await evaluateRun({ data: sequenceOf(items), stats, methods: [{ score, tau: 5, sweepTaus }], config: cfg });
    const [m] = result.methods;

    // reference: every frame by hand with the two ROI steps and the truth projection
    const { analysisWidth: w, analysisHeight: h } = stats.config;
    const areaCut = (tau: number, map: Float32Array) => {
      const mask = closeMask(thresholdMap(map, tau), w, h, 3);
      return { mask, cut: 1 - mask.reduce((a, v) => a + v, 0) / (w * h) };
    };
    const cutSums = sweepTaus.map(() => 0);
    const covs: number[] = [];
    let opCut = 0;
    for (const { frame, truth } of items) {
      const [s] = await score.scoreBatch([preprocessFrame(frame, stats)], w, h);
      const events = projectTruth(truth, stats.config, cfg.evaluation.containmentBorder);
      const op = areaCut(5, s);
      opCut += op.cut;
      covs.push(...events.map((e) => coverage(e, op.mask)));
      sweepTaus.forEach((tau, k) => (cutSums[k] += areaCut(tau, s).cut));
    }
    expect(m.meanAreaCut).toBe(opCut / 3);
    expect(result.perEvent.map((r) => r.coverage)).toEqual(covs);
    expect(m.sweep.map((p) => p.meanAreaCut)).toEqual(cutSums.map((c) => c / 3));
    expect(m.referenceAreaCut).toBe(0.9);
    expect(m.coverageAtReferenceCut).toBe(coverageAtAreaCut(m.sweep, 0.9));
  });

  it('an empty data run is an InputError, not a crash', async () => {
    const stats = await computePedestalStats(sequenceOf([0, 1].map((i) => sim.pedestalFrame(i))), cfg.preprocess);
    const methods = [{ score: classicalScore('gaussian', stats, cfg.score), tau: 5, sweepTaus: [5] }];
    await expect(evaluateRun({ data: sequenceOf<DataItem>([]), stats, methods, config: cfg })).rejects.toThrow(InputError);
  });
});
