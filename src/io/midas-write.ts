/**
 * MIDAS writer, for test fixtures and synthetic benchmark runs (no public CYGNO sample file exists).
 *
 * In: events (begin/end-of-run with an ODB dump, messages, data events of typed-array banks). Out: a
 * .mid file in the layout midas.ts reads (docs/FORMATS.md): BANK, BANK32 or BANK32A banks, plain,
 * gzip or one LZ4 frame. `openMidasWriter` streams: it holds one event and one compression block,
 * so a multi-GB run is never in memory; the file appears under its name only when closed (written
 * to a temporary name in the same directory, then renamed). Not written: fragments, super-events.
 */
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { makeDirs } from '../core/atomic-write.js';
import { Lz4FrameEncoder, type Lz4CompressOptions } from './lz4.js';
import {
  BANK_FORMAT_32BIT,
  BANK_FORMAT_64BIT_ALIGNED,
  EVENT_HEADER_BYTES,
  EVENTID_BOR,
  EVENTID_EOR,
  EVENTID_MESSAGE,
  MIDAS_MAGIC,
  type MidasCompression,
} from './midas.js';

export type MidasBankFormat = 'bank16' | 'bank32' | 'bank32a';

export interface MidasBankInput {
  /** Exactly four characters (latin-1), e.g. CAM0. */
  name: string;
  /** TID_* code (midas.h): 1 BYTE … 4 WORD … 10 DOUBLE, 17 INT64, 18 QWORD; any other number is written as given. */
  type: number;
  /** The values; written as their little-endian bytes. */
  data: ArrayBufferView;
}

/** One event to write: data events have `banks`, the others (BOR, EOR, message) `text`. */
export interface MidasEventInput {
  eventId: number;
  triggerMask: number;
  serial: number;
  /** Unix seconds. */
  time: number;
  banks?: readonly MidasBankInput[];
  /** Written as UTF-8 with a terminating NUL, as MIDAS writes C strings. */
  text?: string;
}

export interface MidasWriterOptions {
  /** Default: from the name (.gz → gzip, .lz4 → lz4, else none). */
  compression?: MidasCompression;
  /** Default bank32 (bk_init32). */
  bankFormat?: MidasBankFormat;
  /** zlib level 1–9; default 6, zlib's default. */
  gzipLevel?: number;
  /** LZ4 frame options; default 64 KiB independent blocks (the lz4frame library's defaults). */
  lz4?: Lz4CompressOptions;
}

/** MIDAS message types (midas.h MT_*), the trigger mask of message events. */
export const MT_ERROR = 1;
export const MT_INFO = 2;

/** Begin-of-run: id 0x8000, mask "MI", serial = run number, data = the ODB dump (XML or JSON). */
export function borEvent(run: number, time: number, odb: string): MidasEventInput {
  return { eventId: EVENTID_BOR, triggerMask: MIDAS_MAGIC, serial: run, time, text: odb };
}

/** End-of-run: id 0x8001, otherwise as borEvent. */
export function eorEvent(run: number, time: number, odb: string): MidasEventInput {
  return { eventId: EVENTID_EOR, triggerMask: MIDAS_MAGIC, serial: run, time, text: odb };
}

/** A message event: id 0x8002, trigger mask = message type, serial 0. */
export function messageEvent(time: number, text: string, type = MT_INFO): MidasEventInput {
  return { eventId: EVENTID_MESSAGE, triggerMask: type, serial: 0, time, text };
}

export function dataEvent(head: { eventId: number; serial: number; time: number; triggerMask?: number }, banks: readonly MidasBankInput[]): MidasEventInput {
  return { eventId: head.eventId, triggerMask: head.triggerMask ?? 0, serial: head.serial, time: head.time, banks };
}

const FLAGS: Record<MidasBankFormat, number> = {
  bank16: 0x01, // BANK_FORMAT_VERSION
  bank32: 0x01 | BANK_FORMAT_32BIT,
  bank32a: 0x01 | BANK_FORMAT_32BIT | BANK_FORMAT_64BIT_ALIGNED,
};
const BANK_HEADER_BYTES: Record<MidasBankFormat, number> = { bank16: 8, bank32: 12, bank32a: 16 };

const bytesOf = (v: ArrayBufferView): Uint8Array => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
const align8 = (n: number): number => (n + 7) & ~7;

function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new Error(`MIDAS writer: ${what} must be an integer in 0…${max}, got ${value}`);
}

/** The bytes of one event (header + data) in the given bank format. */
export function encodeMidasEvent(event: MidasEventInput, bankFormat: MidasBankFormat = 'bank32'): Uint8Array {
  checkUint(event.eventId, 0xffff, 'event id');
  checkUint(event.triggerMask, 0xffff, 'trigger mask');
  checkUint(event.serial, 0xffffffff, 'serial number');
  checkUint(event.time, 0xffffffff, 'time stamp');
  if ((event.banks === undefined) === (event.text === undefined)) throw new Error('MIDAS writer: an event has either banks (data events) or text (BOR, EOR, message)');
  let data: Uint8Array;
  if (event.text !== undefined) {
    const text = new TextEncoder().encode(event.text);
    data = new Uint8Array(text.length + 1); // + NUL
    data.set(text);
  } else data = encodeBanks(event.banks ?? [], bankFormat);
  const out = new Uint8Array(EVENT_HEADER_BYTES + data.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, event.eventId, true);
  view.setUint16(2, event.triggerMask, true);
  view.setUint32(4, event.serial, true);
  view.setUint32(8, event.time, true);
  view.setUint32(12, data.length, true);
  out.set(data, EVENT_HEADER_BYTES);
  return out;
}

