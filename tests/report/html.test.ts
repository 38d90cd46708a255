import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { evaluationFixture } from './fixture.js';
import { renderReport, writeReport, type ReportInput } from '../../src/report/index.js';

function input(): ReportInput {
  return {
    title: 'Evaluation of <run1>',
    evaluation: evaluationFixture(),
    provenance: {
      tool: 'tpcvision',
      version: '0.1.0',
      seed: 42,
      command: 'evaluate data/run1 --out "x" <y>',
      config: { evaluation: { referenceAreaCut: 0.978, lowEnergyRange: [1, 5] }, note: '</pre><script>' },
    },
    extraSections: [{ title: 'Training <loss>', html: '<p id="extra-probe">loss curves go here</p>' }],
  };
}

/** The <section> with the given id, up to the next section. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('renderReport', () => {
  let html = '';
  beforeAll(async () => {
    html = await renderReport(input());
  });

  test('is one self-contained page: no external resources, no scripts', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<link /);
  });

  test('one SVG per chart, each with a line per method', () => {
    const charts = section(html, 'charts');
    const svgs = charts.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(3);
    for (const svg of svgs) expect(svg.match(/aria-roledescription="line mark"/g)).toHaveLength(2);
    expect(html.match(/<svg/g)).toHaveLength(3);
    // vega's clip-path ids are renumbered per chart: no two elements of the page share an id
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.filter((id) => /^vl[0-9a-f]{8}-\d+$/.test(id)).length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('summary table holds the method names and formatted numbers', () => {
    const summary = section(html, 'summary');
    const rows = summary.match(/<tr>[\s\S]*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(3); // header + two methods
    // gaussian: coverage at area cut 0.9781 = 0.95 − 2.5·(0.1181)² = 0.95 − 0.034869 = 0.9151 (4 decimals)
    const g = rows[1];
    expect(g).toContain('<th scope="row">gaussian</th>');
    expect(g).toContain('<td class="num">0.04</td>'); // τ
    expect(g).toContain('<td class="num">91.5%</td>'); // mean coverage and coverage at 97.8%
    expect(g).toContain('<td class="num">93.5%</td>'); // median = 0.9151 + 0.02
    expect(g).toContain('<td class="num">97.81%</td>'); // mean area cut
    expect(g).toContain('<td class="num">76.5%</td>'); // 1–5 keV: 0.9151 − 0.15
    expect(g).toContain('<td class="num">24.6</td>'); // ms/frame score 24.56
    expect(g).toContain('<td class="num">3.1</td>'); // ms/frame roi
    expect(g).toContain('<td class="num">0.04 / 0.031</td>'); // calibrated τ whole / interior
    expect(g).toContain('<td class="num">6.90e-3 / 2.20e-4</td>'); // the study's 6.9×10⁻³ vs 2.2×10⁻⁴
    // ae-refined: 0.97 − 0.034869 = 0.9351; no calibration
    expect(rows[2]).toContain('<th scope="row">ae-refined</th>');
    expect(rows[2]).toContain('<td class="num">93.5%</td>');
    expect(rows[2].match(/<td class="num">–<\/td>/g)).toHaveLength(2); // no calibration; it has a model time
    expect(rows[2]).toContain('<td class="num">17.0</td>'); // ms/frame model 17.04
    expect(g.match(/<td class="num">–<\/td>/g)).toHaveLength(1); // gaussian: no model time
    expect(rows[0]).toContain('coverage at 97.8% area cut');
    expect(rows[0]).toContain('1–5 keV coverage');
  });

  test('all text is escaped', () => {
    expect(html).toContain('Refined autoencoder &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<title>Evaluation of &lt;run1&gt;</title>');
    expect(html).toContain('evaluate data/run1 --out &quot;x&quot; &lt;y&gt;');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;'); // inside the config JSON
    expect(html).toContain('<h2>Training &lt;loss&gt;</h2>');
  });

  test('panels grouped per method, as PNG data URIs of the panel size', () => {
    const panels = section(html, 'panels');
    expect(panels).toMatch(/<h3 id="panels-gaussian">gaussian<\/h3><figure class="panel example">/);
    expect(panels).toMatch(/<h3 id="panels-ae-refined">ae-refined<\/h3><figure class="panel low-coverage">/);
    const uris = [...panels.matchAll(/src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)].map((m) => m[1]);
    expect(uris).toHaveLength(6);
    for (const b64 of uris) {
      const png = PNG.sync.read(Buffer.from(b64, 'base64'));
      expect([png.width, png.height]).toEqual([16, 16]);
    }
  });

  test('near-zero-coverage events listed per method', () => {
    const low = section(html, 'low-coverage');
    expect(low.match(/<table class="events">/g)).toHaveLength(2);
    expect(low).toContain('<td>run1/frame-003</td><td class="num">7</td><td>electron</td><td class="num">0.83 keV</td><td class="num">0.0%</td>');
    expect(low).toContain('<td>run1/frame-009</td><td class="num">2</td><td>electron</td><td class="num">1.40 keV</td><td class="num">3.1%</td>');
  });

  test('extra sections and provenance footer', () => {
    expect(section(html, 'extra-0')).toContain('<p id="extra-probe">loss curves go here</p>');
    const footer = html.slice(html.indexOf('<footer'));
    expect(footer).toContain('<code>tpcvision 0.1.0</code>');
    expect(footer).toContain('<dt>seed</dt><dd><code>42</code></dd>');
    expect(footer).toMatch(/<details><summary>configuration \(JSON\)<\/summary><pre>\{\n {2}&quot;evaluation&quot;/);
    expect(html.indexOf('id="extra-0"')).toBeLessThan(html.indexOf('<footer'));
  });

  test('same input, same bytes (no timestamp unless asked)', async () => {
    expect(await renderReport(input())).toBe(html);
    const stamped = await renderReport({ ...input(), generatedAt: '2026-11-25T13:00:00Z' });
    expect(stamped).toContain('<dt>generated</dt><dd><code>2026-11-25T13:00:00Z</code></dd>');
  });
});

describe('degenerate results', () => {
  test('a method without sweep, events or panels still renders, with dashes', async () => {
    const ev = evaluationFixture();
    const m = ev.methods[1];
    Object.assign(m, {
      meanCoverage: Number.NaN,
      medianCoverage: Number.NaN,
      referenceAreaCut: 0.978,
      coverageAtReferenceCut: null,
      lowEnergyCoverage: null,
      events: 0,
      sweep: [],
      lowCoverageEvents: [],
      energyBins: m.energyBins.map((b) => ({ ...b, events: 0, medianCoverage: null, meanCoverage: null })),
    });
    ev.methods = [m];
    ev.panels = [];
    const html = await renderReport({ ...input(), evaluation: ev });
    expect(html.match(/<svg/g)).toHaveLength(3);
    expect(section(html, 'summary').match(/<td class="num">–<\/td>/g)?.length).toBeGreaterThanOrEqual(5);
    expect(section(html, 'panels')).toContain('no panels');
    expect(section(html, 'low-coverage')).toContain('none');
  });
});

describe('writeReport', () => {
  test('writes the page atomically, leaving no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpcvision-report-'));
    try {
      const path = join(dir, 'out', 'report.html');
      await writeReport(path, input());
      expect(readFileSync(path, 'utf8')).toBe(await renderReport(input()));
      expect(readdirSync(join(dir, 'out'))).toEqual(['report.html']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
