/**
 * The autoencoder trainer's state (checkpoint/state.json, written after every epoch so a training can
 * resume) and its history (history.json of the model directory), with the zod schemas they are read
 * back with: a damaged file is an InputError naming the file and the key, not a NaN deep in the loop.
 */
import { z } from 'zod';
import { jsonInfinity, jsonNumber, readJsonFile } from '../core/read-json.js';

export const epochRecordSchema = z.object({
  epoch: z.number().int().nonnegative(),
  /** Mean losses of the epoch; NaN (null on disk) when a loss diverged. */
  trainLoss: jsonNumber(),
  valLoss: jsonNumber(),
  learningRate: z.number().positive(),
  seconds: z.number().nonnegative(),
});
export type EpochRecord = z.infer<typeof epochRecordSchema>;

export const trainStateSchema = z.object({
  /** Last completed epoch (0-based). */
  epoch: z.number().int().min(-1),
  learningRate: z.number().positive(),
  /** Infinity (null on disk) until a validation loss was measured. */
  bestValLoss: jsonInfinity(),
  epochsWithoutImprovement: z.number().int().nonnegative(),
  /** Mask weight λ of the refined loss; NaN (null on disk) for a baseline training with λ = 'auto'. */
  lambda: jsonNumber(),
  history: z.array(epochRecordSchema),
  /** The run's identity (mode, batch size, data hash…): --resume refuses another run's checkpoint (checkpoint.ts checkResumable). */
  run: z.record(z.string(), z.unknown()).optional(),
});
export type TrainState = z.infer<typeof trainStateSchema>;

/** The state of an interrupted training, validated. */
export function readTrainState(path: string): TrainState {
  return readJsonFile(path, trainStateSchema, 'no checkpoint state to resume from');
}
