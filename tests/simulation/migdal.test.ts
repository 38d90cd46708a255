/**
 * MIGDAL simulator: config defaults and errors, truth consistency, energy scale, quenching, the shared
 * vertex, NR-only events, ER direction, reproducible Feather bytes, run provenance and the CLI verb.
 * Events are kept few and cheap (small NRs and no camera noise where the test does not need them).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { buildMigdalCamera } from '../../src/simulation/migdal/camera.js';
import { defaultMigdalConfig, nrMaxKeV, resolveMigdalConfig, type MigdalConfigInput } from '../../src/config/migdal.js';
import { migdalContext, simulateMigdalEvent, type MigdalEvent } from '../../src/simulation/migdal/event.js';
import { simulateMigdalRun } from '../../src/simulation/migdal/run.js';
import { quenchingFactor } from '../../src/simulation/migdal/tracks.js';
import { registerSimulateMigdal } from '../../src/cli/commands/simulate-migdal.js';
import { expectClose } from '../helpers/close.js';

const scratch = mkdtempSync(join(tmpdir(), 'tpcvision-migdal-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NO_NOISE = { camera: { residualOffsetAdu: 0, readNoiseAdu: 0, hotPixelsPerFrame: 0 } } as const;
/** NRs from 200 keV neutrons: F recoils ≤ 38 keV, so events are cheap when the NR is not under test. */
const SMALL_NR = { nr: { neutronKeV: 200, minKeV: 5 } } as const;

function events(partial: MigdalConfigInput | Record<string, unknown>, n: number, kind: 'hybrid' | 'nr-only' = 'hybrid', seed = 11): MigdalEvent[] {
  const cfg = resolveMigdalConfig(partial);
  const ctx = migdalContext(cfg, seed, buildMigdalCamera(cfg, seed));
  return Array.from({ length: n }, (_, i) => simulateMigdalEvent(ctx, i, kind));
}

const sum = (a: Float32Array): number => a.reduce((s, v) => s + v, 0);

describe('config', () => {
  it('carries the MIGDAL facts of the spec as defaults', () => {
    const c = defaultMigdalConfig();
    expect([c.image.width, c.image.height, c.gas.wEv, c.gas.pressureTorr, c.gem.totalGain]).toEqual([512, 288, 34.2, 50, 2000]);
    expectClose(c.gem.aduPerKeV * 5.9, 24500, 1e-6); // ⁵⁵Fe spot sums to 2.45×10⁴ ADU
    expectClose(c.image.pixelMm * 512, 80, 1e-9); // 8 cm field
    // 4A/(1+A)²·2450 keV: F (A = 19) 76/400·2450 = 465.5; C (A = 12) 48/169·2450 = 695.9
    expectClose(nrMaxKeV(c, 'f'), 465.5, 1e-9);
    expectClose(nrMaxKeV(c, 'c'), 695.86, 0.01);
  });

  it('rejects unknown keys and bad ranges, naming the key', () => {
    expect(() => resolveMigdalConfig({ gas: { wEV: 30 } }, 'my.json')).toThrow(/my\.json: gas\.wEV: unknown key/);
    expect(() => resolveMigdalConfig({ er: { minKeV: 20, maxKeV: 15 } })).toThrow(ConfigError);
    expect(() => resolveMigdalConfig({ gas: { vertexDepthCm: [0.5, 4] } })).toThrow(/driftGapCm/);
    expect(() => resolveMigdalConfig([1])).toThrow(/expected a JSON object/);
    expect(() => resolveMigdalConfig({ events: { fixedVertexPx: [600, 10] } })).toThrow(/fixedVertexPx.*outside the 512×288 image/);
    expect(() => resolveMigdalConfig({ nr: { species: { f: { a: 19, z: 9, weight: 1, rangeMmAt100KeV: 1.7, q: 1 } } } })).toThrow(/nr.species.f.q: unknown key/);
  });
});

