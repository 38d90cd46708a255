import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { resolveOasisConfig } from '../../src/config/oasis.js';
import { readOasisMeta } from '../../src/overlap/model-dir.js';

/** oasis-model.json as `tpcvision oasis train` wrote it before validation existed (the demo's, shortened). */
const TODAY = {
  format: 'tpcvision-oasis-model/2',
  version: '0.1.0',
  height: 32,
  width: 64,
  base: 8,
  preset: 'nominal',
  config: JSON.parse(JSON.stringify(resolveOasisConfig('nominal', { training: { base: 8, batchSize: 8, epochs: 3 } }))),
  seed: 1,
  trainEvents: 43,
  validationEvents: 5,
  bestEpoch: 0,
  history: [{ epoch: 0, trainLoss: 5.146053336387457, valLoss: 4.4630446434021, valReg: 4.440820217132568, valTv: 2.222432851791382, seconds: 0.37, stepSeconds: 0.06 }],
  data: { path: '/tmp/demo/oasis/train/migdal.feather' },
  parameters: 188002,
};

function dirWith(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'tpcv-oasisdir-'));
  writeFileSync(join(dir, 'oasis-model.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

describe('OASIS model directory: oasis-model.json validation', () => {
  it('reads a directory written by today’s code, validation losses written as null (no validation set) as NaN', () => {
    const meta = readOasisMeta(dirWith(TODAY));
    expect(meta).toMatchObject({ height: 32, width: 64, base: 8, preset: 'nominal', bestEpoch: 0, parameters: 188002 });
    expect(meta.config.training.epochs).toBe(3);
    const noVal = readOasisMeta(dirWith({ ...TODAY, history: [{ ...TODAY.history[0], valReg: null, valTv: null }] }));
    expect(noVal.history[0].valReg).toBeNaN();
  });

  it('names the file and the key of a missing or wrongly-typed field', () => {
    const { base: _, ...noBase } = TODAY;
    expect(() => readOasisMeta(dirWith(noBase))).toThrow(InputError);
    expect(() => readOasisMeta(dirWith(noBase))).toThrow(/oasis-model\.json: base: /);
    expect(() => readOasisMeta(dirWith({ ...TODAY, history: [{ ...TODAY.history[0], trainLoss: 'low' }] }))).toThrow(/oasis-model\.json: history\.0\.trainLoss: /);
    expect(() => readOasisMeta(dirWith({ ...TODAY, preset: 'heavy' }))).toThrow(/oasis-model\.json: preset: /);
    expect(() => readOasisMeta(dirWith({ ...TODAY, config: { ...TODAY.config, training: { ...TODAY.config.training, lr: 1 } } }))).toThrow(/oasis-model\.json: config\.training\.lr: unknown key/);
  });

  it('names a wrong format, bad JSON and a missing file', () => {
    expect(() => readOasisMeta(dirWith({ ...TODAY, format: 'tpcvision-oasis-model/1' }))).toThrow(/oasis-model\.json: format: format "tpcvision-oasis-model\/1", expected tpcvision-oasis-model\/2/);
    expect(() => readOasisMeta(dirWith('not json'))).toThrow(/oasis-model\.json: unreadable: /);
    expect(() => readOasisMeta(mkdtempSync(join(tmpdir(), 'tpcv-oasisdir-')))).toThrow(/oasis-model\.json: missing: not an OASIS model directory; train one with 'tpcvision oasis train'/);
  });
});
