/**
 * Replayable streams of frames from files: statistics need two passes and runs do not fit in memory,
 * so a sequence re-reads its files each time it is iterated. Multi-frame files (a .npy stack, a
 * multi-page TIFF) yield every frame in order.
 */
import type { Frame } from '../core/frame.js';
import { iterateFrames } from './frames.js';

export type FrameSequence = () => AsyncIterable<Frame>;

export function fileSequence(paths: string[]): FrameSequence {
  return async function* () {
    for (const path of paths) {
      yield* iterateFrames(path); // TIFF pages one at a time: a 200-page file is never held twice
    }
  };
}
