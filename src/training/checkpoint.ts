/**
 * Weights and optimizer state on disk, so a training can stop and `--resume` exactly where it was:
 * every model variable (trainable and batch-norm running statistics) and every Adam slot, in a fixed
 * order, as one manifest + one little-endian float32 blob each. Writes are atomic; the trainer's
 * state JSON is written last and names the epoch the files belong to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { InputError } from '../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.js';

interface Manifest {
  entries: { name: string; shape: number[]; offset: number; length: number }[];
}

function packTensors(named: { name: string; tensor: tf.Tensor }[]): { manifest: Manifest; blob: Uint8Array } {
  const entries: Manifest['entries'] = [];
  let total = 0;
  for (const { name, tensor } of named) {
    entries.push({ name, shape: tensor.shape, offset: total, length: tensor.size });
    total += tensor.size;
  }
  const data = new Float32Array(total);
  named.forEach(({ tensor }, i) => data.set(tensor.dataSync() as Float32Array, entries[i].offset));
  return { manifest: { entries }, blob: new Uint8Array(data.buffer) };
}

function unpack(dir: string, stem: string): { name: string; shape: number[]; values: Float32Array }[] {
  const manifestPath = join(dir, `${stem}.json`);
  let manifest: Manifest;
  let blob: Buffer;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    blob = readFileSync(join(dir, `${stem}.bin`));
  } catch (err) {
    throw new InputError(manifestPath, `cannot read: ${(err as Error).message}`);
  }
  // copy out of Node's Buffer (it may be a view into a shared pool, unaligned for float32)
  const data = new Float32Array(Uint8Array.prototype.slice.call(blob).buffer);
  return manifest.entries.map((e) => {
    if (e.offset + e.length > data.length) throw new InputError(join(dir, `${stem}.bin`), `truncated: entry ${e.name} runs past the end`);
    return { name: e.name, shape: e.shape, values: data.subarray(e.offset, e.offset + e.length) };
  });
}

export function saveModelWeights(dir: string, model: LayersModel, stem = 'weights'): void {
  const { manifest, blob } = packTensors(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
  writeFileAtomic(join(dir, `${stem}.bin`), blob);
  writeJsonAtomic(join(dir, `${stem}.json`), manifest);
}

/** Load weights saved by saveModelWeights into a model of the same architecture (checked by count and shape). */
export function loadModelWeights(dir: string, model: LayersModel, stem = 'weights'): void {
  const saved = unpack(dir, stem);
  const weights = model.weights;
  if (saved.length !== weights.length) {
    throw new InputError(join(dir, `${stem}.json`), `holds ${saved.length} weights, the model has ${weights.length}: different architecture`);
  }
  const tensors = saved.map((s, i) => {
    const w = weights[i];
    if (s.shape.join('x') !== w.shape.join('x')) {
      throw new InputError(join(dir, `${stem}.json`), `weight ${s.name} has shape [${s.shape}], the model expects ${w.originalName} [${w.shape}]`);
    }
    return tf.tensor(s.values, s.shape, 'float32');
  });
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
}

export async function saveOptimizer(dir: string, optimizer: tf.Optimizer): Promise<void> {
  const named = await optimizer.getWeights();
  const { manifest, blob } = packTensors(named.map((n) => ({ name: n.name, tensor: n.tensor })));
  writeFileAtomic(join(dir, 'optimizer.bin'), blob);
  writeJsonAtomic(join(dir, 'optimizer.json'), manifest);
}

export async function loadOptimizer(dir: string, optimizer: tf.Optimizer): Promise<void> {
  const saved = unpack(dir, 'optimizer');
  await optimizer.setWeights(saved.map((s) => ({ name: s.name, tensor: tf.tensor(s.values, s.shape, 'float32') })));
}
