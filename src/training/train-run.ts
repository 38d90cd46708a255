/**
 * Training from files to a finished model directory: preprocess the pedestal frames with the frozen
 * statistics, train, re-estimate batch norm, export to ONNX, and save everything the scorer needs.
 */
import type { Frame } from '../core/frame.js';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import type { PedestalStats } from '../preprocessing/pedestal-stats.js';
import { preprocessFrame } from '../preprocessing/preprocess.js';
import { prepareRawFrame } from '../preprocessing/raw-input.js';
import type { TrainingConfig } from '../config/training.js';
import { trainAutoencoder, type TrainState } from './train.js';
import { saveModelDir, type ModelInfo } from './model-dir.js';
import { exportOnnx } from '../engine/onnx/export.js';
import { selectBackend } from '../engine/select-backend.js';

export interface TrainRunResult {
  info: ModelInfo;
  state: TrainState;
}

export async function trainModelFromFrames(opts: {
  frames: () => AsyncIterable<Frame>;
  stats: PedestalStats;
  training: TrainingConfig;
  seed: number;
  outDir: string;
  resume?: boolean;
  progress?: Progress;
  log?: (line: string) => void;
}): Promise<TrainRunResult> {
  const progress = opts.progress ?? silentProgress;
  const log = opts.log ?? (() => {});
  await selectBackend({ warn: log });
  const maps: Float32Array[] = [];
  const raw = opts.stats.rawInput;
  for await (const f of opts.frames()) maps.push(preprocessFrame(raw ? prepareRawFrame(f, raw) : f, opts.stats));
  const { analysisWidth: width, analysisHeight: height } = opts.stats.config;
  log(`training the ${opts.training.mode} autoencoder on ${maps.length} pedestal frames of ${width}×${height}`);
  const { model, state } = await trainAutoencoder({
    frames: maps,
    width,
    height,
    config: opts.training,
    seed: opts.seed,
    outDir: opts.outDir,
    resume: opts.resume,
    progress,
    log,
  });
  const onnx = await exportOnnx(model);
  const info = saveModelDir(opts.outDir, model, opts.stats, opts.training, opts.seed, state, onnx);
  model.dispose();
  return { info, state };
}
