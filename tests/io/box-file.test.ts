import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBoxCsv, readBoxCsv } from '../../src/io/box-file.js';

describe('box CSV (oasis evaluate --boxes)', () => {
  it('reads boxes by id, columns in any order, extra columns, comments and blank lines ignored', () => {
    const text = '# NR boxes from the detector\nscore,y0,id,x1,x0,y1\n0.9,10,mig-000001,60,20,40\n\n0.5, 3 ,mig-000007, 9, 1, 5\r\n';
    const boxes = parseBoxCsv(text, 'boxes.csv');
    expect([...boxes.keys()]).toEqual(['mig-000001', 'mig-000007']);
    expect(boxes.get('mig-000001')).toEqual({ x0: 20, y0: 10, x1: 60, y1: 40 });
    expect(boxes.get('mig-000007')).toEqual({ x0: 1, y0: 3, x1: 9, y1: 5 });
  });

  it('names the file, the line and the problem', () => {
    expect(() => parseBoxCsv('', 'b.csv')).toThrow(/b\.csv: empty/);
    expect(() => parseBoxCsv('id,x0,y0,x1\n', 'b.csv')).toThrow(/b\.csv: line 1: the header has no column y1/);
    expect(() => parseBoxCsv('id,x0,y0,x1,y1\na,1,2,3.5,4\n', 'b.csv')).toThrow(/line 2: box of 'a' is not four integers/);
    expect(() => parseBoxCsv('id,x0,y0,x1,y1\na,1,2,3\n', 'b.csv')).toThrow(/line 2: box of 'a' is not four integers/);
    expect(() => parseBoxCsv('id,x0,y0,x1,y1\na,5,2,5,4\n', 'b.csv')).toThrow(/line 2: box of 'a' is empty/);
    expect(() => parseBoxCsv('id,x0,y0,x1,y1\na,1,2,3,4\n#\na,1,2,3,4\n', 'b.csv')).toThrow(/line 4: a second box for 'a'/);
    expect(() => parseBoxCsv('id,x0,y0,x1,y1\n,1,2,3,4\n', 'b.csv')).toThrow(/line 2: no id/);
    expect(() => readBoxCsv(join(tmpdir(), 'tpcv-no-such-boxes.csv'))).toThrow(/tpcv-no-such-boxes\.csv: cannot read/);
  });

  it('reads a file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tpcv-boxes-')), 'boxes.csv');
    writeFileSync(path, 'id,x0,y0,x1,y1\ns1,0,0,4,4\n');
    expect(readBoxCsv(path).get('s1')).toEqual({ x0: 0, y0: 0, x1: 4, y1: 4 });
  });
});
