/**
 * Golden-file comparison for rendered output (STYLE point 8). The stored file under __golden__ is the
 * reviewed rendering; a mismatch writes `<name>-changed.<ext>` beside it to open and diff, and fails.
 * UPDATE_GOLDEN=1 writes (or replaces) the golden instead — the only way one is created, so a missing
 * golden never passes silently.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '__golden__');

export function changedPath(name: string): string {
  const ext = extname(name);
  return join(GOLDEN_DIR, `${name.slice(0, name.length - ext.length)}-changed${ext}`);
}

export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  const changed = changedPath(name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    rmSync(changed, { force: true });
    return;
  }
  if (!existsSync(path)) {
    writeFileSync(changed, actual);
    throw new Error(`golden ${path} is missing; look at ${changed} and rerun with UPDATE_GOLDEN=1 to accept it`);
  }
  const expected = readFileSync(path, 'utf8').replace(/\r\n/g, '\n');
  if (expected !== actual.replace(/\r\n/g, '\n')) {
    writeFileSync(changed, actual);
    throw new Error(`${name} differs from its golden; the new rendering is in ${changed} (UPDATE_GOLDEN=1 accepts it)`);
  }
  rmSync(changed, { force: true });
}
