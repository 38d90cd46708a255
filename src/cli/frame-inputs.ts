/**
 * The positional frame inputs of pedestals, calibrate, trigger and train: files and directories → the
 * frame files in order, and a replayable sequence of their frames that fails with an InputError
 * naming the inputs when they hold no frame at all (an empty .npy stack), instead of letting a
 * stage downstream fail on an empty list.
 */
import { InputError } from '../core/errors.js';
import { listFrameFiles } from '../io/frames.js';
import { fileSequence, type FrameSequence } from '../io/sequence.js';

/** Frame files of the positional inputs (files or directories), in order. */
export function collectFiles(inputs: string[]): string[] {
  const files = inputs.flatMap((p) => listFrameFiles(p));
  if (files.length === 0) throw new InputError(inputs.join(', '), 'no frame files found (.npy, .tif, .tiff)');
  return files;
}

/** fileSequence(files), checked on each pass: a pass that yields no frame throws. */
export function frameSequence(files: string[]): FrameSequence {
  const frames = fileSequence(files);
  return async function* () {
    let count = 0;
    for await (const frame of frames()) {
      count++;
      yield frame;
    }
    if (count === 0) throw new InputError(files.join(', '), 'holds no frames (an empty stack?)');
  };
}
