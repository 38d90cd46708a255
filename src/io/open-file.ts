/** A file descriptor for reading, or an InputError naming the file (missing, a directory, no permission). */
import { openSync } from 'node:fs';
import { InputError } from '../core/errors.js';

export function openForReading(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new InputError(path, `cannot read: ${(err as Error).message}`);
  }
}
