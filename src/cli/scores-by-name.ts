/**
 * The one place the pipeline commands (calibrate, trigger, evaluate) turn score names and --model
 * directories into scores. Kept apart so the library function that replaces it is swapped in here.
 */
import { join } from 'node:path';
import { loadPedestalStats, type PedestalStats } from '../preprocessing/index.js';
import { CLASSICAL_SCORES } from '../scores/classical.js';
import { createClassicalScore } from '../scores/select.js';
import type { AnomalyScore } from '../scores/score.js';
import type { PipelineConfig } from '../config/pipeline.js';

/** Scores by name ('all' = the three classical ones plus every --model); models are served by ONNX Runtime. */
export async function scoresByName(names: string[], models: Map<string, string>, stats: PedestalStats, cfg: PipelineConfig): Promise<AnomalyScore[]> {
  const list = names.includes('all') ? [...CLASSICAL_SCORES, ...models.keys()] : names;
  return Promise.all(
    list.map((n) => {
      const dir = models.get(n);
      if (!dir) return createClassicalScore(n, stats, cfg.score);
      // loaded on demand: ONNX Runtime and tfjs cost a second of start-up that classical runs never need
      return import('../scores/autoencoder.js').then(({ autoencoderScore }) =>
        autoencoderScore(dir, n, stats, { statsOfModel: loadPedestalStats(join(dir, 'stats')) }),
      );
    }),
  );
}
