/**
 * Weights and optimizer state on disk, so a training can stop and `--resume` exactly where it was:
 * every model variable (trainable and batch-norm running statistics) and every optimizer slot, in a
 * fixed order, as one manifest (STEM.json: header fields + named entries) + one little-endian float32
 * blob (STEM.bin) each; training/optimizer.ts writes its step and hyperparameters in the header.
 * Writes are atomic; the trainer's state JSON is written last and names the epoch the files belong to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { InputError } from '../core/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.js';

/** What a manifest holds beside its entries (the optimizer's kind, step and hyperparameters). */
export type ManifestHeader = Record<string, unknown>;

interface Entry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export interface NamedValues {
  name: string;
  shape: number[];
  values: Float32Array;
}

function packTensors(named: { name: string; tensor: tf.Tensor }[]): { entries: Entry[]; blob: Uint8Array } {
  const entries: Entry[] = [];
  let total = 0;
  for (const { name, tensor } of named) {
    entries.push({ name, shape: tensor.shape, offset: total, length: tensor.size });
    total += tensor.size;
  }
  const data = new Float32Array(total);
  named.forEach(({ tensor }, i) => data.set(tensor.dataSync() as Float32Array, entries[i].offset));
  return { entries, blob: new Uint8Array(data.buffer) };
}

/** Write `named` as DIR/STEM.bin (float32 LE) and DIR/STEM.json ({ ...header, entries }), blob first. */
export function saveTensors(dir: string, stem: string, named: { name: string; tensor: tf.Tensor }[], header: ManifestHeader = {}): void {
  const { entries, blob } = packTensors(named);
  writeFileAtomic(join(dir, `${stem}.bin`), blob);
  writeJsonAtomic(join(dir, `${stem}.json`), { ...header, entries });
}

/**
 * The manifest's header fields and its entries with their values; InputError naming the file on
 * damage. `checkHeader` sees the header first (to refuse a foreign format before its entries).
 */
export function loadTensors(dir: string, stem: string, checkHeader?: (header: ManifestHeader, path: string) => void): { header: ManifestHeader; entries: NamedValues[] } {
  const manifestPath = join(dir, `${stem}.json`);
  let manifest: ManifestHeader & { entries?: unknown };
  let blob: Buffer;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    blob = readFileSync(join(dir, `${stem}.bin`));
  } catch (err) {
    throw new InputError(manifestPath, `cannot read: ${(err as Error).message}`);
  }
  if (typeof manifest !== 'object' || manifest === null) throw new InputError(manifestPath, 'not a tpcvision tensor manifest (not a JSON object)');
  const { entries, ...header } = manifest as ManifestHeader & { entries: Entry[] };
  checkHeader?.(header, manifestPath);
  if (!Array.isArray(entries)) throw new InputError(manifestPath, 'not a tpcvision tensor manifest (no entries list)');
  // copy out of Node's Buffer (it may be a view into a shared pool, unaligned for float32)
  const data = new Float32Array(Uint8Array.prototype.slice.call(blob).buffer);
  return {
    header,
    entries: entries.map((e) => {
      if (e.offset + e.length > data.length) throw new InputError(join(dir, `${stem}.bin`), `truncated: entry ${e.name} runs past the end`);
      return { name: e.name, shape: e.shape, values: data.subarray(e.offset, e.offset + e.length) };
    }),
  };
}

export function saveModelWeights(dir: string, model: LayersModel, stem = 'weights'): void {
  saveTensors(dir, stem, model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
}

/** Load weights saved by saveModelWeights into a model of the same architecture (checked by count and shape). */
export function loadModelWeights(dir: string, model: LayersModel, stem = 'weights'): void {
  const saved = loadTensors(dir, stem).entries;
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
