/**
 * Writes that never leave a half-written file behind: data goes to a temporary name in the same
 * directory, then is renamed over the target (rename is atomic on one filesystem). Directories are
 * made one level at a time (makeDirs), never with mkdirSync's recursive mode, which spins forever
 * on procfs; and an output directory can be proven writable before long work starts.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from './errors.js';

/** `dir` and its missing parents, made one by one; an InputError naming `dir` when one cannot be. */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let p = resolve(dir);
  while (!existsSync(p)) {
    missing.unshift(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  if (existsSync(p) && !statSync(p).isDirectory()) throw new InputError(dir, `${p} is a file, not a directory`);
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(m).isDirectory()) continue; // made meanwhile by another process
      throw new InputError(dir, `cannot create ${m}: ${(err as Error).message}`);
    }
  }
}

/**
 * Makes `dir` and writes and removes a probe file in it: an unwritable output is an InputError naming
 * the directory before the first frame, not a failure after every one.
 */
export function ensureWritableDir(dir: string): void {
  makeDirs(dir);
  const probe = join(dir, `.tpcvision-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    throw new InputError(dir, `cannot write into the output directory: ${(err as Error).message}`);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDirs(dirname(path));
  const tmp = `${path}.tmp-${process.pid}-${Math.floor(performance.now() * 1000)}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
