/**
 * Scores from names: the one place that knows which names exist and how each kind is built. A name
 * is a classical score, or a trained autoencoder given with its model directory; 'all' means the
 * classical scores followed by every model, in the order the models were given. The CLI commands and
 * the trigger study both build their scores here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, InputError } from '../core/errors.js';
import type { ScoreConfig } from '../config/pipeline.js';
import type { PedestalStats } from '../preprocessing/pedestal-stats.js';
import { loadPedestalStats } from '../preprocessing/stats-artefact.js';
import { CLASSICAL_SCORES, classicalScore, type ClassicalScoreName } from './classical.js';
import type { AnomalyScore } from './score.js';

/** The name that selects every classical score and every model. */
export const ALL_SCORES = 'all';

export function isClassicalScore(name: string): name is ClassicalScoreName {
  return (CLASSICAL_SCORES as readonly string[]).includes(name);
}

/**
 * The scores named, in order. `models` maps a score name to a trained autoencoder's directory; a
 * model is checked against the statistics the frames are preprocessed with (its own stats/ must be
 * the same) and served by ONNX Runtime. An unknown name is a ConfigError listing the valid ones.
 */
export async function buildScores(
  names: readonly string[],
  models: ReadonlyMap<string, string>,
  stats: PedestalStats,
  cfg: ScoreConfig,
): Promise<AnomalyScore[]> {
  const list = names.includes(ALL_SCORES) ? [...CLASSICAL_SCORES, ...models.keys()] : names;
  for (const n of list) {
    if (!models.has(n) && !isClassicalScore(n)) {
      const valid = [...CLASSICAL_SCORES, ...models.keys(), ALL_SCORES].join(', ');
      throw new ConfigError(`unknown score '${n}' (available: ${valid}; a trained autoencoder needs its model directory, NAME=DIR)`);
    }
  }
  return Promise.all(
    list.map((n) => {
      const dir = models.get(n);
      if (dir === undefined) return classicalScore(n as ClassicalScoreName, stats, cfg);
      // checked before its stats/: a wrong directory is named as what it is not
      if (!existsSync(join(dir, 'config.json'))) throw new InputError(dir, `not a trained autoencoder directory (no config.json) for score '${n}': train one with 'tpcvision train'`);
      // loaded on demand: ONNX Runtime and tfjs cost a second of start-up that classical runs never need
      return import('./autoencoder.js').then(({ autoencoderScore }) =>
        autoencoderScore(dir, n, stats, { statsOfModel: loadPedestalStats(join(dir, 'stats')) }),
      );
    }),
  );
}
