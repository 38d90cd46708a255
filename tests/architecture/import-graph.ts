/**
 * The import graph of src/ and the two rules docs/ARCHITECTURE.md states for it: a folder imports
 * only from itself and earlier folders of the stage table, and no files import each other in a cycle.
 * The order is read from the document's stage table, so the document stays true by construction.
 *
 * Imports are read with TypeScript's own pre-parser (`ts.preProcessFile`): static `import … from`,
 * `import type`, `export … from`, side-effect `import '…'` and dynamic `import('…')`, ignoring
 * comments and strings. Only relative specifiers are edges; packages and node: builtins are not.
 * The checker (`checkLayers`) is pure, so the tests also run it on tiny synthetic graphs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** File → the files it imports; paths relative to the repository root, '/'-separated ('src/io/npy.ts'). */
export type ImportGraph = Map<string, string[]>;

export type Rule = 'undeclared folder' | 'missing folder' | 'backward import' | 'import cycle';

export interface Violation {
  rule: Rule;
  /** Importing and imported file; the folder for the two folder rules; the component's files for a cycle. */
  files: string[];
  message: string;
}

/**
 * The folders of the stage table, in table order: every row whose first cell is a backticked
 * `src/<folder>`.
 */
export function parseStageOrder(markdown: string): string[] {
  const order: string[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*`src\/([\w-]+)\/?`\s*\|/.exec(line);
    if (m) order.push(m[1]);
  }
  return order;
}

/** The module specifiers a TypeScript source imports or re-exports, in order of appearance. */
export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** `src/<folder>/…` → folder; a file directly in src/ has folder '' (declared by no row). */
export function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1] : '';
}

/**
 * A relative specifier of `from` as a repository path: './x.js' → 'x.ts', a folder → its index.ts.
 * Null when nothing matches (tsc would fail too).
 */
export function resolveSpecifier(root: string, from: string, specifier: string): string | null {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
  for (const c of candidates) {
    const abs = join(root, c);
    if (existsSync(abs) && statSync(abs).isFile()) return c;
  }
  return null;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The folders directly under `root`/src. */
export function srcFolders(root: string): string[] {
  return readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Every src/**\/*.ts file of `root` with the files its relative imports resolve to. */
export function loadImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const abs of tsFiles(join(root, 'src')).sort()) {
    const file = relative(root, abs).split(sep).join('/');
    const targets = importSpecifiers(readFileSync(abs, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => {
        const target = resolveSpecifier(root, file, s);
        if (target === null) throw new Error(`${file}: import '${s}' resolves to no file`);
        return target;
      });
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * Strongly connected components with a cycle (more than one file, or a file importing itself), by
 * Tarjan's algorithm (iterative, so deep import chains cannot overflow the stack).
 */
export function cyclicComponents(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  const succ = (v: string) => (graph.get(v) ?? []).filter((w) => graph.has(w));
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    // 1. depth-first walk with an explicit frame stack: (node, position in its successor list)
    const frames: { v: string; i: number }[] = [{ v: start, i: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (frames.length > 0) {
      const f = frames[frames.length - 1];
      const ws = succ(f.v);
      if (f.i < ws.length) {
        const w = ws[f.i++];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          frames.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(f.v, Math.min(low.get(f.v)!, index.get(w)!));
        continue;
      }
      // 2. all successors done: a root of a component pops it
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(f.v)!));
      }
      if (low.get(f.v) === index.get(f.v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== f.v);
        // 3. keep components that close a cycle
        if (comp.length > 1 || succ(f.v).includes(f.v)) out.push(comp.sort());
      }
    }
  }
  return out;
}

/** One concrete cycle through the component's first file (shortest, by breadth-first search). */
function cyclePath(graph: ImportGraph, comp: string[]): string[] {
  const inComp = new Set(comp);
  const start = comp[0];
  const prev = new Map<string, string>();
  const queue = [start];
  for (let k = 0; k < queue.length; k++) {
    const v = queue[k];
    for (const w of graph.get(v) ?? []) {
      if (!inComp.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...comp, start];
}

/**
 * All violations of the layering rules. `order`: the declared folders, earliest first; `folders`:
 * the folders that exist under src/.
 */
export function checkLayers(graph: ImportGraph, order: readonly string[], folders: readonly string[]): Violation[] {
  const out: Violation[] = [];
  const rank = new Map(order.map((f, i) => [f, i]));
  const table = 'the stage table of docs/ARCHITECTURE.md';
  // 1. the table and the tree name the same folders
  for (const f of folders) {
    if (!rank.has(f)) out.push({ rule: 'undeclared folder', files: [`src/${f}`], message: `src/${f} exists but is not declared in ${table} (rule: every folder is declared)` });
  }
  for (const f of order) {
    if (!folders.includes(f)) out.push({ rule: 'missing folder', files: [`src/${f}`], message: `src/${f} is declared in ${table} but does not exist (rule: every declared folder exists)` });
  }
  // 2. every cross-folder import goes to an earlier folder
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (to === from) continue;
      const a = rank.get(from);
      const b = rank.get(to);
      if (a === undefined || b === undefined || b > a) {
        const why = a === undefined || b === undefined ? `'${a === undefined ? from : to}' is not a folder of ${table}` : `${to} comes after ${from} in ${table}`;
        out.push({
          rule: 'backward import',
          files: [file, target],
          message: `${file} imports ${target}: ${why} (rule: a folder imports only from itself and earlier folders)`,
        });
      }
    }
  }
  // 3. no cycles among files
  for (const comp of cyclicComponents(graph)) {
    out.push({ rule: 'import cycle', files: comp, message: `import cycle: ${cyclePath(graph, comp).join(' → ')} (rule: no import cycles)` });
  }
  return out;
}

/** The repository root, found from this file (tests/architecture/ → ../..). */
export const repoRoot = (): string => fileURLToPath(new URL('../..', import.meta.url));
