/**
 * The trained-model directory: everything needed to score frames later, versioned together.
 *   config.json   kind, version, mode, resolved training configuration, seed, grid, λ, parameter
 *                 count, tool version (the provenance of the model)
 *   weights.*     all model variables (checkpoint format)
 *   stats/        the pedestal statistics the model was trained with (frozen preprocessing)
 *   history.json  loss curves per epoch
 *   model.onnx    the exported inference graph (batch norm folded), served by ONNX Runtime
 *   checkpoint/   the last epoch's weights, optimizer and trainer state (for --resume)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { InputError } from '../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.js';
import { toolVersion } from '../core/version.js';
import type { PedestalStats } from '../preprocessing/pedestal-stats.js';
import { loadPedestalStats, savePedestalStats } from '../preprocessing/stats-artefact.js';
import { trainingSchema, type TrainingConfig } from '../config/training.js';
import { buildRoiAutoencoder } from '../models/roi-autoencoder.js';
import { loadModelWeights, saveModelWeights } from './checkpoint.js';
import type { TrainState } from './train.js';

export const MODEL_DIR_VERSION = 1;

export interface ModelInfo {
  kind: 'tpcvision-roi-autoencoder';
  version: number;
  tool: { name: string; version: string };
  mode: TrainingConfig['mode'];
  seed: number;
  width: number;
  height: number;
  lambda: number;
  parameters: number;
  training: TrainingConfig;
  epochsCompleted: number;
  onnx: string | null;
}

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
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new InputError(dir, 'not a tpcvision model directory (config.json missing; train one with `tpcvision train`)');
  let info: ModelInfo;
  try {
    info = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(path, `unreadable: ${(err as Error).message}`);
  }
  if (info.kind !== 'tpcvision-roi-autoencoder') throw new InputError(path, `not an ROI autoencoder (kind ${String(info.kind)})`);
  if (info.version !== MODEL_DIR_VERSION) throw new InputError(path, `model directory version ${info.version} is not supported`);
  info.training = trainingSchema.parse(info.training);
  return info;
}

export function loadModelDir(dir: string): { info: ModelInfo; stats: PedestalStats; model: LayersModel } {
  const info = readModelInfo(dir);
  const stats = loadPedestalStats(join(dir, 'stats'));
  const model = buildRoiAutoencoder({ height: info.height, width: info.width, filters: info.training.filters });
  loadModelWeights(dir, model);
  return { info, stats, model };
}

export function readHistory(dir: string): TrainState['history'] {
  const path = join(dir, 'history.json');
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : [];
}
