/**
 * The import order of src/: every folder is declared in docs/ARCHITECTURE.md's stage table and every
 * declared folder exists; a folder imports only from itself and earlier folders; no files import each
 * other in a cycle. The checker first proves on tiny synthetic graphs that it reports each kind of
 * violation, then runs on the real tree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLayers, cyclicComponents, importSpecifiers, loadImportGraph, parseStageOrder, repoRoot, srcFolders, type ImportGraph } from './import-graph.js';

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe('the checker, on synthetic graphs', () => {
  const order = ['core', 'io', 'report'];

  it('reads the stage table: backticked src/<folder> in the first column, in table order', () => {
    const md = [
      '| folder | stage |',
      '|---|---|',
      '| `src/core` | shared |',
      '| `src/io/` | read |',
      '| `bench` | not a stage |',
      'text mentioning `src/report` outside a table',
      '| `src/report` | report |',
    ].join('\n');
    expect(parseStageOrder(md)).toEqual(['core', 'io', 'report']);
  });

  it('reads static, type-only, re-export, side-effect and dynamic imports, not those in comments or strings', () => {
    const src = [
      "// import { no } from './commented.js';",
      "import type { A } from './a.js';",
      "import { b } from '../io/b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "import './side.js';",
      "const s = \"import('./string.js')\";",
      "const m = await Promise.all([import(\n  '../report/e.js'\n)]);",
      "import { z } from 'zod';",
    ].join('\n');
    expect(importSpecifiers(src)).toEqual(['./a.js', '../io/b.js', './c.js', './d.js', './side.js', '../report/e.js', 'zod']);
  });

  it('accepts imports of the same folder and of earlier folders', () => {
    const g = graphOf({ 'src/report/a.ts': ['src/report/b.ts', 'src/io/c.ts', 'src/core/d.ts'], 'src/report/b.ts': [], 'src/io/c.ts': ['src/core/d.ts'], 'src/core/d.ts': [] });
    expect(checkLayers(g, order, order)).toEqual([]);
  });

  it('reports a backward import, naming both files and the rule', () => {
    const g = graphOf({ 'src/io/feather.ts': ['src/report/sample.ts'], 'src/report/sample.ts': [] });
    const v = checkLayers(g, order, order);
    expect(v.map((x) => x.rule)).toEqual(['backward import']);
    expect(v[0].files).toEqual(['src/io/feather.ts', 'src/report/sample.ts']);
    expect(v[0].message).toMatch(/^src\/io\/feather\.ts imports src\/report\/sample\.ts: report comes after io .*earlier folders/);
  });

  it('reports a cycle with its files, in the order they import each other', () => {
    const g = graphOf({
      'src/io/a.ts': ['src/io/b.ts'],
      'src/io/b.ts': ['src/io/c.ts'],
      'src/io/c.ts': ['src/io/a.ts', 'src/core/x.ts'],
      'src/core/x.ts': [],
      'src/core/self.ts': ['src/core/self.ts'],
    });
    const v = checkLayers(g, order, order);
    expect(v.map((x) => x.rule)).toEqual(['import cycle', 'import cycle']);
    const byFiles = Object.fromEntries(v.map((x) => [x.files.join(' '), x.message]));
    expect(byFiles['src/io/a.ts src/io/b.ts src/io/c.ts']).toBe('import cycle: src/io/a.ts → src/io/b.ts → src/io/c.ts → src/io/a.ts (rule: no import cycles)');
    expect(byFiles['src/core/self.ts']).toBe('import cycle: src/core/self.ts → src/core/self.ts (rule: no import cycles)');
  });

  it('reports an undeclared folder, a declared folder that does not exist, and imports from an undeclared folder', () => {
    const g = graphOf({ 'src/io/a.ts': ['src/extra/b.ts'], 'src/extra/b.ts': [] });
    const v = checkLayers(g, ['core', 'io', 'gone'], ['core', 'extra', 'io']);
    expect(v.map((x) => `${x.rule}: ${x.files.join(' ')}`)).toEqual(['undeclared folder: src/extra', 'missing folder: src/gone', 'backward import: src/io/a.ts src/extra/b.ts']);
    expect(v[0].message).toContain('src/extra exists but is not declared');
    expect(v[2].message).toContain("'extra' is not a folder of the stage table");
  });

  it('finds exactly the files on a cycle (Tarjan vs a naive transitive closure, random graphs)', () => {
    const graphs = fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 16 })));
    fc.assert(
      fc.property(graphs, ([n, edges]) => {
        const name = (i: number) => `src/io/f${i}.ts`;
        const g: ImportGraph = new Map(Array.from({ length: n }, (_, i) => [name(i), [...new Set(edges.filter(([a]) => a === i).map(([, b]) => name(b)))]]));
        // naive: reach[i][j] after Floyd–Warshall; i is on a cycle iff it reaches itself
        const reach = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => edges.some(([a, b]) => a === i && b === j)));
        for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (reach[i][k] && reach[k][j]) reach[i][j] = true;
        const expected = Array.from({ length: n }, (_, i) => i).filter((i) => reach[i][i]).map(name).sort();
        const comps = cyclicComponents(g);
        expect(comps.flat().sort()).toEqual(expected);
        // files of one component reach each other
        for (const comp of comps) for (const a of comp) for (const b of comp) expect(reach[Number(a.slice(8, -3))][Number(b.slice(8, -3))]).toBe(true);
      }),
      { numRuns: 300, seed: 107 },
    );
  });
});

describe('src/ against docs/ARCHITECTURE.md', () => {
  const root = repoRoot();
  const order = parseStageOrder(readFileSync(join(root, 'docs', 'ARCHITECTURE.md'), 'utf8'));

  it('declares the stages in the order of the stage table', () => {
    expect(order.length).toBeGreaterThan(10);
    expect(order[0]).toBe('core');
    expect(new Set(order).size).toBe(order.length);
  });

  it('every folder declared, every import to the same or an earlier folder, no cycles', () => {
    const violations = checkLayers(loadImportGraph(root), order, srcFolders(root));
    expect(violations.map((v) => v.message)).toEqual([]);
  });
});
