/**
 * Boxes given with the samples, e.g. the NR boxes a detector stage found (the MIGDAL pipeline runs a
 * YOLO network), so that overlap separation centres its windows on them (`oasis evaluate --boxes`).
 *
 * In: a CSV file with a header line naming the columns id, x0, y0, x1, y1 (any order, other columns
 * ignored), one box per sample id: half-open pixel bounds [x0, x1) × [y0, y1) in the frame (x the
 * column, y the row). Lines starting with '#' and blank lines are skipped. Out: id → box.
 * Errors (InputError naming the file and line): a missing column, a non-integer or empty box, a
 * repeated id. Ignored: quoting (ids and numbers have no commas).
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import type { PixelBox } from '../core/overlap-sample.js';

const COLUMNS = ['id', 'x0', 'y0', 'x1', 'y1'] as const;

export function parseBoxCsv(text: string, source: string): Map<string, PixelBox> {
  const lines = text.split(/\r?\n/);
  let headerAt = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  if (headerAt < 0) throw new InputError(source, 'empty: expected a header line with id,x0,y0,x1,y1');
  const header = lines[headerAt].split(',').map((h) => h.trim());
  const col = Object.fromEntries(COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
  const missing = COLUMNS.filter((c) => col[c] < 0);
  if (missing.length) throw new InputError(source, `line ${headerAt + 1}: the header has no column ${missing.join(', ')} (expected id,x0,y0,x1,y1)`);
  const boxes = new Map<string, PixelBox>();
  for (let k = ++headerAt; k < lines.length; k++) {
    const line = lines[k];
    if (line.trim() === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim());
    const id = cells[col.id];
    const [x0, y0, x1, y1] = (['x0', 'y0', 'x1', 'y1'] as const).map((c) => Number(cells[col[c]] ?? NaN));
    const where = `line ${k + 1}`;
    if (!id) throw new InputError(source, `${where}: no id`);
    if (![x0, y0, x1, y1].every(Number.isInteger)) throw new InputError(source, `${where}: box of '${id}' is not four integers (x0, y0, x1, y1)`);
    if (!(x1 > x0 && y1 > y0)) throw new InputError(source, `${where}: box of '${id}' is empty ([${x0}, ${x1}) × [${y0}, ${y1}))`);
    if (boxes.has(id)) throw new InputError(source, `${where}: a second box for '${id}'`);
    boxes.set(id, { x0, y0, x1, y1 });
  }
  return boxes;
}

export function readBoxCsv(path: string): Map<string, PixelBox> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(path, `cannot read: ${(err as Error).message}`);
  }
  return parseBoxCsv(text, path);
}
