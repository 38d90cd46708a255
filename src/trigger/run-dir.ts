/**
 * The trigger's output directory as a resource a run owns: names that cannot silently collide, a lock
 * so that two runs never write into one directory at once, and a refusal to mix a new run's files
 * with an old run's.
 *
 * Names: a frame's .roi file is named after its input's path relative to the inputs' common folder
 * (a/st.npy and b/st.npy → a/st.roi and b/st.roi), frames of a stack get _NNNN; a name that still
 * repeats (a stack st.npy beside a file st_0001.npy) is refused for the second frame, which is listed
 * as failed with both sources named — never written over the first.
 * Lock: OUT/.tpcvision.lock, created exclusively, holding the pid and host; a lock whose process is
 * gone (same host) is taken over with a warning.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { InputError } from '../core/errors.js';
import { frameFileStem } from '../io/frames.js';
import { JOURNAL_FILE } from './journal.js';

export const LOCK_FILE = '.tpcvision.lock';

/** Whether OUT holds an earlier run's output (.roi files, summary.json or a journal). */
export function holdsRunOutput(out: string): boolean {
  return listRunFiles(out).length > 0;
}

/** The deepest folder that holds every input (their common ancestor). */
export function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return '.';
  let parts = dirname(paths[0]).split(sep);
  for (const p of paths.slice(1)) {
    const q = dirname(p).split(sep);
    let k = 0;
    while (k < parts.length && k < q.length && parts[k] === q[k]) k++;
    parts = parts.slice(0, k);
  }
  return parts.join(sep) || (paths[0].startsWith(sep) ? sep : '.');
}

/** Output path (relative to OUT) of frame `i` of `path`, a file holding `count` frames. */
export function outputName(root: string, path: string, i: number, count: number): string {
  const rel = relative(root, path);
  const stem = join(dirname(rel), basename(rel, extname(rel)));
  return count > 1 ? `${stem}_${String(i).padStart(4, '0')}.roi` : `${stem}.roi`;
}

/**
 * Output path (relative to OUT) of a frame of a streamed run file (a MIDAS run), named by what the
 * frame says it is, so that a rerun or a resume names it the same: the file's stem (run01234 of
 * run01234.mid.gz), `_ev` and the event serial, and the camera bank when it is not CAM0.
 */
export function eventOutputName(root: string, path: string, meta: Record<string, unknown>): string {
  const rel = relative(root, path);
  const stem = join(dirname(rel), frameFileStem(basename(rel)));
  const event = typeof meta.event === 'number' ? String(meta.event).padStart(6, '0') : String(meta.index);
  const bank = typeof meta.bank === 'string' && meta.bank !== 'CAM0' ? `_${meta.bank}` : '';
  return `${stem}_ev${event}${bank}.roi`;
}

/** Names handed out so far in a run: the second claim of a name is refused with both sources named. */
export class OutputNames {
  private readonly owners = new Map<string, string>();
  claim(name: string, source: string): void {
    const first = this.owners.get(name);
    if (first !== undefined) throw new InputError(source, `its output ${name} is already the output of ${first}: rename one of the two inputs (nothing was written over it)`);
    this.owners.set(name, source);
  }
}

/** Whether the process that wrote a lock is alive (on this host; another host's lock is assumed alive). */
function lockAlive(lock: { pid?: number; host?: string }): boolean {
  if (lock.host !== hostname() || typeof lock.pid !== 'number') return true;
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes OUT for this run: refuses a directory another live run holds, and one with an earlier run's
 * output unless `overwrite` (then that run's .roi files, summary.json and journal are removed first)
 * or `resume` (they stay: run-trigger.ts continues from the journal). Returns the release function
 * (removes the lock).
 */
export function claimRunDirectory(out: string, o: { overwrite?: boolean; resume?: boolean; warn?: (line: string) => void } = {}): () => void {
  const lockPath = join(out, LOCK_FILE);
  if (existsSync(lockPath)) {
    let held: { pid?: number; host?: string; started?: string } = {};
    try {
      held = JSON.parse(readFileSync(lockPath, 'utf8'));
    } catch {
      // an unreadable lock is treated as held
    }
    if (lockAlive(held)) throw new InputError(out, `another trigger run (pid ${held.pid ?? '?'} on ${held.host ?? '?'}, since ${held.started ?? '?'}) is writing into it (${LOCK_FILE}); wait for it or choose another --out`);
    o.warn?.(`${out}: taking over the lock of a run that is gone (pid ${held.pid} on ${held.host})`);
    rmSync(lockPath, { force: true });
  }
  const earlier = listRunFiles(out);
  if (earlier.length && !o.resume) {
    if (!o.overwrite) throw new InputError(out, `holds the output of an earlier run (${earlier.length} files, e.g. ${earlier[0]}); choose another --out, give --resume to continue it or --overwrite to replace it`);
    for (const f of earlier) rmSync(join(out, f), { force: true });
    // and the folders that held only those files (deepest first)
    const folders = [...new Set(earlier.map((f) => dirname(f)).filter((d) => d !== '.'))].sort((a, b) => b.length - a.length);
    for (const d of folders) if (readdirSync(join(out, d)).length === 0) rmSync(join(out, d), { recursive: true });
  }
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx');
  } catch (err) {
    throw new InputError(out, `cannot take the run lock ${LOCK_FILE}: ${(err as Error).message}`);
  }
  writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }));
  closeSync(fd);
  return () => rmSync(lockPath, { force: true });
}

/** An earlier run's files in OUT (relative paths): .roi files at any depth, summary.json and the journal. */
function listRunFiles(out: string, rel = ''): string[] {
  const dir = join(out, rel);
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = rel ? join(rel, e.name) : e.name;
    if (e.isDirectory()) found.push(...listRunFiles(out, p));
    else if (e.name.endsWith('.roi') || (rel === '' && (e.name === 'summary.json' || e.name === JOURNAL_FILE))) found.push(p);
  }
  return found.sort();
}
