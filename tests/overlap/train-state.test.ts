/**
 * The OASIS trainer's checkpoint/state.json is read against a zod schema on resume: what a training
 * wrote reads back unchanged, and a damaged file is an InputError naming the file and the key.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { resolveOasisConfig } from '../../src/config/oasis.js';
import { InputError } from '../../src/core/errors.js';
import { readJsonFile } from '../../src/core/read-json.js';
import { oasisTrainStateSchema } from '../../src/overlap/model-dir.js';
import { trainOasis } from '../../src/overlap/train.js';
import { tinySamples } from './fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'oasis-state-'));
const cfg = resolveOasisConfig('nominal', { training: { base: 8, batchSize: 2, epochs: 2 } });

describe('oasis checkpoint state', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('reads back what a training wrote; null on disk is an Infinity best loss', async () => {
    const dir = tmp();
    const first = await trainOasis({ samples: tinySamples(3, 1), config: cfg, preset: 'nominal', seed: 2, outDir: dir, stopAfterEpoch: 0 });
    first.model.dispose();
    const path = join(dir, 'checkpoint', 'state.json');
    expect(readJsonFile(path, oasisTrainStateSchema, '')).toEqual(first.state);
    writeFileSync(path, JSON.stringify({ ...first.state, bestValLoss: null }));
    expect(readJsonFile(path, oasisTrainStateSchema, '').bestValLoss).toBe(Infinity);
  });

  it('a damaged state.json stops the resume with an InputError naming the file and the key', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'checkpoint'));
    const path = join(dir, 'checkpoint', 'state.json');
    writeFileSync(path, JSON.stringify({ epoch: 0, bestValLoss: 0.1, bestEpoch: 0, epochsWithoutImprovement: 0, stopped: 'no', history: [] }));
    const run = trainOasis({ samples: tinySamples(3, 1), config: cfg, preset: 'nominal', seed: 2, outDir: dir, resume: true });
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(`${path}: stopped`);
  });
});
