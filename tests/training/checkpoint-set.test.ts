/**
 * Checkpoints as one unit (issue 17, point 7): every way a write can be cut leaves one complete set
 * that recoverCheckpoint finds; --resume refuses a checkpoint of another run, naming what differs,
 * and says when it starts fresh.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkResumable, commitCheckpoint, recoverCheckpoint } from '../../src/training/checkpoint.js';
import { resolveOasisConfig } from '../../src/config/oasis.js';
import { trainOasis } from '../../src/overlap/train.js';
import { resolveTrainingConfig } from '../../src/config/training.js';
import { trainAutoencoder } from '../../src/training/train.js';
import { tinySamples } from '../overlap/fixtures.js';
import { Rng } from '../../src/core/rng.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'tpcv-ckpt-'));
const put = (dir: string, files: Record<string, string>) => {
  mkdirSync(dir, { recursive: true });
  for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, f), v);
};
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

describe('checkpoint sets', () => {
  it('commit replaces the whole set and carries the named files the writer did not make', () => {
    const ckpt = join(tmp(), 'checkpoint');
    commitCheckpoint(ckpt, (d) => put(d, { 'weights.bin': 'w1', 'best.bin': 'b1', 'state.json': '1' }));
    commitCheckpoint(ckpt, (d) => put(d, { 'weights.bin': 'w2', 'state.json': '2' }), ['best.bin']);
    expect([read(ckpt, 'weights.bin'), read(ckpt, 'best.bin'), read(ckpt, 'state.json')]).toEqual(['w2', 'b1', '2']);
    expect(existsSync(`${ckpt}.next`) || existsSync(`${ckpt}.prev`)).toBe(false);
  });

  it('recovers from a cut at every point of a commit', () => {
    // cut while writing .next: the old set stands
    let ckpt = join(tmp(), 'checkpoint');
    put(ckpt, { 'weights.bin': 'old', 'state.json': 'old' });
    put(`${ckpt}.next`, { 'weights.bin': 'new' });
    expect(recoverCheckpoint(ckpt)).toBe('complete');
    expect(read(ckpt, 'weights.bin')).toBe('old');
    expect(existsSync(`${ckpt}.next`)).toBe(false);
    // cut between the two renames: .next is complete and newer
    ckpt = join(tmp(), 'checkpoint');
    put(`${ckpt}.prev`, { 'weights.bin': 'old', 'state.json': 'old' });
    put(`${ckpt}.next`, { 'weights.bin': 'new', 'state.json': 'new' });
    expect(recoverCheckpoint(ckpt)).toBe('recovered');
    expect(read(ckpt, 'weights.bin')).toBe('new');
    expect(existsSync(`${ckpt}.prev`) || existsSync(`${ckpt}.next`)).toBe(false);
    // cut after the old set moved away while .next was incomplete (cannot happen in order, still safe)
    ckpt = join(tmp(), 'checkpoint');
    put(`${ckpt}.prev`, { 'weights.bin': 'old', 'state.json': 'old' });
    put(`${ckpt}.next`, { 'weights.bin': 'new' });
    expect(recoverCheckpoint(ckpt)).toBe('recovered');
    expect(read(ckpt, 'state.json')).toBe('old');
    // nothing complete anywhere
    expect(recoverCheckpoint(join(tmp(), 'checkpoint'))).toBe('none');
  });

  it('checkResumable names every differing setting; a checkpoint without identity is accepted with a warning', () => {
    const warnings: string[] = [];
    expect(() => checkResumable('s.json', { batchSize: 8, data: 'abc', mode: 'refined' }, { batchSize: 16, data: 'abc', mode: 'refined' }, (l) => warnings.push(l))).toThrow(
      /s\.json: the checkpoint belongs to another run: batchSize 8 there, 16 here/,
    );
    expect(() => checkResumable('s.json', { data: 'abc' }, { data: 'abd', seed: 2 }, () => {})).toThrow(/data "abc" there, "abd" here; seed nothing there, 2 here/);
    checkResumable('s.json', { a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, (l) => warnings.push(l));
    checkResumable('s.json', undefined, { a: 1 }, (l) => warnings.push(l));
    expect(warnings).toEqual([expect.stringMatching(/records no run identity/)]);
  });
});

describe('trainers resume only their own run', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('OASIS: a torn next set is ignored (resumed bit for bit); another batch size or data set is refused; no checkpoint says so', async () => {
    const samples = tinySamples(3, 4);
    const cfg = resolveOasisConfig('nominal', { training: { base: 8, batchSize: 2, epochs: 2, learningRate: 1e-3 } });
    const full = await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 5, outDir: tmp() });
    const dir = tmp();
    (await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 5, outDir: dir, stopAfterEpoch: 0 })).model.dispose();
    put(join(dir, 'checkpoint.next'), { 'weights.bin': 'torn: the epoch-2 write was cut' });
    const lines: string[] = [];
    const resumed = await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 5, outDir: dir, resume: true, log: (l) => lines.push(l) });
    expect(resumed.state.history.map((h) => h.trainLoss)).toEqual(full.state.history.map((h) => h.trainLoss));
    expect(lines[0]).toMatch(/resuming after epoch 1/);
    const other = resolveOasisConfig('nominal', { training: { base: 8, batchSize: 3, epochs: 2, learningRate: 1e-3 } });
    await expect(trainOasis({ samples, config: other, preset: 'nominal', seed: 5, outDir: dir, resume: true })).rejects.toThrow(/state\.json: the checkpoint belongs to another run: training\.batchSize 2 there, 3 here \(train into a new directory/);
    await expect(trainOasis({ samples: tinySamples(3, 9), config: cfg, preset: 'nominal', seed: 5, outDir: dir, resume: true })).rejects.toThrow(/another run: data /);
    await expect(trainOasis({ samples, config: cfg, preset: 'unweighted', seed: 5, outDir: dir, resume: true })).rejects.toThrow(/preset "nominal" there, "unweighted" here/);
    const fresh: string[] = [];
    (await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 5, outDir: tmp(), resume: true, stopAfterEpoch: 0, log: (l) => fresh.push(l) })).model.dispose();
    expect(fresh[0]).toMatch(/--resume: no checkpoint in .*checkpoint, starting fresh/);
    [full.model, resumed.model].forEach((m) => m.dispose());
  });

  it('autoencoder: resuming with another mode or other frames is refused', async () => {
    const rng = new Rng(3);
    const frames = Array.from({ length: 4 }, () => Float32Array.from({ length: 32 * 32 }, () => rng.uniform()));
    const cfg = resolveTrainingConfig({ mode: 'baseline', epochs: 1, batchSize: 2, filters: [4, 4, 4, 4] });
    const dir = tmp();
    (await trainAutoencoder({ frames, width: 32, height: 32, config: cfg, seed: 1, outDir: dir })).model.dispose();
    const more = resolveTrainingConfig({ mode: 'baseline', epochs: 2, batchSize: 2, filters: [4, 4, 4, 4] });
    (await trainAutoencoder({ frames, width: 32, height: 32, config: more, seed: 1, outDir: dir, resume: true })).model.dispose(); // more epochs: allowed
    const refined = resolveTrainingConfig({ mode: 'refined', epochs: 3, batchSize: 2, filters: [4, 4, 4, 4] });
    await expect(trainAutoencoder({ frames, width: 32, height: 32, config: refined, seed: 1, outDir: dir, resume: true })).rejects.toThrow(/mode "baseline" there, "refined" here/);
    const others = frames.map((f) => f.map((v) => v * 0.5));
    await expect(trainAutoencoder({ frames: others, width: 32, height: 32, config: more, seed: 1, outDir: dir, resume: true })).rejects.toThrow(/another run: data /);
  });
});
