/**
 * `tpcvision export`: frames out of what tpcvision holds, for the offline reconstruction. A `.roi`
 * file (the trigger's output) becomes its full-size frame — the kept pixels in their original
 * pixel type, 0 elsewhere — and any other readable frame file is converted as it is. One output file
 * per input, named after the input's stem, in the format asked for (.npy, .tif, .h5 where
 * io/frames.ts writes it); a file of several frames becomes a stack (.npy (N, H, W), TIFF pages).
 * Every input is accounted for: one that cannot be read or written is listed with its reason and
 * the others go on; outputs are written atomically.
 */
import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { errorMessage } from '../core/errors.js';
import { makeFrame, type Frame } from '../core/frame.js';
import { frameFileStem, iterateFrames, writeFrames } from '../io/frames.js';
import { readRoiFrame } from './compress.js';

export interface ExportResult {
  written: { input: string; output: string; frames: number }[];
  failed: { input: string; reason: string }[];
}

/** The full-size frame a `.roi` file stores: kept pixels in their dtype, 0 outside the ROI mask. */
export function roiFileFrame(path: string): Frame {
  const roi = readRoiFrame(path);
  return makeFrame(roi.width, roi.height, roi.values, { ...roi.meta, source: path, index: 0, rois: roi.rois });
}

/** Output name of `input` in `outDir` with extension `ext` (".npy"): the input's stem, .mid.gz counted as one extension. */
export function exportName(outDir: string, input: string, ext: string): string {
  return join(outDir, `${frameFileStem(basename(input))}${ext}`);
}

export async function exportFrames(inputs: readonly string[], outDir: string, ext: string, onFile: (input: string) => void = () => {}): Promise<ExportResult> {
  mkdirSync(outDir, { recursive: true });
  const result: ExportResult = { written: [], failed: [] };
  const taken = new Map<string, string>();
  for (const input of inputs) {
    onFile(input);
    try {
      const output = exportName(outDir, input, ext);
      const first = taken.get(output);
      if (first !== undefined) throw new Error(`its output ${output} is already the output of ${first}: export them to different directories`);
      const frames: Frame[] = [];
      if (extname(input).toLowerCase() === '.roi') frames.push(roiFileFrame(input));
      else for await (const f of iterateFrames(input)) frames.push(f);
      await writeFrames(output, frames); // HDF5 writes asynchronously
      taken.set(output, input);
      result.written.push({ input, output, frames: frames.length });
    } catch (err) {
      result.failed.push({ input, reason: errorMessage(err) });
    }
  }
  return result;
}
