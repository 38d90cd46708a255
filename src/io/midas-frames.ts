/**
 * Camera frames of a MIDAS run (midas.ts reads the events): one Frame per camera bank (CAM0, CAM1, …)
 * of each data event, streamed, with the run number (begin-of-run ODB, else the file name), the
 * event serial, its time and the bank in meta; every other bank of the event is listed in
 * meta.banks, not lost.
 *
 * Orientation: pixel (x, y) of the frame is row H−1−y, column x of the bank's row-by-row pixels.
 * CYGNO's MIDAS→ROOT converter writes each picture as TH2 `pic_run{run}_ev{event}` filled with
 * fliplr(transpose(img)) (array element [i][j] → bin (i+1, j+1)), and io/root.ts reads bin
 * (x+1, y+1) as pixel (x, y): so the same event read from the MIDAS file and from the ROOT file is
 * the same frame (y upwards, as ROOT draws it).
 * The bank does not store its dimensions: midasCameraShape infers them as the CYGNO tools do.
 */
import { InputError } from '../core/errors.js';
import { makeFrame, type Frame } from '../core/frame.js';
import { bankValues, midasCameraShape, readMidasEvents, runNumberFromFileName, runNumberFromOdb, type MidasBank, type MidasEvent } from './midas.js';

const CAMERA_BANK = /^CAM\d$/;

/** `rows` (row by row, H rows of W) with the row order reversed: pixel (x, y) = rows[H−1−y][x]. */
export function flipRows(rows: Uint16Array, width: number, height: number): Uint16Array {
  const out = new Uint16Array(width * height);
  for (let y = 0; y < height; y++) out.set(rows.subarray((height - 1 - y) * width, (height - y) * width), y * width);
  return out;
}

/** The frame of one camera bank of event `ev`. */
export function cameraFrame(path: string, ev: MidasEvent, bank: MidasBank, run: number | null, index: number): Frame<Uint16Array> {
  const where = `event serial ${ev.serial} at byte offset ${ev.offset}`;
  if (bank.typeName !== 'WORD') throw new InputError(path, `${where}: camera bank ${bank.name} is ${bank.typeName}, expected WORD (uint16 pixels)`);
  const values = bankValues(bank) as Uint16Array;
  let shape: { width: number; height: number };
  try {
    shape = midasCameraShape(values.length);
  } catch (err) {
    throw new InputError(path, `${where}: bank ${bank.name}: ${(err as Error).message}`);
  }
  return makeFrame(shape.width, shape.height, flipRows(values, shape.width, shape.height), {
    source: path,
    index,
    ...(run !== null ? { run } : {}),
    event: ev.serial,
    time: ev.time,
    bank: bank.name,
    banks: ev.banks.map((b) => ({ name: b.name, type: b.typeName, bytes: b.size })),
  });
}

/**
 * The camera frames of a MIDAS file in event order, read as a stream (bounded memory). Damage (a
 * truncated event, a bad compression stream) throws after every frame before it was yielded.
 */
export async function* midasFrames(path: string): AsyncGenerator<Frame<Uint16Array>> {
  let run = runNumberFromFileName(path);
  let index = 0;
  for await (const ev of readMidasEvents(path)) {
    if (ev.kind === 'bor') {
      run = (ev.text !== undefined ? runNumberFromOdb(ev.text) : null) ?? run;
      continue;
    }
    if (ev.kind !== 'data') continue;
    for (const bank of ev.banks) {
      if (CAMERA_BANK.test(bank.name)) yield cameraFrame(path, ev, bank, run, index++);
    }
  }
}
