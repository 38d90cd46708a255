/**
 * The trigger's output directory (issue 17, points 1 and 2): output names from the inputs' relative
 * paths, a repeated name refused (never written over), a lock against a second live run (a dead run's
 * lock taken over), and an earlier run's output refused unless --overwrite, which removes it first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimRunDirectory, commonFolder, LOCK_FILE, OutputNames, outputName } from '../../src/trigger/run-dir.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'tpcv-rundir-'));

describe('output names', () => {
  it('are the inputs\' paths relative to their common folder; stacks get frame numbers', () => {
    expect(commonFolder(['/d/run1/st.npy', '/d/run2/st.npy'])).toBe('/d');
    expect(commonFolder(['/d/run1/a.npy', '/d/run1/b.npy'])).toBe('/d/run1');
    expect(commonFolder(['/d/run1/a.npy'])).toBe('/d/run1');
    expect(commonFolder(['a.npy', 'b.npy'])).toBe('.');
    expect(outputName('/d', '/d/run1/st.npy', 0, 1)).toBe('run1/st.roi');
    expect(outputName('/d', '/d/run2/st.npy', 2, 3)).toBe('run2/st_0002.roi');
    expect(outputName('/d/run1', '/d/run1/a.tif', 0, 1)).toBe('a.roi');
  });

  it('a name claimed twice is refused, naming both inputs', () => {
    const n = new OutputNames();
    n.claim('st_0001.roi', 'st.npy frame 1');
    expect(() => n.claim('st_0001.roi', 'st_0001.npy')).toThrow(/st_0001\.npy: its output st_0001\.roi is already the output of st\.npy frame 1/);
  });
});

describe('run directory', () => {
  it('a live run\'s lock refuses a second run; a dead run\'s lock is taken over with a warning', () => {
    const out = tmp();
    const release = claimRunDirectory(out);
    expect(JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => claimRunDirectory(out)).toThrow(new RegExp(`another trigger run \\(pid ${process.pid} on `));
    release();
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    // a lock left by a process that has exited
    const dead = spawnSync('node', ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), started: 'earlier' }));
    const warnings: string[] = [];
    claimRunDirectory(out, { warn: (l) => warnings.push(l) })();
    expect(warnings).toEqual([expect.stringMatching(/taking over the lock of a run that is gone/)]);
  });

  it('an earlier run\'s output is refused; --overwrite removes it (and only it) first', () => {
    const out = tmp();
    mkdirSync(join(out, 'run1'));
    writeFileSync(join(out, 'summary.json'), '{}');
    writeFileSync(join(out, 'run1', 'st.roi'), 'x');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    expect(() => claimRunDirectory(out)).toThrow(/holds the output of an earlier run \(2 files, e\.g\. run1\/st\.roi\); choose another --out, give --resume to continue it or --overwrite/);
    claimRunDirectory(out, { overwrite: true })();
    expect(readdirSync(out).sort()).toEqual(['notes.txt']); // run1/ held only the earlier output
  });
});