describe('events', () => {
  it('truth is consistent: without camera noise the input is exactly ER + NR; with it the residual is the noise', () => {
    for (const ev of events({ ...NO_NOISE, ...SMALL_NR }, 3)) {
      for (let i = 0; i < ev.input.length; i++) {
        if (ev.input[i] !== Math.fround(ev.er[i] + ev.nr[i])) throw new Error(`pixel ${i}: ${ev.input[i]} ≠ ${ev.er[i]} + ${ev.nr[i]}`);
      }
      expect(sum(ev.er)).toBeGreaterThan(0);
      expect(sum(ev.nr)).toBeGreaterThan(0);
    }
    const [ev] = events(SMALL_NR, 1);
    let m = 0;
    let m2 = 0;
    for (let i = 0; i < ev.input.length; i++) {
      const r = ev.input[i] - ev.er[i] - ev.nr[i];
      m += r;
      m2 += r * r;
    }
    m /= ev.input.length;
    const sd = Math.sqrt(m2 / ev.input.length - m * m);
    expect(Math.abs(m)).toBeLessThan(0.3); // hot pixels add a little
    expect(sd).toBeGreaterThan(2.5); // read noise ~3 ADU (log-normal spread) plus 0.5 ADU offsets
    expect(sd).toBeLessThan(6);
  });

  it('a 5.9 keV ER at the centre sums to 2.45×10⁴ ADU within 10% (30 events), times the vignetting', () => {
    const base = { ...NO_NOISE, ...SMALL_NR, er: { minKeV: 5.9, maxKeV: 5.9 }, events: { fixedVertexPx: [256, 144] } };
    const flat = events({ ...base, image: { vignetting: [[0, 1]] } }, 30);
    const mean = flat.reduce((s, ev) => s + sum(ev.er), 0) / flat.length;
    expect(Math.abs(mean / 24500 - 1)).toBeLessThan(0.1);
    for (const ev of flat) expect(ev.erEnergyKeV).toBeCloseTo(5.9, 9); // vertex at 0.5–2.5 cm: the 3 mm ER stays in the gap
    // with the default vignetting the response within ~20 px of the centre is 0.97–1.0
    const vig = events(base, 30);
    const ratio = vig.reduce((s, ev) => s + sum(ev.er), 0) / vig.length / mean;
    expect(ratio).toBeGreaterThan(0.93);
    expect(ratio).toBeLessThanOrEqual(1.01);
  });

  it('NR visible energy is below the recoil energy (quenching), and equal without quenching', () => {
    const evs = events({ ...NO_NOISE }, 4);
    for (const ev of evs) {
      expect(ev.nrVisibleKeV).toBeLessThan(ev.nrEnergyKeV);
      expect(ev.nrEnergyKeV).toBeLessThanOrEqual(nrMaxKeV(defaultMigdalConfig(), ev.nrSpecies) + 1e-9);
      expect(ev.nrEnergyKeV).toBeGreaterThanOrEqual(20);
    }
    const c = defaultMigdalConfig();
    // Lindhard, F at 100 keV: k = 0.133·9^{2/3}/√19 = 0.1320, ε = 1150/9^{7/3} = 6.836,
    // g = 3·6.836^0.15 + 0.7·6.836^0.6 + 6.836 = 13.05 → QF = 1.723/2.723 = 0.633
    expectClose(quenchingFactor(c, 'f', 100), 0.633, 2e-3);
    const unq = events({ ...NO_NOISE, ...SMALL_NR, nr: { ...SMALL_NR.nr, quenching: false } }, 2);
    for (const ev of unq) expectClose(ev.nrVisibleKeV, ev.nrEnergyKeV, 1e-9, 1e-9);
  });

  it('ER and NR share the vertex: both have truth within 6 px of it', () => {
    for (const ev of events({ ...NO_NOISE, er: { minKeV: 3, maxKeV: 15 } }, 6, 'hybrid', 5)) {
      let er = 0;
      let nr = 0;
      const { x: vx, y: vy } = ev.vertex;
      for (let y = Math.floor(vy) - 6; y <= vy + 6; y++) {
        for (let x = Math.floor(vx) - 6; x <= vx + 6; x++) {
          if ((x + 0.5 - vx) ** 2 + (y + 0.5 - vy) ** 2 > 36) continue;
          er += ev.er[y * ev.width + x];
          nr += ev.nr[y * ev.width + x];
        }
      }
      expect(er).toBeGreaterThan(10);
      expect(nr).toBeGreaterThan(10);
    }
  });

  it('ER direction is a unit vector in the image plane pointing along the track', () => {
    const evs = events({ ...NO_NOISE, ...SMALL_NR, er: { minKeV: 10, maxKeV: 15 } }, 12, 'hybrid', 9);
    let along = 0;
    for (const ev of evs) {
      expectClose(Math.hypot(ev.erDir[0], ev.erDir[1]), 1, 1e-12);
      let sx = 0;
      let sy = 0;
      let s = 0;
      for (let i = 0; i < ev.er.length; i++) {
        sx += (i % ev.width) * ev.er[i];
        sy += Math.floor(i / ev.width) * ev.er[i];
        s += ev.er[i];
      }
      if ((sx / s - ev.vertex.x) * ev.erDir[0] + (sy / s - ev.vertex.y) * ev.erDir[1] > 0) along++;
    }
    expect(along).toBeGreaterThanOrEqual(9); // multiple scattering can turn a few tracks back
  });

  it('NR-only events have an empty ER image', () => {
    for (const ev of events({ ...NO_NOISE, ...SMALL_NR }, 3, 'nr-only')) {
      expect(ev.er.every((v) => v === 0)).toBe(true);
      expect([ev.erEnergyKeV, ev.erDir[0], ev.erDir[1]]).toEqual([0, 0, 0]);
      expect(sum(ev.nr)).toBeGreaterThan(0);
    }
  });
});

