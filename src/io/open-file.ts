/** A file descriptor for reading, or an InputError naming the file (missing, a directory, no permission). */
import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../core/errors.js';

export function openForReading(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new InputError(path, `cannot read: ${(err as Error).message}`);
  }
}

/** Up to `n` first bytes of a file (fewer when it is shorter); an InputError naming the file when it cannot be read. */
export function readHead(path: string, n: number): Uint8Array {
  const fd = openForReading(path);
  try {
    const buf = new Uint8Array(n);
    let got = 0;
    for (let k = 1; k > 0 && got < n; got += k) k = readSync(fd, buf, got, n - got, got);
    return buf.subarray(0, got);
  } catch (err) {
    throw new InputError(path, `cannot read: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