/** Bank area header (all_bank_size, flags) and the banks, each padded to 8 bytes. */
function encodeBanks(banks: readonly MidasBankInput[], format: MidasBankFormat): Uint8Array {
  const hdr = BANK_HEADER_BYTES[format];
  let areaSize = 0;
  for (const bank of banks) {
    if (bank.name.length !== 4 || /[^\x00-\xff]/.test(bank.name)) throw new Error(`MIDAS writer: bank name must be 4 latin-1 characters, got '${bank.name}'`);
    checkUint(bank.type, format === 'bank16' ? 0xffff : 0xffffffff, `bank ${bank.name}'s type`);
    const size = bank.data.byteLength;
    if (format === 'bank16' && size > 0xffff) throw new Error(`MIDAS writer: bank ${bank.name} holds ${size} bytes; a 16-bit BANK holds at most 65535 (use bank32)`);
    areaSize += hdr + align8(size);
  }
  checkUint(areaSize + 8, 0xffffffff, 'event data size');
  const out = new Uint8Array(8 + areaSize);
  const view = new DataView(out.buffer);
  view.setUint32(0, areaSize, true);
  view.setUint32(4, FLAGS[format], true);
  let p = 8;
  for (const bank of banks) {
    for (let k = 0; k < 4; k++) out[p + k] = bank.name.charCodeAt(k);
    const size = bank.data.byteLength;
    if (format === 'bank16') {
      view.setUint16(p + 4, bank.type, true);
      view.setUint16(p + 6, size, true);
    } else {
      view.setUint32(p + 4, bank.type, true);
      view.setUint32(p + 8, size, true); // bank32a: the reserved word after it stays 0
    }
    out.set(bytesOf(bank.data), p + hdr);
    p += hdr + align8(size);
  }
  return out;
}

export interface MidasWriter {
  /** Appends one event; resolves to its header's byte offset in the uncompressed stream. */
  write(event: MidasEventInput): Promise<number>;
  /** Finishes the file and moves it to its name. */
  close(): Promise<void>;
  /** Stops and removes the temporary file; the target is left as it was. */
  abort(): Promise<void>;
}

function compressionFromName(path: string): MidasCompression {
  return /\.gz$/i.test(path) ? 'gzip' : /\.lz4$/i.test(path) ? 'lz4' : 'none';
}

export function openMidasWriter(path: string, opts: MidasWriterOptions = {}): MidasWriter {
  const compression = opts.compression ?? compressionFromName(path);
  const bankFormat = opts.bankFormat ?? 'bank32';
  if (!(bankFormat in FLAGS)) throw new Error(`MIDAS writer: bank format must be bank16, bank32 or bank32a, got ${bankFormat}`);
  makeDirs(dirname(path));
  const tmp = `${path}.tmp-${process.pid}-${Math.floor(performance.now() * 1000)}`;
  const file: WriteStream = createWriteStream(tmp);
  const gzip: Gzip | null = compression === 'gzip' ? createGzip({ level: opts.gzipLevel ?? 6 }) : null;
  const lz4 = compression === 'lz4' ? new Lz4FrameEncoder(opts.lz4) : null;
  const head = gzip ?? file;
  const done = gzip ? pipeline(gzip, file) : finished(file);
  let failure: Error | null = null;
  done.catch((err: Error) => (failure ??= err)); // seen by the next write or close
  let offset = 0;
  let state: 'open' | 'closed' = 'open';

  const put = async (bytes: Uint8Array): Promise<void> => {
    if (failure) throw failure;
    if (!head.write(bytes)) await Promise.race([once(head, 'drain'), done]);
  };
  const discard = async (): Promise<void> => {
    state = 'closed';
    head.destroy();
    await done.catch(() => {});
    rmSync(tmp, { force: true });
  };
  return {
    async write(event) {
      if (state !== 'open') throw new Error(`MIDAS writer: ${path} is already closed`);
      const bytes = encodeMidasEvent(event, bankFormat);
      const at = offset;
      offset += bytes.length;
      if (lz4) for (const part of lz4.push(bytes)) await put(part);
      else await put(bytes);
      return at;
    },
    async close() {
      if (state !== 'open') throw new Error(`MIDAS writer: ${path} is already closed`);
      try {
        if (lz4) for (const part of lz4.end()) await put(part);
        state = 'closed';
        head.end();
        await done;
        renameSync(tmp, path);
      } catch (err) {
        await discard();
        throw err;
      }
    },
    async abort() {
      if (state === 'open') await discard();
    },
  };
}

/** Writes `events` to `path` (see openMidasWriter); on any error nothing is left behind. */
export async function writeMidasFile(path: string, events: Iterable<MidasEventInput> | AsyncIterable<MidasEventInput>, opts: MidasWriterOptions = {}): Promise<void> {
  const writer = openMidasWriter(path, opts);
  try {
    for await (const event of events) await writer.write(event);
  } catch (err) {
    await writer.abort();
    throw err;
  }
  await writer.close();
}
