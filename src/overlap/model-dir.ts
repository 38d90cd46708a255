/**
 * The overlap-separation model directory: weights.bin/json (training/checkpoint.ts format) and
 * oasis-model.json (architecture, resolved config, preset, seed, tool version, training history).
 *
 * In: a trained LayersModel and its facts (write), or a directory (read). Out: files, or the rebuilt
 * model with its metadata; oasis-model.json is validated on reading (a missing file, bad JSON, a
 * wrong format or a missing / wrongly-typed key is an InputError naming the file and the key).
 * Ignored: optimizer state (it lives in checkpoint/ and is only for resume).
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { writeJsonAtomic } from '../core/atomic-write.js';
import { jsonInfinity, jsonNumber, readJsonFile } from '../core/read-json.js';
import { toolVersion } from '../core/version.js';
import { buildOasisUnet } from '../models/oasis-unet.js';
import { loadModelWeights, saveModelWeights } from '../training/checkpoint.js';
import { oasisConfigSchema, PRESET_NAMES } from '../config/oasis.js';

/**
 * /2: the depthwise down-sampling pads PyTorch's way (models/depthwise.ts); a /1 model's weights were
 * trained with TensorFlow's 'same' padding and would run shifted by a pixel, so /1 is refused.
 */
export const OASIS_MODEL_FORMAT = 'tpcvision-oasis-model/2';

const count = () => z.number().int().nonnegative();

/** One epoch of the training history (also the trainer's state.json). */
export const oasisEpochRecordSchema = z.object({
  epoch: count(),
  trainLoss: jsonNumber(),
  valLoss: jsonNumber(),
  /** Validation terms: weighted L1 and TV (unweighted by the term weights); NaN without validation. */
  valReg: jsonNumber(),
  valTv: jsonNumber(),
  seconds: z.number(),
  /** Mean wall time of one optimisation step (batch of `batchSize`), s. */
  stepSeconds: z.number(),
});
export type OasisEpochRecord = z.infer<typeof oasisEpochRecordSchema>;

/** The trainer's checkpoint/state.json, read back on resume. */
export const oasisTrainStateSchema = z.object({
  /** Last completed epoch (0-based), −1 before the first. */
  epoch: z.number().int().min(-1),
  /** Infinity (null on disk) until a validation loss was measured. */
  bestValLoss: jsonInfinity(),
  bestEpoch: z.number().int().min(-1),
  epochsWithoutImprovement: count(),
  /** True once early stopping fired; a resume then finishes without training. */
  stopped: z.boolean(),
  history: z.array(oasisEpochRecordSchema),
  /** Steps of epoch `epoch + 1` already taken (a checkpoint inside an epoch) and their summed sample losses. */
  stepInEpoch: count().default(0),
  epochLossSum: z.number().default(0),
  /** The run's identity (preset, loss, batch, window, data…): --resume refuses another run's checkpoint (training/checkpoint.ts checkResumable). */
  run: z.record(z.string(), z.unknown()).optional(),
});
export type OasisTrainState = z.infer<typeof oasisTrainStateSchema>;

export const oasisModelMetaSchema = z.object({
  format: z.literal(OASIS_MODEL_FORMAT, { error: (i) => `format ${JSON.stringify(i.input)}, expected ${OASIS_MODEL_FORMAT}` }),
  /** The tool version that wrote the directory. */
  version: z.string(),
  /** The model's input, px: the window it was trained on (or the whole training frame). */
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  /**
   * The window (= height × width) when trained on windows, null when trained on whole frames (then
   * it runs on whole frames of any size, as before windows existed; directories without the key too).
   */
  window: z.object({ height: z.number().int().positive(), width: z.number().int().positive() }).nullable().default(null),
  /** The training frames' size, px (absent in directories written before windows). */
  frame: z.object({ height: z.number().int().positive(), width: z.number().int().positive() }).optional(),
  base: z.number().int().positive(),
  preset: z.enum(PRESET_NAMES),
  config: oasisConfigSchema,
  seed: z.number().int(),
  trainEvents: count(),
  validationEvents: count(),
  bestEpoch: z.number().int(),
  history: z.array(oasisEpochRecordSchema),
  data: z.unknown(),
  parameters: count(),
});
export type OasisModelMeta = z.infer<typeof oasisModelMetaSchema>;

export function writeOasisModel(dir: string, model: LayersModel, meta: Omit<OasisModelMeta, 'format' | 'version' | 'parameters'>): void {
  saveModelWeights(dir, model);
  writeJsonAtomic(join(dir, 'oasis-model.json'), { format: OASIS_MODEL_FORMAT, version: toolVersion(), ...meta, parameters: model.countParams() });
}

export function readOasisMeta(dir: string): OasisModelMeta {
  return readJsonFile(join(dir, 'oasis-model.json'), oasisModelMetaSchema, "not an OASIS model directory; train one with 'tpcvision oasis train'");
}

/**
 * The model of `dir` with its weights, built for its window, or for a whole-frame model at its
 * training image size (or `size` when given: a whole-frame model runs on frames of any size).
 */
export function loadOasisModel(dir: string, size?: { height: number; width: number }): { model: LayersModel; meta: OasisModelMeta } {
  const meta = readOasisMeta(dir);
  const input = meta.window ?? size ?? meta;
  const model = buildOasisUnet({ height: input.height, width: input.width, base: meta.base });
  loadModelWeights(dir, model);
  return { model, meta };
}
