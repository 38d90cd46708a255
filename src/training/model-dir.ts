/**
 * The trained-model directory: everything needed to score frames later, versioned together.
 *   config.json   kind, version, mode, resolved training configuration, seed, grid, λ, parameter
 *                 count, tool version (the provenance of the model); validated on reading
 *   weights.*     all model variables (checkpoint format)
 *   stats/        the pedestal statistics the model was trained with (frozen preprocessing)
 *   history.json  loss curves per epoch
 *   model.onnx    the exported inference graph (batch norm folded), served by ONNX Runtime
 *   checkpoint/   the last epoch's weights, optimizer and trainer state (for --resume)
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { InputError } from '../core/errors.js';
import { jsonNumber, readJsonFile } from '../core/read-json.js';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.js';
import { toolVersion } from '../core/version.js';
import type { PedestalStats } from '../preprocessing/pedestal-stats.js';
import { loadPedestalStats, savePedestalStats } from '../preprocessing/stats-artefact.js';
import { trainingSchema, type TrainingConfig } from '../config/training.js';
import { buildRoiAutoencoder } from '../models/roi-autoencoder.js';
import { loadModelWeights, saveModelWeights } from './checkpoint.js';
import { epochRecordSchema, type EpochRecord, type TrainState } from './train-state.js';

export const MODEL_DIR_VERSION = 1;

const count = () => z.number().int().nonnegative();

/** config.json, validated on reading: a damaged or foreign file names the key at fault. */
export const modelInfoSchema = z.object({
  kind: z.literal('tpcvision-roi-autoencoder', { error: (i) => `not an ROI autoencoder (kind ${JSON.stringify(i.input)})` }),
  version: z.literal(MODEL_DIR_VERSION, { error: (i) => `model directory version ${JSON.stringify(i.input)} is not supported (expected ${MODEL_DIR_VERSION})` }),
  tool: z.object({ name: z.string(), version: z.string() }),
  mode: trainingSchema.shape.mode.unwrap(),
  seed: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** NaN (null on disk) for a baseline training with λ = 'auto'. */
  lambda: jsonNumber(),
  parameters: count(),
  training: trainingSchema,
  epochsCompleted: count(),
  onnx: z.string().nullable(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export function saveModelDir(
  dir: string,
  model: LayersModel,
  stats: PedestalStats,
  training: TrainingConfig,
  seed: number,
  state: TrainState,
  onnx: Uint8Array | null,
): ModelInfo {
  saveModelWeights(dir, model);
  savePedestalStats(join(dir, 'stats'), stats);
  writeJsonAtomic(join(dir, 'history.json'), state.history);
  if (onnx) writeFileAtomic(join(dir, 'model.onnx'), onnx);
  const info: ModelInfo = {
    kind: 'tpcvision-roi-autoencoder',
    version: MODEL_DIR_VERSION,
    tool: { name: 'tpcvision', version: toolVersion() },
    mode: training.mode,
    seed,
    width: stats.config.analysisWidth,
    height: stats.config.analysisHeight,
    lambda: state.lambda,
    parameters: model.countParams(),
    training,
    epochsCompleted: state.epoch + 1,
    onnx: onnx ? 'model.onnx' : null,
  };
  writeJsonAtomic(join(dir, 'config.json'), info);
  return info;
}

export function readModelInfo(dir: string): ModelInfo {
  if (!existsSync(dir)) throw new InputError(dir, 'no such model directory (train one with `tpcvision train`)');
  return readJsonFile(join(dir, 'config.json'), modelInfoSchema, 'not a tpcvision model directory (train one with `tpcvision train`)');
}

export function loadModelDir(dir: string): { info: ModelInfo; stats: PedestalStats; model: LayersModel } {
  const info = readModelInfo(dir);
  const stats = loadPedestalStats(join(dir, 'stats'));
  const model = buildRoiAutoencoder({ height: info.height, width: info.width, filters: info.training.filters });
  loadModelWeights(dir, model);
  return { info, stats, model };
}

/** The epochs of a model directory's history.json, validated; none when the file is absent. */
export function readHistory(dir: string): EpochRecord[] {
  const path = join(dir, 'history.json');
  return existsSync(path) ? readJsonFile(path, z.array(epochRecordSchema), 'no training history') : [];
}
