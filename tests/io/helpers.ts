/**
 * Shared test helpers for the io tests: scratch directories, deterministic pixel generators, and
 * the location of the real detector files (read in place, never copied).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/core/rng.js';
import { makeFrame, type Frame } from '../../src/core/frame.js';
import { InputError } from '../../src/core/errors.js';
import { expect } from 'vitest';

/** A fresh scratch directory; remove it with removeScratch in afterAll. */
export function scratchDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `tpcvision-${label}-`));
}

export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Names of leftovers of atomic writes (`*.tmp-*`) in a directory. */
export function tmpLeftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.includes('.tmp-'));
}

export function u16Frame(width: number, height: number, seed: number): Frame<Uint16Array> {
  const rng = new Rng(seed);
  const d = new Uint16Array(width * height);
  for (let i = 0; i < d.length; i++) d[i] = rng.int(0, 65535);
  return makeFrame(width, height, d);
}

export function f32Frame(width: number, height: number, seed: number): Frame<Float32Array> {
  const rng = new Rng(seed);
  const d = new Float32Array(width * height);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal(100, 30);
  return makeFrame(width, height, d);
}

/** Bitwise equality of two pixel arrays of the same type (NaN equals NaN, -0 differs from 0). */
export function samePixels(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * /work/shared/data/real, found from this file (tests/io → repo → its parent), or null if absent so
 * that the tests reading it skip on a developer's machine. In CI (CI set) a missing folder is an
 * error: the run must not pass without having read the real files.
 */
export function realDataDir(): string | null {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [resolve(here, '../../../shared/data/real'), resolve(process.cwd(), '../shared/data/real')];
  const found = candidates.find((c) => existsSync(c)) ?? null;
  if (found === null && process.env.CI) throw new Error(`CI: ${REAL_DATA_MISSING.replace(': skipping', ', needed by')} (looked in ${candidates.join(', ')})`);
  return found;
}

export const REAL_DATA_MISSING =
  'real detector files not found at ../shared/data/real (next to the repository): skipping the tests that read them';

/** The InputError `fn` throws (the test fails if it throws nothing or something else). */
export function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}
