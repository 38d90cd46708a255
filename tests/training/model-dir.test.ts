import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { readModelInfo } from '../../src/training/model-dir.js';

/** config.json as `tpcvision train` wrote it before validation existed (the demo's ae-baseline, seed 1). */
const TODAY = {
  kind: 'tpcvision-roi-autoencoder',
  version: 1,
  tool: { name: 'tpcvision', version: '0.1.0' },
  mode: 'baseline',
  seed: 1,
  width: 256,
  height: 256,
  lambda: 30,
  parameters: 648277,
  training: {
    mode: 'baseline',
    epochs: 4,
    batchSize: 8,
    learningRate: 0.001,
    validationFraction: 0.1,
    lrFactor: 0.75,
    lrPatience: 5,
    alpha: 0.55,
    lambda: 30,
    autoLambdaBatches: 4,
    reestimateBatchNorm: true,
    filters: [22, 44, 66, 88],
  },
  epochsCompleted: 4,
  onnx: 'model.onnx',
};

function dirWith(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'tpcv-modeldir-'));
  writeFileSync(join(dir, 'config.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}
const without = (key: string) => Object.fromEntries(Object.entries(TODAY).filter(([k]) => k !== key));

describe('autoencoder model directory: config.json validation', () => {
  it('reads a directory written by today’s code', () => {
    const info = readModelInfo(dirWith(TODAY));
    expect(info).toMatchObject({ kind: 'tpcvision-roi-autoencoder', width: 256, height: 256, lambda: 30, onnx: 'model.onnx' });
    expect(info.training.filters).toEqual([22, 44, 66, 88]);
  });

  it('reads λ written as null (NaN: a baseline training with λ = auto) back as NaN', () => {
    expect(readModelInfo(dirWith({ ...TODAY, lambda: null })).lambda).toBeNaN();
  });

  it('names the file and the key of a missing or wrongly-typed field', () => {
    expect(() => readModelInfo(dirWith(without('width')))).toThrow(InputError);
    expect(() => readModelInfo(dirWith(without('width')))).toThrow(/config\.json: width: /);
    expect(() => readModelInfo(dirWith({ ...TODAY, height: '256' }))).toThrow(/config\.json: height: .*number/);
    expect(() => readModelInfo(dirWith({ ...TODAY, training: { ...TODAY.training, epochs: 'many' } }))).toThrow(/config\.json: training\.epochs: /);
    expect(() => readModelInfo(dirWith({ ...TODAY, tool: { name: 'tpcvision' } }))).toThrow(/config\.json: tool\.version: /);
  });

  it('names a wrong kind or version, bad JSON and a missing file', () => {
    expect(() => readModelInfo(dirWith({ ...TODAY, kind: 'tpcvision-oasis' }))).toThrow(/config\.json: kind: not an ROI autoencoder \(kind "tpcvision-oasis"\)/);
    expect(() => readModelInfo(dirWith({ ...TODAY, version: 2 }))).toThrow(/config\.json: version: model directory version 2 is not supported/);
    expect(() => readModelInfo(dirWith('{"kind": '))).toThrow(/config\.json: unreadable: /);
    const empty = mkdtempSync(join(tmpdir(), 'tpcv-modeldir-'));
    expect(() => readModelInfo(empty)).toThrow(/config\.json: missing: not a tpcvision model directory/);
    expect(() => readModelInfo(join(empty, 'nope'))).toThrow(/nope: no such model directory/);
  });
});
