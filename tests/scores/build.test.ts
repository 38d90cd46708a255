import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { geometryForSize, scoreSchema } from '../../src/config/pipeline.js';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { buildScores, isClassicalScore } from '../../src/scores/build.js';
import { CLASSICAL_SCORES, classicalScore } from '../../src/scores/classical.js';
import { noiseFrames, sequenceOf } from '../helpers/synthetic.js';

const cfg = scoreSchema.parse({});
const stats = await computePedestalStats(sequenceOf(noiseFrames(3, 96, 7)), geometryForSize(96));

describe('buildScores', () => {
  it('builds classical scores by name, in the order asked, the same as building them directly', async () => {
    const scores = await buildScores(['matched-filter', 'gaussian'], new Map(), stats, cfg);
    expect(scores.map((s) => s.name)).toEqual(['matched-filter', 'gaussian']);
    const { analysisWidth: w, analysisHeight: h } = stats.config;
    const map = Float32Array.from({ length: w * h }, (_, i) => ((i * 37) % 101) / 100);
    for (const s of scores) {
      const direct = classicalScore(s.name as (typeof CLASSICAL_SCORES)[number], stats, cfg);
      expect(s.description).toBe(direct.description);
      expect(s.batchSize).toBe(1);
      const [a] = await s.scoreBatch([map], w, h);
      const [b] = await direct.scoreBatch([map], w, h);
      expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  it("'all' is every classical score; no model is loaded unless named", async () => {
    expect((await buildScores(['all'], new Map(), stats, cfg)).map((s) => s.name)).toEqual([...CLASSICAL_SCORES]);
    expect(isClassicalScore('gaussian-rowcol')).toBe(true);
    expect(isClassicalScore('ae-refined')).toBe(false);
  });

  it('an unknown name is a ConfigError listing the valid names, models included', async () => {
    const models = new Map([['ae-refined', '/nowhere/refined']]);
    const err = await buildScores(['gaussian', 'gausian'], models, stats, cfg).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      "unknown score 'gausian' (available: gaussian, gaussian-rowcol, matched-filter, ae-refined, all; a trained autoencoder needs its model directory, NAME=DIR)",
    );
  });

  it('a model name is built from its directory: a directory that is not a trained model is an InputError naming it', async () => {
    const dir = join('/nowhere', 'ae-baseline');
    const err = await buildScores(['all'], new Map([['ae-baseline', dir]]), stats, cfg).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).source).toBe(dir); // checked before its stats/ are read
    expect((err as InputError).message).toMatch(/not a trained autoencoder directory \(no config\.json\) for score 'ae-baseline'/);
  });
});
