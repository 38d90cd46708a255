import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { defaultLimeConfig, resolveLimeConfig } from '../../src/config/lime.js';
import { geometryScale, meanEventsPerFrame } from '../../src/simulation/lime/derived.js';
import { monotoneCubic, vignettingMap, vignettingProfile } from '../../src/simulation/lime/optics.js';
import { lindhardQuenching, normalCdf, rotate } from '../../src/simulation/common.js';
import { electronRangeCm, muonClusterMinKeV, recoilQuenching } from '../../src/simulation/lime/physics.js';
import { expectClose } from '../helpers/close.js';

describe('LIME config', () => {
  it('defaults are the numbers of detectors.md', () => {
    const c = defaultLimeConfig();
    expect([c.camera.width, c.camera.height, c.camera.pixelPitchMm, c.camera.pedestalMean]).toEqual([2304, 2304, 0.15, 100]);
    expect([c.physics.wEv, c.physics.sigma0Mm, c.physics.lightYieldCountsPerKeV, c.physics.driftMaxCm]).toEqual([46.2, 0.35, 1700, 50]);
    expect(c.optics.vignetting.profile).toEqual([
      [0, 1],
      [600, 0.86],
      [1100, 0.56],
      [1440, 0.22],
    ]);
    expect(c.noise).toBe('structured');
    // 5.9 keV × 1.7×10³ counts/keV ≈ 10⁴ counts
    expectClose(c.events.fe55.energyKeV * c.physics.lightYieldCountsPerKeV, 1e4, 0, 0.01);
    // about 3 events per full frame
    expectClose(meanEventsPerFrame(c), 3, 1e-9);
  });

  it('rejects unknown keys, naming them with their path', () => {
    expect(() => resolveLimeConfig({ camera: { pedestalMeen: 3 } }, 'my.json')).toThrow(/my\.json: camera\.pedestalMeen: unknown key/);
    expect(() => resolveLimeConfig({ events: { weights: { er: 1, pion: 2 } } })).toThrow(/events\.weights\.pion: unknown key/);
    expect(() => resolveLimeConfig({ bogus: 1 })).toThrow(ConfigError);
    expect(() => resolveLimeConfig({ physics: { wEv: 'x' } })).toThrow(/physics\.wEv/);
    expect(() => resolveLimeConfig({ noise: 'pink' })).toThrow(/noise/);
    expect(() => resolveLimeConfig({ events: { er: { minKeV: 50, maxKeV: 10 } } })).toThrow(/events\.er\.minKeV\/maxKeV/);
    expect(() => resolveLimeConfig([1, 2])).toThrow(/expected a JSON object/);
  });

  it('merges a partial config over the defaults', () => {
    const c = resolveLimeConfig({ events: { weights: { er: 3 } }, camera: { width: 288, height: 288 } });
    expect(c.events.weights).toEqual({ ...defaultLimeConfig().events.weights, er: 3 });
    expect(c.camera.pixelPitchMm).toBe(0.15);
    // the density stays per megapixel: an eighth-size sensor (1/64 of the area) gets 3/64 events per frame
    expectClose(meanEventsPerFrame(c), 3 / 64, 1e-9);
    expect(meanEventsPerFrame(resolveLimeConfig({ events: { perFrame: 2 } }))).toBe(2);
  });
});

describe('vignetting', () => {
  it('passes through the spec points, flat at the centre, monotone, constant beyond', () => {
    const f = vignettingProfile(defaultLimeConfig());
    expectClose([0, 600, 1100, 1440, 2000].map(f), [1, 0.86, 0.56, 0.22, 0.22], 1e-12);
    expect(f(1e-3)).toBeCloseTo(1, 6); // zero slope at r = 0
    for (let r = 0; r < 1440; r += 7) expect(f(r + 7)).toBeLessThanOrEqual(f(r) + 1e-12);
  });

  it('scales its radii with the sensor (half size: 0.86 at 300 px)', () => {
    const half = resolveLimeConfig({ camera: { width: 1152, height: 1152 } });
    expect(geometryScale(half)).toBe(0.5);
    expectClose(vignettingProfile(half)(300), 0.86, 1e-12);
    const map = vignettingMap(resolveLimeConfig({ camera: { width: 64, height: 64 } }));
    expect(map[32 * 64 + 32]).toBeGreaterThan(0.999); // centre pixel
    expect(map[0]).toBeLessThan(0.3); // corner: 45 px from the centre ≈ 1629 px at full size
  });

  it('monotone cubic: hand values', () => {
    // linear data must stay linear: points (0,0) (1,1) (2,2) with end slope 1 — at 1.5 exactly 1.5
    // (the centre slope is forced to 0, which only bends the first segment)
    const f = monotoneCubic([0, 1, 2], [0, 1, 2]);
    expectClose(f(1.5), 1.5, 1e-12);
    expectClose(f(2), 2, 1e-12);
  });
});

describe('gas physics', () => {
  it('electron ranges: ~1 mm at 10 keV, a few cm at tens of keV (He:CF4, 1 atm)', () => {
    const c = defaultLimeConfig();
    expect(electronRangeCm(c, 10)).toBeGreaterThan(0.07);
    expect(electronRangeCm(c, 10)).toBeLessThan(0.15);
    expect(electronRangeCm(c, 50)).toBeGreaterThan(1.5);
    expect(electronRangeCm(c, 50)).toBeLessThan(4);
  });

  it('Lindhard quenching: a hand value; grows with energy, lower for heavier nuclei', () => {
    // F (Z 9, A 19) at 50 keV: k = 0.133·9^{2/3}/√19 = 0.13202, ε = 11.5·50·9^{−7/3} = 3.4127,
    // g = 3·ε^0.15 + 0.7·ε^0.6 + ε = 3.6065 + 1.4620 + 3.4127 = 8.4813, q = k·g/(1 + k·g) = 0.52823
    expectClose(lindhardQuenching(9, 19, 50), 0.52823, 1e-5);
    expect(recoilQuenching('f', 10)).toBeLessThan(recoilQuenching('f', 100));
    expect(recoilQuenching('f', 50)).toBeLessThan(recoilQuenching('he', 50));
    expect(recoilQuenching('he', 50)).toBeLessThan(1);
  });

  it('normal CDF and rotations: hand values', () => {
    expectClose([normalCdf(0), normalCdf(1), normalCdf(-1.96)], [0.5, 0.8413447, 0.0249979], 2e-7);
    // turning +z by 90° about azimuth 0 lands in the plane z = 0, unit length
    const r = rotate([0, 0, 1], Math.PI / 2, 0);
    expectClose(r[2], 0, 1e-12);
    expectClose(Math.hypot(...r), 1, 1e-12);
    expectClose(rotate([1, 0, 0], 0.3, 1.1)[0], Math.cos(0.3), 1e-12);
  });

  it('muon cluster spectrum reproduces the mean dE/dx', () => {
    const c = defaultLimeConfig();
    const a = muonClusterMinKeV(c);
    const b = c.events.muon.deltaMaxKeV;
    const mean = Math.log(b / a) / (1 / a - 1 / b);
    expectClose(mean * c.events.muon.clustersPerCm, c.events.muon.dEdxKeVPerCm, 0, 1e-9);
  });
});
