/** The commit a benchmark ran from, for its result file: 'unknown' outside a git checkout, '+dirty' with uncommitted changes to tracked files. */
import { execFileSync } from 'node:child_process';

export function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}
