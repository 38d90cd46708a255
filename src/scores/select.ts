/** Score construction by name: the one place that knows which names exist. */
import { ConfigError } from '../core/errors.js';
import type { ScoreConfig } from '../config/pipeline.js';
import type { PedestalStats } from '../preprocessing/pedestal-stats.js';
import { CLASSICAL_SCORES, classicalScore, type ClassicalScoreName } from './classical.js';
import type { AnomalyScore } from './score.js';

export function isClassicalScore(name: string): name is ClassicalScoreName {
  return (CLASSICAL_SCORES as readonly string[]).includes(name);
}

export function createClassicalScore(name: string, stats: PedestalStats, cfg: ScoreConfig): AnomalyScore {
  if (!isClassicalScore(name)) {
    throw new ConfigError(`unknown score '${name}' (available: ${CLASSICAL_SCORES.join(', ')})`);
  }
  return classicalScore(name, stats, cfg);
}
