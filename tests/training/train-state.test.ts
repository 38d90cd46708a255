/**
 * The trainers' checkpoint/state.json and the model directory's history.json are read against zod
 * schemas: a damaged file is an InputError naming the file and the key, and what a training wrote
 * reads back unchanged (Infinity and NaN, which JSON writes as null, included).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src/core/rng.js';
import { InputError } from '../../src/core/errors.js';
import { resolveTrainingConfig } from '../../src/config/training.js';
import { trainAutoencoder } from '../../src/training/train.js';
import { readTrainState } from '../../src/training/train-state.js';
import { readHistory } from '../../src/training/model-dir.js';

const W = 16;
const H = 16;
const frames = Array.from({ length: 4 }, (_, f) => {
  const rng = Rng.derive(1, f);
  return Float32Array.from({ length: W * H }, () => 0.5 + 0.01 * rng.normal());
});
const cfg = resolveTrainingConfig({ filters: [2, 2, 2, 2], batchSize: 2, reestimateBatchNorm: false, mode: 'baseline', epochs: 2 });
const tmp = () => mkdtempSync(join(tmpdir(), 'tpcv-state-'));

/** An InputError whose message names `file` and `key`. */
function expectInputError(run: () => unknown, file: string, key: string): void {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as Error).message).toContain(file);
  expect((caught as Error).message).toContain(key);
}

const state = {
  epoch: 0,
  learningRate: 1e-3,
  bestValLoss: null,
  epochsWithoutImprovement: 1,
  lambda: null,
  history: [{ epoch: 0, trainLoss: 0.5, valLoss: null, learningRate: 1e-3, seconds: 0.1 }],
};

describe('checkpoint state and history of the autoencoder trainer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('reads back what a training wrote', async () => {
    const dir = tmp();
    const first = await trainAutoencoder({ frames, width: W, height: H, config: cfg, seed: 2, outDir: dir, stopAfterEpoch: 0 });
    first.model.dispose();
    expect(readTrainState(join(dir, 'checkpoint', 'state.json'))).toEqual(first.state);
  });

  it('null on disk: Infinity for the best loss, NaN for λ and a diverged loss', () => {
    const path = join(tmp(), 'state.json');
    writeFileSync(path, JSON.stringify(state));
    const back = readTrainState(path);
    expect(back.bestValLoss).toBe(Infinity);
    expect(back.lambda).toBeNaN();
    expect(back.history[0].valLoss).toBeNaN();
  });

  it('a damaged state.json is an InputError naming the file and the key, also through a resumed training', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'checkpoint'));
    const path = join(dir, 'checkpoint', 'state.json');
    writeFileSync(path, JSON.stringify({ ...state, learningRate: 'fast' }));
    expectInputError(() => readTrainState(path), path, 'learningRate');
    await expect(trainAutoencoder({ frames, width: W, height: H, config: cfg, seed: 2, outDir: dir, resume: true })).rejects.toThrow(
      /state\.json: .*learningRate/,
    );
    writeFileSync(path, JSON.stringify({ ...state, history: [{ ...state.history[0], epoch: 'one' }] }));
    expectInputError(() => readTrainState(path), path, 'history.0.epoch');
    writeFileSync(path, '{"epoch": 0,');
    expectInputError(() => readTrainState(path), path, 'unreadable');
  });

  it('readHistory: none without history.json, an InputError naming the key of a damaged one', () => {
    const dir = tmp();
    expect(readHistory(dir)).toEqual([]);
    writeFileSync(join(dir, 'history.json'), JSON.stringify(state.history));
    expect(readHistory(dir)[0].trainLoss).toBe(0.5);
    writeFileSync(join(dir, 'history.json'), JSON.stringify([{ ...state.history[0], seconds: -1 }]));
    expectInputError(() => readHistory(dir), join(dir, 'history.json'), '0.seconds');
  });
});
