/**
 * A data run on disk: frame files with their truth beside them (frame_00000.npy ↔
 * frame_00000.truth.json), streamed frame by frame for evaluation.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { listFrameFiles, readFrames } from '../io/frames.js';
import { loadTruth } from './truth.js';
import type { DataSequence } from './evaluate-run.js';

export function truthPathFor(framePath: string): string {
  return framePath.replace(/\.(npy|tiff?|TIFF?)$/, '') + '.truth.json';
}

export function dataRunFiles(pathOrDir: string): string[] {
  const files = listFrameFiles(pathOrDir);
  if (files.length === 0) throw new InputError(pathOrDir, 'no frame files found (.npy, .tif, .tiff)');
  for (const f of files) {
    if (!existsSync(truthPathFor(f))) {
      throw new InputError(f, `no truth beside it (expected ${truthPathFor(f)}): evaluation needs per-event truth`);
    }
  }
  return files;
}

export function dataSequence(files: string[]): DataSequence {
  return async function* () {
    for (const f of files) {
      const frames = await readFrames(f);
      if (frames.length !== 1) throw new InputError(f, `expected one frame per data file, found ${frames.length}`);
      yield { frame: frames[0], truth: loadTruth(truthPathFor(f)) };
    }
  };
}
