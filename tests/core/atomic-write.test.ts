/**
 * Output directories (issue 17, point 6): made level by level (Node's recursive mkdir spins forever
 * on procfs), proven writable before work starts, and every failure an InputError naming the path.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureWritableDir, makeDirs, writeFileAtomic } from '../../src/core/atomic-write.js';
import { InputError } from '../../src/core/errors.js';

describe('output directories', () => {
  it('makes missing parents one by one and leaves no probe behind', () => {
    const root = mkdtempSync(join(tmpdir(), 'tpcv-dirs-'));
    const deep = join(root, 'a', 'b', 'c');
    ensureWritableDir(deep);
    expect(existsSync(deep)).toBe(true);
    expect(readdirSync(deep)).toEqual([]);
    makeDirs(deep); // already there: nothing to do
    writeFileAtomic(join(root, 'x', 'y', 'z.json'), '{}');
    expect(readdirSync(join(root, 'x', 'y'))).toEqual(['z.json']);
  });

  it('a file in the way, procfs and an unwritable place are InputErrors naming the path, at once', () => {
    const root = mkdtempSync(join(tmpdir(), 'tpcv-dirs-'));
    writeFileSync(join(root, 'file'), 'x');
    expect(() => ensureWritableDir(join(root, 'file', 'out'))).toThrow(InputError);
    expect(() => ensureWritableDir(join(root, 'file', 'out'))).toThrow(/file is a file, not a directory/);
    // procfs: mkdirSync's recursive mode never returns here; ours fails on the first level
    expect(() => ensureWritableDir('/proc/tpcv-test/out')).toThrow(/^\/proc\/tpcv-test\/out: cannot create \/proc\/tpcv-test: /);
    expect(() => writeFileAtomic('/proc/tpcv-test/summary.json', '{}')).toThrow(/cannot create \/proc\/tpcv-test/);
    // a directory that exists but takes no files (procfs again: /proc/self exists, writing into it fails)
    expect(() => ensureWritableDir('/proc/self')).toThrow(/^\/proc\/self: cannot write into the output directory: /);
  });
});