describe('runs', () => {
  const cfg = resolveMigdalConfig(SMALL_NR);
  const run = (dir: string, seed: number) => simulateMigdalRun({ config: cfg, outDir: join(scratch, dir), events: 3, nrOnly: 2, seed });

  it('the same seed gives the same Feather bytes; another seed does not', () => {
    const a = run('a', 4);
    const b = run('b', 4);
    const c = run('c', 5);
    const bytes = (p: string) => readFileSync(p);
    expect(bytes(a.feather).equals(bytes(b.feather))).toBe(true);
    expect(bytes(a.feather).equals(bytes(c.feather))).toBe(false);
    expect([a.hybrid, a.nrOnly]).toEqual([3, 2]);
  });

  it('writes run.json with seed, resolved config, counts and version', () => {
    const r = run('prov', 8);
    const prov = JSON.parse(readFileSync(r.runJson, 'utf8'));
    expect(prov.seed).toBe(8);
    expect(prov.counts).toEqual({ hybrid: 3, nrOnly: 2 });
    expect(prov.config.nr.neutronKeV).toBe(200);
    expect(typeof prov.version).toBe('string');
  });

  it('`simulate migdal` runs the library from flags', async () => {
    const program = new Command('tpcvision').exitOverride();
    registerSimulateMigdal(program.command('simulate'));
    const cfgFile = join(scratch, 'cfg.json');
    const out = join(scratch, 'cli');
    (await import('node:fs')).writeFileSync(cfgFile, JSON.stringify(SMALL_NR));
    const log = console.log;
    console.log = () => {};
    try {
      await program.parseAsync(['simulate', 'migdal', '--out', out, '--events', '1', '--nr-only', '1', '--seed', '3', '--config', cfgFile, '--json'], { from: 'user' });
    } finally {
      console.log = log;
    }
    expect(existsSync(join(out, 'migdal.feather'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).counts).toEqual({ hybrid: 1, nrOnly: 1 });
  });
});
