/**
 * The autoencoder anomaly score |x − x̂| (spec "Three anomaly scores"), served by ONNX Runtime from
 * a trained model directory. The model's own frozen pedestal statistics must be the ones the frames
 * were preprocessed with: a model trained on other constants sees shifted inputs and fails silently,
 * so the pairing is checked when the score is built.
 */
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { fileSha256 } from '../core/file-sha256.js';
import { statsDigest, type PedestalStats } from '../preprocessing/pedestal-stats.js';
import { readModelInfo, type ModelInfo } from '../training/model-dir.js';
import { OnnxModel } from '../engine/onnx-runtime.js';
import type { AnomalyScore } from './score.js';

export interface AutoencoderScore extends AnomalyScore {
  readonly info: ModelInfo;
  /** Milliseconds spent inside the ONNX Runtime forward pass (model only). */
  modelMs: number;
  frames: number;
}

/** True when two statistics artefacts hold the same frozen constants (every value: their digests are equal). */
export function sameStats(a: PedestalStats, b: PedestalStats): boolean {
  return statsDigest(a) === statsDigest(b);
}

export async function autoencoderScore(
  modelDir: string,
  name: string,
  stats: PedestalStats,
  opts: { batchSize?: number; threads?: number; statsOfModel?: PedestalStats } = {},
): Promise<AutoencoderScore> {
  const info = readModelInfo(modelDir);
  if (!info.onnx) throw new InputError(modelDir, 'the model has no ONNX export (model.onnx); retrain or re-export it');
  if (info.width !== stats.config.analysisWidth || info.height !== stats.config.analysisHeight) {
    throw new InputError(
      modelDir,
      `model input ${info.width}×${info.height} does not match the analysis grid ${stats.config.analysisWidth}×${stats.config.analysisHeight}`,
    );
  }
  if (opts.statsOfModel && !sameStats(opts.statsOfModel, stats)) {
    throw new InputError(modelDir, 'the model was trained with other pedestal statistics: use the stats/ directory inside the model');
  }
  const onnxPath = join(modelDir, info.onnx);
  const session = await OnnxModel.load(onnxPath, { threads: opts.threads });
  const score: AutoencoderScore = {
    name,
    modelSha256: fileSha256(onnxPath),
    description: `${info.mode} autoencoder |x − x̂| (${info.parameters.toLocaleString('en')} parameters, ${info.epochsCompleted} epochs, ONNX Runtime)`,
    // frames per ONNX call: a performance setting (memory against call overhead), not a config key
    batchSize: opts.batchSize ?? 4,
    info,
    modelMs: 0,
    frames: 0,
    async scoreBatch(maps, width, height) {
      const n = width * height;
      const input = new Float32Array(maps.length * n);
      maps.forEach((m, k) => input.set(m, k * n));
      const t0 = performance.now();
      const output = await session.run(input, [maps.length, height, width, 1]);
      score.modelMs += performance.now() - t0;
      score.frames += maps.length;
      return maps.map((m, k) => {
        const r = new Float32Array(n);
        const o = k * n;
        for (let i = 0; i < n; i++) r[i] = Math.abs(m[i] - output[o + i]);
        return r;
      });
    },
    async dispose() {
      await session.dispose();
    },
  };
  return score;
}
