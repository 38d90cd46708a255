/**
 * Weights and optimizer state on disk, so a training can stop and `--resume` exactly where it was:
 * every model variable (trainable and batch-norm running statistics) and every optimizer slot, in a
 * fixed order, as one manifest (STEM.json: header fields + named entries) + one little-endian float32
 * blob (STEM.bin) each; training/optimizer.ts writes its step and hyperparameters in the header.
 * Writes are atomic; the trainer's state JSON is written last and names the epoch the files belong to,
 * and the whole set is replaced as one unit (commitCheckpoint / recoverCheckpoint), with the run's
 * identity in the state so that --resume refuses another run's checkpoint (checkResumable).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { InputError } from '../core/errors.js';
import { makeDirs, writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.js';

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

/**
 * Writes a checkpoint as one unit. `write(tmp)` fills DIR.next (its state file, the one that says the
 * set is complete, last); then DIR moves to DIR.prev, DIR.next to DIR, and DIR.prev is removed. A
 * kill at any point leaves a complete set that `recoverCheckpoint` finds: never epoch-n weights beside
 * an epoch-(n−1) state. `carry` names files of the current set kept when `write` did not make them
 * (e.g. the best epoch's weights, written only when an epoch improves).
 */
export function commitCheckpoint(dir: string, write: (tmp: string) => void, carry: readonly string[] = []): void {
  const next = `${dir}.next`;
  const prev = `${dir}.prev`;
  rmSync(next, { recursive: true, force: true });
  makeDirs(next);
  write(next);
  for (const f of carry) {
    if (!existsSync(join(next, f)) && existsSync(join(dir, f))) copyFileSync(join(dir, f), join(next, f));
  }
  rmSync(prev, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, prev);
  renameSync(next, dir);
  rmSync(prev, { recursive: true, force: true });
}

/**
 * Repairs what an interrupted `commitCheckpoint` left: DIR complete (stale .next/.prev removed), or
 * DIR.next complete but not yet renamed, or only DIR.prev left. 'none' when no complete set exists.
 */
export function recoverCheckpoint(dir: string, stateFile = 'state.json'): 'complete' | 'recovered' | 'none' {
  const next = `${dir}.next`;
  const prev = `${dir}.prev`;
  const complete = (d: string) => existsSync(join(d, stateFile));
  if (complete(dir)) {
    rmSync(next, { recursive: true, force: true });
    rmSync(prev, { recursive: true, force: true });
    return 'complete';
  }
  for (const candidate of [next, prev]) {
    if (complete(candidate)) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(candidate, dir);
      rmSync(next, { recursive: true, force: true });
      rmSync(prev, { recursive: true, force: true });
      return 'recovered';
    }
  }
  return 'none';
}

/**
 * Refuses to resume a checkpoint made for another run: `saved` and `current` are the identities
 * (settings that must not change mid-training: mode or preset, batch size, data, seed…) recorded in
 * and computed for the run; every differing key is named. A checkpoint without an identity (written
 * before identities existed) is accepted with a warning through `warn`.
 */
export function checkResumable(statePath: string, saved: Record<string, unknown> | undefined, current: Record<string, unknown>, warn: (line: string) => void): void {
  if (saved === undefined) {
    warn(`${statePath}: the checkpoint records no run identity (an older version wrote it); resuming without checking that it belongs to this run`);
    return;
  }
  const a = flatten(saved);
  const b = flatten(current);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const differ = keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  if (differ.length) {
    const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 80));
    throw new InputError(statePath, `the checkpoint belongs to another run: ${differ.map((k) => `${k} ${show(a[k])} there, ${show(b[k])} here`).join('; ')} (train into a new directory, or drop --resume to start over)`);
  }
}

/** Nested plain objects as dotted keys (arrays and other values stay whole): differences name the leaf. */
function flatten(o: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/** sha256 of strings or typed arrays, in order: a short identity of a data set for checkResumable. */
export function dataHash(items: Iterable<string | ArrayBufferView>): string {
  const h = createHash('sha256');
  for (const x of items) {
    if (typeof x === 'string') h.update(`${x.length}:${x}`);
    else h.update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}
