/** The one check of every stack writer (.npy, HDF5): frames of one size and pixel type. */
import { InputError } from '../core/errors.js';
import { dtypeOf, type Frame } from '../core/frame.js';

/** Throws an InputError naming `path` and the first frame unlike frame 0; `kind` names the stack ("a .npy stack"). */
export function checkEqualFrames(frames: readonly Frame[], path: string, kind: string): void {
  const [first] = frames;
  const dtype = dtypeOf(first.data);
  frames.forEach((f, k) => {
    if (f.width !== first.width || f.height !== first.height || dtypeOf(f.data) !== dtype) {
      throw new InputError(path, `${kind} needs equal frames: frame ${k} is ${f.width}×${f.height} ${dtypeOf(f.data)}, frame 0 is ${first.width}×${first.height} ${dtype}`);
    }
  });
}
