/**
 * The positional frame inputs of pedestals, calibrate, trigger and train: files and directories → the
 * frame files in order, and a replayable sequence of their frames that fails with an InputError
 * naming the inputs when they hold no frame at all (an empty .npy stack), instead of letting a
 * stage downstream fail on an empty list.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { listFrameInputs, scanFrameDirectory, type SkippedEntry } from '../io/frames.js';
import { fileSequence, type FrameSequence } from '../io/sequence.js';

/** Frame files of the positional inputs (files or directories), in order. */
export function collectFiles(inputs: string[]): string[] {
  return collectInputs(inputs).files;
}

/** collectFiles with every directory entry that is not read, and why (io/frames.ts scanFrameDirectory). */
export function collectInputs(inputs: string[]): { files: string[]; skipped: SkippedEntry[] } {
  const parts = inputs.map((p) => listFrameInputs(p));
  const files = parts.flatMap((p) => p.files);
  if (files.length === 0) throw new InputError(inputs.join(', '), 'no frame files found (.npy, .tif, .tiff, .MTIFF, .root)');
  return { files, skipped: parts.flatMap((p) => p.skipped) };
}

/** "3 entries skipped: 2 truth file (read by evaluate), 1 dangling symlink" — counts by reason. */
export function skippedSummary(skipped: readonly SkippedEntry[]): string {
  const by = new Map<string, number>();
  for (const s of skipped) by.set(s.reason, (by.get(s.reason) ?? 0) + 1);
  return `${skipped.length} ${skipped.length === 1 ? 'entry' : 'entries'} skipped: ${[...by].map(([r, n]) => `${n} ${r}`).join(', ')}`;
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

/**
 * The inputs of `export`: files as given; a directory → its frame files and the `.roi` files in it and
 * its subdirectories (a trigger's output keeps its inputs' folders), in name order.
 */
export function collectExportInputs(inputs: string[]): string[] {
  const files: string[] = [];
  for (const p of inputs) {
    let dir: boolean;
    try {
      dir = statSync(p).isDirectory();
    } catch {
      throw new InputError(p, 'no such file or directory');
    }
    if (!dir) {
      files.push(p);
      continue;
    }
    const rois = (readdirSync(p, { recursive: true }) as string[]).filter((n) => n.toLowerCase().endsWith('.roi')).map((n) => join(p, n));
    files.push(...[...scanFrameDirectory(p).files, ...rois].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
  }
  if (files.length === 0) throw new InputError(inputs.join(', '), 'no .roi or frame files found');
  return files;
}
