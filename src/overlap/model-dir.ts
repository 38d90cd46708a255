/**
 * The overlap-separation model directory: weights.bin/json (training/checkpoint.ts format) and
 * oasis-model.json (architecture, resolved config, preset, seed, tool version, training history).
 *
 * In: a trained LayersModel and its facts (write), or a directory (read). Out: files, or the rebuilt
 * model with its metadata. Ignored: optimizer state (it lives in checkpoint/ and is only for resume).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { writeJsonAtomic } from '../core/atomic-write.js';
import { InputError } from '../core/errors.js';
import { toolVersion } from '../core/version.js';
import { buildOasisUnet } from '../models/oasis-unet.js';
import { loadModelWeights, saveModelWeights } from '../training/checkpoint.js';
import type { OasisConfig, PresetName } from './config.js';
import type { OasisEpochRecord } from './train.js';

export const OASIS_MODEL_FORMAT = 'tpcvision-oasis-model/1';

export interface OasisModelMeta {
  format: string;
  version: string;
  height: number;
  width: number;
  base: number;
  preset: PresetName;
  config: OasisConfig;
  seed: number;
  trainEvents: number;
  validationEvents: number;
  bestEpoch: number;
  history: OasisEpochRecord[];
  data: unknown;
}

export function writeOasisModel(dir: string, model: LayersModel, meta: Omit<OasisModelMeta, 'format' | 'version'>): void {
  saveModelWeights(dir, model);
  writeJsonAtomic(join(dir, 'oasis-model.json'), { format: OASIS_MODEL_FORMAT, version: toolVersion(), ...meta, parameters: model.countParams() });
}

export function readOasisMeta(dir: string): OasisModelMeta {
  const path = join(dir, 'oasis-model.json');
  let meta: OasisModelMeta;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as OasisModelMeta;
  } catch (err) {
    throw new InputError(path, `cannot read an OASIS model (${(err as Error).message}); train one with 'tpcvision oasis train'`);
  }
  if (meta.format !== OASIS_MODEL_FORMAT) throw new InputError(path, `format '${meta.format}', expected ${OASIS_MODEL_FORMAT}`);
  return meta;
}

/** The model of `dir`, rebuilt for its training image size (or `size` when given) with its weights. */
export function loadOasisModel(dir: string, size?: { height: number; width: number }): { model: LayersModel; meta: OasisModelMeta } {
  const meta = readOasisMeta(dir);
  const model = buildOasisUnet({ height: size?.height ?? meta.height, width: size?.width ?? meta.width, base: meta.base });
  loadModelWeights(dir, model);
  return { model, meta };
}
