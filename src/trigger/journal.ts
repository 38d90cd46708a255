/**
 * The trigger run's journal: one JSON line per event of the run, appended and fsynced as it happens,
 * so that a run killed at any point leaves a record of every frame it finished. `trigger --resume`
 * reads it back: frames it lists whose .roi file is still complete are not processed again, and
 * summary.json is rebuilt from it.
 *
 * Lines: a 'run' line opens each attempt (the run's identity: score, τ, radius and the digests of
 * what made the outputs); 'frame' lines record a written frame, 'failed' lines a frame (or a whole
 * file) that could not be processed. A torn last line (a kill during the write) is ignored.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';

export const JOURNAL_FILE = 'journal.jsonl';

/** What must be the same for a resumed run to continue an earlier one. */
export interface RunIdentity {
  score: string;
  tau: number;
  closingRadius: number;
  statsSha256: string | null;
  calibrationSha256: string | null;
  modelSha256: string | null;
}

export interface StageTimes {
  read: number;
  preprocess: number;
  score: number;
  roi: number;
  write: number;
}

export interface JournalRun {
  kind: 'run';
  started: string;
  resumed: boolean;
  identity: RunIdentity;
}

export interface JournalFrame {
  kind: 'frame';
  source: string;
  frameIndex: number;
  /** Frames the source file holds: when every one is journalled, a resumed run need not read the file (0: a streamed file, always read again). */
  framesInFile: number;
  output: string;
  keptFractionAnalysis: number;
  keptFractionRaw: number;
  rois: number;
  /** This frame's milliseconds per stage (its file's read time shared among its frames). */
  ms: StageTimes;
}

export interface JournalFailure {
  kind: 'failed';
  source: string;
  /** null: the whole file (its frame count unknown). */
  frameIndex: number | null;
  reason: string;
}

export type JournalLine = JournalRun | JournalFrame | JournalFailure;

/** Appends lines to OUT/journal.jsonl, each fsynced before append() returns. */
export class Journal {
  private constructor(private readonly fd: number) {}

  /** Opens (or creates) the journal for appending; a torn last line of a killed run is cut off first. */
  static open(outDir: string): Journal {
    const path = join(outDir, JOURNAL_FILE);
    try {
      if (existsSync(path)) {
        const text = readFileSync(path);
        const end = text.lastIndexOf(0x0a) + 1; // after the last complete line
        if (end < text.length) truncateSync(path, end);
      }
      return new Journal(openSync(path, 'a'));
    } catch (err) {
      throw new InputError(path, `cannot open the run journal: ${(err as Error).message}`);
    }
  }

  append(line: JournalLine): void {
    writeSync(this.fd, JSON.stringify(line) + '\n');
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Lines of OUT/journal.jsonl (none when there is no journal); `torn` when the last line was cut short. */
export function readJournal(outDir: string): { lines: JournalLine[]; torn: boolean } {
  const path = join(outDir, JOURNAL_FILE);
  if (!existsSync(path)) return { lines: [], torn: false };
  const text = readFileSync(path, 'utf8');
  const parts = text.split('\n');
  const last = parts.pop()!; // '' when the file ends with a newline
  const lines: JournalLine[] = [];
  parts.forEach((p, i) => {
    if (p === '') return;
    try {
      lines.push(JSON.parse(p) as JournalLine);
    } catch {
      throw new InputError(path, `line ${i + 1} is not JSON: the journal is damaged (${p.slice(0, 60)}…)`);
    }
  });
  return { lines, torn: last !== '' };
}

/** The fields of two identities that differ, as 'name: earlier → now'. */
export function identityDifferences(earlier: RunIdentity, now: RunIdentity): string[] {
  const keys = Object.keys(now) as (keyof RunIdentity)[];
  return keys.filter((k) => earlier[k] !== now[k]).map((k) => `${k}: ${String(earlier[k])} → ${String(now[k])}`);
}

/**
 * The frames finished by earlier attempts, by `source#frameIndex`, the last record of each winning;
 * and the identity of the first attempt (a resume must match it).
 */
export function finishedFrames(lines: readonly JournalLine[]): { identity: RunIdentity | null; frames: Map<string, JournalFrame> } {
  let identity: RunIdentity | null = null;
  const frames = new Map<string, JournalFrame>();
  for (const l of lines) {
    if (l.kind === 'run' && identity === null) identity = l.identity;
    if (l.kind === 'frame') frames.set(frameKey(l.source, l.frameIndex), l);
  }
  return { identity, frames };
}

export function frameKey(source: string, frameIndex: number): string {
  return `${source}#${frameIndex}`;
}
