/**
 * Every command, run with bad arguments through the built CLI (dist/ via bin/tpcvision.js), exits
 * with its documented code and one line naming the file or option at fault, never a stack trace.
 * The commands come from buildProgram(), so a new command without a case here fails the first test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { encodeNpy } from '../../src/io/npy.js';
import { writeMigdalFeather } from '../../src/io/feather.js';

const BIN = join(process.cwd(), 'bin', 'tpcvision.js');
const dir = mkdtempSync(join(tmpdir(), 'tpcv-badargs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// fixtures: a dataset of no samples, a valid stack of two 64×64 frames and its statistics, a .npy stack of no frames, an empty directory,
// a config file that is not JSON, one with an unknown key
const frame = join(dir, 'frame.npy');
writeFileSync(frame, encodeNpy([2, 64, 64], Uint16Array.from({ length: 2 * 64 * 64 }, (_, i) => 100 + ((7 * i) % 5))));
const noFrames = join(dir, 'no-frames.npy');
writeFileSync(noFrames, encodeNpy([0, 64, 64], new Uint16Array(0)));
const stats = join(dir, 'stats');
const noSamples = join(dir, 'no-samples.feather');
writeMigdalFeather(noSamples, []);
// a calibration that also calibrates an autoencoder (as the demo's does), made from a real one
const calib = join(dir, 'calibration.json');
const calibAe = join(dir, 'calibration-ae.json');
// statistics of other frames: the calibration above does not belong to them
const otherFrame = join(dir, 'other-frame.npy');
writeFileSync(otherFrame, encodeNpy([2, 64, 64], Uint16Array.from({ length: 2 * 64 * 64 }, (_, i) => 110 + ((3 * i) % 7))));
const otherStats = join(dir, 'other-stats');
beforeAll(() => {
  const o = spawnSync('node', [BIN, 'pedestals', otherFrame, '--out', otherStats], { encoding: 'utf8' });
  expect(o.status, o.stderr).toBe(0);
  const r = spawnSync('node', [BIN, 'pedestals', frame, '--out', stats], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const c = spawnSync('node', [BIN, 'calibrate', otherFrame, '--stats', stats, '--out', calib, '--score', 'gaussian'], { encoding: 'utf8' });
  expect(c.status, c.stderr).toBe(0);
  const file = JSON.parse(readFileSync(calib, 'utf8'));
  file.methods.push({ ...file.methods[0], name: 'ae-baseline' });
  writeFileSync(calibAe, JSON.stringify(file));
});
const empty = join(dir, 'empty');
mkdirSync(empty);
const brokenJson = join(dir, 'broken.json');
writeFileSync(brokenJson, '{"roi": ');
const unknownKey = join(dir, 'unknown-key.json');
writeFileSync(unknownKey, JSON.stringify({ roi: { closingRadiusPx: 3 } }));
const missing = join(dir, 'missing');
const out = join(dir, 'out');

interface Case {
  /** Command path as `tpcvision` shows it ('' for the program itself). */
  command: string;
  args: string[];
  code: number;
  /** What the message must name: the file or option at fault. */
  names: string;
}

const USAGE = EXIT.internalOrUsage; // commander's own code for its usage errors

const CASES: Case[] = [
  { command: '', args: ['no-such-command'], code: USAGE, names: "unknown command 'no-such-command'" },
  { command: 'simulate', args: ['geant4'], code: USAGE, names: "unknown command 'geant4'" },
  { command: 'simulate lime', args: ['--out', out, '--seed', '1.5'], code: EXIT.badInput, names: '--seed' },
  { command: 'simulate lime', args: ['--out', out, '--config', unknownKey], code: EXIT.badInput, names: unknownKey },
  { command: 'simulate lime', args: ['--out', out, '--size', '4096x32'], code: EXIT.badInput, names: "--size sides must be ≥ 64, got '4096x32'" },
  { command: 'simulate migdal', args: ['--out', out, '--events', 'many'], code: EXIT.badInput, names: '--events' },
  { command: 'simulate migdal', args: ['--out', out, '--config', brokenJson], code: EXIT.badInput, names: brokenJson },
  { command: 'pedestals', args: [missing, '--out', out], code: EXIT.badInput, names: missing },
  { command: 'pedestals', args: [empty, '--out', out], code: EXIT.badInput, names: empty },
  { command: 'pedestals', args: [frame, '--out', out, '--size', 'tiny'], code: EXIT.badInput, names: '--size' },
  { command: 'pedestals', args: [frame, '--out', out, '--bin', '2.5'], code: EXIT.badInput, names: '--bin' },
  { command: 'pedestals', args: [frame, '--out', out, '--dark', missing], code: EXIT.badInput, names: missing },
  { command: 'pedestals', args: [frame, '--out', out, '--config', brokenJson], code: EXIT.badInput, names: brokenJson },
  { command: 'pedestals', args: [noFrames, '--out', out], code: EXIT.badInput, names: noFrames },
  { command: 'pedestals', args: [frame], code: USAGE, names: '--out' },
  { command: 'calibrate', args: [frame, '--stats', empty, '--out', out], code: EXIT.badInput, names: empty },
  { command: 'calibrate', args: [frame, '--stats', empty, '--out', out, '--score', 'sobel'], code: EXIT.badInput, names: '--score' },
  { command: 'calibrate', args: [frame, '--stats', empty, '--out', out, '--model', 'no-equals-sign'], code: EXIT.badInput, names: '--model' },
  { command: 'calibrate', args: [noFrames, '--stats', stats, '--out', out, '--score', 'gaussian'], code: EXIT.badInput, names: noFrames },
  { command: 'calibrate', args: [frame, '--stats', stats, '--out', out, '--target', 'most'], code: EXIT.badInput, names: '--target' },
  { command: 'calibrate', args: [frame, '--stats', stats, '--out', out], code: EXIT.badInput, names: `${stats}: was computed from 1 of the 1 files given to calibrate` },
  { command: 'trigger', args: [frame, '--stats', missing, '--out', out], code: EXIT.badInput, names: missing },
  { command: 'trigger', args: [frame, '--stats', empty, '--out', out, '--score', 'sobel'], code: EXIT.badInput, names: '--score' },
  { command: 'trigger', args: [frame, '--stats', stats, '--out', out, '--calibration', missing], code: EXIT.badInput, names: missing },
  { command: 'trigger', args: [frame, '--stats', stats, '--out', out, '--config', unknownKey], code: EXIT.badInput, names: unknownKey },
  { command: 'trigger', args: [frame, '--stats', stats, '--out', '/proc/tpcv-no-out', '--tau', '5', '--radius', '1'], code: EXIT.badInput, names: '/proc/tpcv-no-out: cannot create' },
  { command: 'trigger', args: [frame, '--stats', stats, '--out', out], code: EXIT.badInput, names: "--calibration no τ for score 'gaussian'" },
  { command: 'evaluate', args: [empty, '--stats', empty, '--calibration', missing, '--out', out], code: EXIT.badInput, names: empty },
  { command: 'evaluate', args: [empty, '--stats', stats, '--calibration', missing, '--out', out], code: EXIT.badInput, names: missing },
  { command: 'evaluate', args: [empty, '--stats', stats, '--calibration', calibAe, '--out', out], code: EXIT.badInput, names: "calibrates 'ae-baseline', trained models: give each with --model NAME=DIR" },
  { command: 'evaluate', args: [empty, '--stats', stats, '--calibration', calibAe, '--out', out, '--model', `ae-baseline=${empty}`], code: EXIT.badInput, names: `${empty}: not a trained autoencoder directory` },
  { command: 'evaluate', args: [empty, '--stats', stats, '--calibration', calib, '--out', out, '--score', 'unknown'], code: EXIT.badInput, names: "unknown score 'unknown' (available: gaussian" },
  { command: 'trigger', args: [frame, '--stats', stats, '--calibration', calib, '--out', out, '--score', 'unknown'], code: EXIT.badInput, names: "unknown score 'unknown' (available: gaussian" },
  { command: 'trigger', args: [frame, '--stats', otherStats, '--calibration', calib, '--out', out], code: EXIT.badInput, names: `${calib}: was made with other pedestal statistics` },
  { command: 'evaluate', args: [empty, '--stats', otherStats, '--calibration', calib, '--out', out], code: EXIT.badInput, names: `${calib}: was made with other pedestal statistics` },
  { command: 'train', args: [frame, '--stats', empty, '--out', out, '--seed', 'abc'], code: EXIT.badInput, names: '--seed' },
  { command: 'train', args: [frame, '--stats', empty, '--out', out, '--epochs', '2.5'], code: EXIT.badInput, names: '--epochs' },
  { command: 'train', args: [frame, '--stats', empty, '--out', out], code: EXIT.badInput, names: empty },
  { command: 'train', args: [noFrames, '--stats', stats, '--out', out, '--epochs', '1'], code: EXIT.badInput, names: noFrames },
  { command: 'model', args: ['weights'], code: USAGE, names: "unknown command 'weights'" },
  { command: 'model summary', args: ['--size', '100'], code: EXIT.badInput, names: '--size' },
  { command: 'oasis', args: ['predict'], code: USAGE, names: "unknown command 'predict'" },
  { command: 'oasis train', args: ['--data', missing, '--out', out, '--preset', 'heavy'], code: EXIT.badInput, names: '--preset' },
  { command: 'oasis train', args: ['--data', missing, '--out', out, '--engine', 'gpu'], code: EXIT.badInput, names: '--engine' },
  { command: 'oasis train', args: ['--data', noSamples, '--out', out, '--engine', 'cpu'], code: EXIT.badInput, names: noSamples },
  { command: 'oasis evaluate', args: ['--model', empty, '--data', missing, '--out', out, '--engine', 'gpu'], code: EXIT.badInput, names: '--engine' },
  { command: 'oasis evaluate', args: ['--model', empty, '--data', missing, '--out', out, '--engine', 'cpu'], code: EXIT.badInput, names: missing },
  { command: 'oasis evaluate', args: ['--model', empty, '--data', noSamples, '--out', out, '--engine', 'cpu'], code: EXIT.badInput, names: noSamples },
  { command: 'oasis evaluate', args: ['--model', empty, '--data', noSamples, '--out', out, '--boxes', missing], code: EXIT.badInput, names: missing },
  { command: 'oasis evaluate', args: ['--model', empty, '--data', noSamples, '--out', out, '--boxes', missing, '--window-box', 'valid'], code: EXIT.badInput, names: '--boxes' },
  { command: 'inspect', args: [missing], code: EXIT.badInput, names: `${missing}: no such file` },
  { command: 'export', args: [frame, '--out', out, '--format', 'fits'], code: EXIT.badInput, names: "--format 'fits' is not one of npy, tiff, h5" },
  { command: 'export', args: [missing, '--out', out], code: EXIT.badInput, names: `${missing}: no such file or directory` },
  { command: 'demo', args: ['--out', out, '--seed', 'one'], code: EXIT.badInput, names: '--seed' },
  { command: 'demo', args: ['--out', out, '--ae-epochs', '-1'], code: EXIT.badInput, names: '--ae-epochs' },
];

/** Runs the CLI without blocking, so the cases can run side by side. */
function run(argv: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('node', [BIN, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (status) => done({ status, stderr }));
  });
}

/** Every command path of the program, parents included ('' is the program itself). */
function commandPaths(cmd: Command, prefix: string[] = []): string[] {
  return [prefix.join(' '), ...cmd.commands.flatMap((c) => commandPaths(c, [...prefix, c.name()]))];
}

describe('bad arguments', () => {
  it('every command of the program has at least one case', () => {
    const paths = commandPaths(buildProgram());
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((p) => !CASES.some((c) => c.command === p))).toEqual([]);
    expect(CASES.filter((c) => !paths.includes(c.command)).map((c) => c.command)).toEqual([]);
  });

  it.concurrent.each(CASES.map((c) => [`${c.command} ${c.args.join(' ')}`.trim(), c] as const))('%s', async (_label, c) => {
    const r = await run([...(c.command ? c.command.split(' ') : []), ...c.args]);
    expect(r.status, r.stderr).toBe(c.code);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toContain(c.names);
    if (c.code === EXIT.badInput) {
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^tpcvision: /);
    } else {
      expect(lines[0]).toMatch(/^error: /); // commander's message, then the usage
    }
  });
});
