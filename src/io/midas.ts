/**
 * MIDAS (.mid, .mid.gz, .mid.lz4) reader: the DAQ format of PSI/TRIUMF that CYGNO writes its runs in.
 *
 * In: a file of events (16-byte header + data), plain, gzip or LZ4-frame compressed (told apart by
 * magic bytes). Out: events one by one, streamed: memory is about the largest event plus a read
 * chunk, never the whole (possibly multi-GB) run. Data events carry banks (name, type, bytes; typed
 * values through bankValues); begin/end-of-run events carry the ODB dump as text (XML or JSON), from
 * which runNumberFromOdb takes the run number. Damage (a truncated file, a bank overrunning its event,
 * a bad gzip/lz4 stream) is an InputError naming the file, the event serial and its byte offset,
 * thrown only after every event before it has been delivered. Ignored: what banks mean (CYGNO's
 * CAM0 is a camera frame whose shape midasCameraShape infers, as the CYGNO tools do); the ODB beyond
 * the run number; event fragments (ids 0xC000/0xD000, read as data events). Layout: docs/FORMATS.md.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import { errorMessage, InputError } from '../core/errors.js';
import { Lz4FrameDecoder } from './lz4.js';
import { readHead } from './open-file.js';

export const EVENTID_BOR = 0x8000;
export const EVENTID_EOR = 0x8001;
export const EVENTID_MESSAGE = 0x8002;
/** Trigger mask of begin/end-of-run events: "MI" (midas.h MIDAS_MAGIC). */
export const MIDAS_MAGIC = 0x494d;
/** Bank area flags (midas.h): BANK_FORMAT_32BIT, BANK_FORMAT_64BIT_ALIGNED. */
export const BANK_FORMAT_32BIT = 0x10;
export const BANK_FORMAT_64BIT_ALIGNED = 0x20;
export const EVENT_HEADER_BYTES = 16;
/** Read chunk: large enough that per-chunk overhead vanishes, small next to one 2304² camera frame (10.6 MB). */
const READ_CHUNK = 1 << 20;
/**
 * Largest event accepted (1 GiB): MIDAS's event buffers are far smaller, so a bigger data_size is a
 * damaged header, reported as such instead of buffering the rest of the file to find out.
 */
const MAX_EVENT_BYTES = 1 << 30;

/** TID_* bank types (midas.h) and their element sizes; others are kept as raw bytes. */
const TYPES: Record<number, { name: string; bytes: number }> = {
  1: { name: 'BYTE', bytes: 1 },
  2: { name: 'SBYTE', bytes: 1 },
  3: { name: 'CHAR', bytes: 1 },
  4: { name: 'WORD', bytes: 2 },
  5: { name: 'SHORT', bytes: 2 },
  6: { name: 'DWORD', bytes: 4 },
  7: { name: 'INT', bytes: 4 },
  8: { name: 'BOOL', bytes: 4 },
  9: { name: 'FLOAT', bytes: 4 },
  10: { name: 'DOUBLE', bytes: 8 },
  17: { name: 'INT64', bytes: 8 },
  18: { name: 'QWORD', bytes: 8 },
};

export interface MidasBank {
  /** Four characters, e.g. CAM0 (camera), DIG0 (PMT waveforms), DGH0, INPT. */
  name: string;
  type: number;
  /** 'WORD', 'FLOAT', … or `type ${n}` for a type tpcvision does not know. */
  typeName: string;
  /** Data bytes (without the padding to 8). */
  size: number;
  /** The bank's bytes: a view into the event, not aligned; bankValues makes a typed copy. */
  data: Uint8Array;
}

export interface MidasEvent {
  kind: 'bor' | 'eor' | 'message' | 'data';
  eventId: number;
  triggerMask: number;
  /** Event serial number; the run number for begin/end-of-run events. */
  serial: number;
  /** Unix seconds. */
  time: number;
  /** Bytes after the 16-byte header. */
  dataSize: number;
  /** Byte offset of the event header in the decompressed stream. */
  offset: number;
  /** Data events' banks, in file order; [] for the others. */
  banks: MidasBank[];
  /** Begin/end-of-run: the ODB dump (XML or JSON); message events: the message. Trailing NULs removed. */
  text?: string;
}

export type MidasCompression = 'none' | 'gzip' | 'lz4';

export type BankValues = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

export function bankTypeName(type: number): string {
  return TYPES[type]?.name ?? `type ${type}`;
}

/** The bank's values as an aligned typed array (a copy; CHAR and unknown types as bytes). */
export function bankValues(bank: MidasBank, source = `MIDAS bank ${bank.name}`): BankValues {
  const bytes = TYPES[bank.type]?.bytes ?? 1;
  if (bank.data.length % bytes !== 0) {
    throw new InputError(source, `bank ${bank.name} holds ${bank.data.length} bytes, not a whole number of ${bank.typeName} values (${bytes} bytes each)`);
  }
  // slice copies into a fresh, aligned buffer; MIDAS data are little-endian like every host Node runs on
  const buf = Uint8Array.prototype.slice.call(bank.data).buffer;
  switch (bank.type) {
    case 2:
      return new Int8Array(buf);
    case 4:
      return new Uint16Array(buf);
    case 5:
      return new Int16Array(buf);
    case 6:
    case 8: // BOOL is a 4-byte integer in MIDAS
      return new Uint32Array(buf);
    case 7:
      return new Int32Array(buf);
    case 9:
      return new Float32Array(buf);
    case 10:
      return new Float64Array(buf);
    case 17:
      return new BigInt64Array(buf);
    case 18:
      return new BigUint64Array(buf);
    default:
      return new Uint8Array(buf); // BYTE, CHAR, unknown types
  }
}

/** The compression a file's first bytes announce. */
export function midasCompressionOf(head: Uint8Array): MidasCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x04 && head[1] === 0x22 && head[2] === 0x4d && head[3] === 0x18) return 'lz4';
  return 'none';
}

const isBorHeader = (b: Uint8Array): boolean =>
  b.length >= 4 && (b[0] | (b[1] << 8)) === EVENTID_BOR && (b[2] | (b[3] << 8)) === MIDAS_MAGIC;


/**
 * Whether `path` is a MIDAS file: plain files start with a begin-of-run header (id 0x8000, mask "MI");
 * gzip and LZ4 files need the magic, ".mid" in the name and, when the start of the file decompresses
 * to 16 bytes or more, that begin-of-run header. A file that cannot be read is not one.
 */
export function isMidasFile(path: string): boolean {
  let head: Uint8Array;
  try {
    head = readHead(path, 1 << 16);
  } catch {
    return false;
  }
  const compression = midasCompressionOf(head);
  if (compression === 'none') return isBorHeader(head);
  if (!basename(path).toLowerCase().includes('.mid')) return false;
  try {
    let start: Uint8Array;
    // 4 KiB of deflate data hold the first bytes many times over, and cannot inflate to more than ~4 MB
    if (compression === 'gzip') start = gunzipSync(head.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH });
    else {
      // the first block is at most 4 MiB: read that much if 64 KiB did not complete it
      let parts = new Lz4FrameDecoder().push(head);
      if (parts.length === 0 && head.length === 1 << 16) parts = new Lz4FrameDecoder().push(readHead(path, (4 << 20) + 64));
      start = parts[0] ?? new Uint8Array(0);
    }
    return start.length < EVENT_HEADER_BYTES || isBorHeader(start);
  } catch {
    return false;
  }
}

/** The file's decompressed bytes as a stream of chunks; decompression errors say which codec failed. */
function decompressedChunks(path: string, compression: MidasCompression, chunkSize: number): AsyncIterable<Uint8Array> {
  const file = createReadStream(path, { highWaterMark: chunkSize });
  if (compression === 'none') return file;
  if (compression === 'gzip') {
    const gunzip = createGunzip();
    pipeline(file, gunzip, () => {}); // errors of either stream surface in gunzip's iterator
    return labelled(gunzip, 'the gzip data is damaged');
  }
  return labelled(lz4Chunks(file), 'the lz4 data is damaged');
}

async function* lz4Chunks(raw: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const decoder = new Lz4FrameDecoder();
  for await (const chunk of raw) yield* decoder.push(chunk);
  decoder.end();
}

async function* labelled(chunks: AsyncIterable<Uint8Array>, label: string): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
  } catch (err) {
    throw new Error(`${label} (${errorMessage(err)})`);
  }
}

/**
 * The events of a MIDAS file, one by one (see the module comment). `chunkSize`: bytes per file read.
 * Breaking out of the loop closes the file.
 */
export async function* readMidasEvents(path: string, { chunkSize = READ_CHUNK }: { chunkSize?: number } = {}): AsyncGenerator<MidasEvent> {
  const compression = midasCompressionOf(readHead(path, 4));
  yield* parseMidasStream(decompressedChunks(path, compression, chunkSize), path);
}

/** FIFO of byte chunks from an async iterator: buffers what an event needs, hands it out whole. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  size = 0;
  private done = false;
  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** Buffers at least n bytes if the stream has them; returns the bytes buffered (< n: it ended). */
  async need(n: number): Promise<number> {
    while (this.size < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) {
        const c = r.value;
        this.chunks.push(c instanceof Buffer ? new Uint8Array(c.buffer, c.byteOffset, c.byteLength) : c);
        this.size += c.length;
      }
    }
    return this.size;
  }

  /** The next n buffered bytes: a view when they lie in one chunk, else a copy. `consume` false = peek. */
  take(n: number, consume = true): Uint8Array {
    const first = this.chunks[0];
    let out: Uint8Array;
    if (first.length - this.head >= n) out = first.subarray(this.head, this.head + n);
    else {
      out = new Uint8Array(n);
      for (let k = 0, i = 0, at = this.head; k < n; i++, at = 0) {
        const part = this.chunks[i].subarray(at, at + n - k);
        out.set(part, k);
        k += part.length;
      }
    }
    if (consume) this.skip(n);
    return out;
  }

  private skip(n: number): void {
    this.size -= n;
    while (n > 0) {
      const left = this.chunks[0].length - this.head;
      if (n < left) {
        this.head += n;
        return;
      }
      n -= left;
      this.chunks.shift();
      this.head = 0;
    }
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/**
 * Events from a stream of decompressed chunks (any source: a file, a socket, a test). `source` names
 * it in errors. Each event is parsed as soon as its bytes have arrived.
 */
export async function* parseMidasStream(chunks: AsyncIterable<Uint8Array>, source: string): AsyncGenerator<MidasEvent> {
  const queue = new ByteQueue(chunks[Symbol.asyncIterator]());
  let offset = 0;
  let firstId = -1;
  let firstMask = -1;
  const fail = (serial: number | null, what: string): InputError => {
    const hint = offset === 0 && firstId >= 0 && (firstId !== EVENTID_BOR || firstMask !== MIDAS_MAGIC) ? ' (the file does not begin with a MIDAS begin-of-run event: is it a MIDAS file?)' : '';
    const event = serial === null ? `event at byte offset ${offset} (serial unknown)` : `event serial ${serial} at byte offset ${offset}`;
    return new InputError(source, `${event}: ${what}${hint}`);
  };
  const need = async (n: number, serial: number | null): Promise<number> => {
    try {
      return await queue.need(n);
    } catch (err) {
      throw fail(serial, errorMessage(err));
    }
  };
  try {
    for (;;) {
      // 1. the 16-byte header
      const have = await need(EVENT_HEADER_BYTES, null);
      if (have === 0) return;
      if (have < EVENT_HEADER_BYTES) {
        const part = queue.take(have, false);
        if (offset === 0 && have >= 4) [firstId, firstMask] = [part[0] | (part[1] << 8), part[2] | (part[3] << 8)];
        throw fail(null, `the file ends ${have} bytes into the ${EVENT_HEADER_BYTES}-byte event header (truncated)`);
      }
      const h = queue.take(EVENT_HEADER_BYTES, false);
      const view = new DataView(h.buffer, h.byteOffset, EVENT_HEADER_BYTES);
      const eventId = view.getUint16(0, true);
      const triggerMask = view.getUint16(2, true);
      const serial = view.getUint32(4, true);
      const time = view.getUint32(8, true);
      const dataSize = view.getUint32(12, true);
      if (offset === 0) [firstId, firstMask] = [eventId, triggerMask];
      if (dataSize > MAX_EVENT_BYTES) throw fail(serial, `data size of ${dataSize} bytes exceeds the ${MAX_EVENT_BYTES}-byte limit: the event header is damaged`);
      // 2. the data, whole
      const total = EVENT_HEADER_BYTES + dataSize;
      const got = await need(total, serial);
      if (got < total) throw fail(serial, `the file ends ${got - EVENT_HEADER_BYTES} bytes into the event's ${dataSize} data bytes (truncated)`);
      const bytes = queue.take(total);
      const event: MidasEvent = { kind: 'data', eventId, triggerMask, serial, time, dataSize, offset, banks: [] };
      const data = bytes.subarray(EVENT_HEADER_BYTES);
      if (eventId === EVENTID_BOR || eventId === EVENTID_EOR || eventId === EVENTID_MESSAGE) {
        event.kind = eventId === EVENTID_BOR ? 'bor' : eventId === EVENTID_EOR ? 'eor' : 'message';
        event.text = decodeText(data);
      } else event.banks = parseBanks(data, (what) => fail(serial, what));
      yield event;
      offset += total;
    }
  } finally {
    await queue.close();
  }
}

function decodeText(data: Uint8Array): string {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  return new TextDecoder().decode(data.subarray(0, end));
}

/** The banks of a data event's data (bank area header + banks); `fail` makes the error for damage. */
function parseBanks(data: Uint8Array, fail: (what: string) => Error): MidasBank[] {
  if (data.length < 8) throw fail(`a data event of ${data.length} bytes has no room for its 8-byte bank area header`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const areaSize = view.getUint32(0, true);
  const flags = view.getUint32(4, true);
  if (areaSize > data.length - 8) throw fail(`the bank area of ${areaSize} bytes overruns the event (${data.length - 8} bytes after its 8-byte bank area header)`);
  // BANK32A: name, u32 type, u32 size, u32 reserved; BANK32: name, u32 type, u32 size; BANK: name, u16 type, u16 size
  const headerBytes = flags & BANK_FORMAT_64BIT_ALIGNED ? 16 : flags & BANK_FORMAT_32BIT ? 12 : 8;
  const wide = headerBytes > 8;
  const banks: MidasBank[] = [];
  for (let p = 8; p < 8 + areaSize; ) {
    const left = 8 + areaSize - p;
    if (headerBytes > left) throw fail(`bank ${banks.length + 1}'s ${headerBytes}-byte header overruns the bank area (${left} bytes left)`);
    const name = String.fromCharCode(data[p], data[p + 1], data[p + 2], data[p + 3]);
    const type = wide ? view.getUint32(p + 4, true) : view.getUint16(p + 4, true);
    const size = wide ? view.getUint32(p + 8, true) : view.getUint16(p + 6, true);
    const typeName = bankTypeName(type);
    if (size > left - headerBytes) throw fail(`bank '${name}' (${typeName}) of ${size} bytes overruns the bank area (${left - headerBytes} bytes left)`);
    const start = p + headerBytes;
    banks.push({ name, type, typeName, size, data: data.subarray(start, start + size) });
    p = start + ((size + 7) & ~7); // data padded to 8 bytes
  }
  return banks;
}

/**
 * The run number in an ODB dump: XML `<dir name="Runinfo"> … <key name="Run number" …>N</key>`,
 * JSON `{"Runinfo": {"Run number": N}}`, or the old ASCII dump `[/Runinfo] … Run number = INT : N`.
 * Names compare without case and whitespace. Null when absent.
 */
export function runNumberFromOdb(text: string): number | null {
  const t = text.replace(/\0+$/, '').trim();
  const norm = (s: string): string => s.replace(/\s+/g, '').replace(/^\//, '').toLowerCase();
  const asRun = (v: unknown): number | null => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  };
  if (t.startsWith('<')) {
    const dir = /<dir\s[^>]*name\s*=\s*["']\s*run\s*info\s*["'][^>]*>/i.exec(t);
    if (!dir) return null;
    const body = t.slice(dir.index + dir[0].length);
    const key = /<key\s[^>]*name\s*=\s*["']\s*run\s*number\s*["'][^>]*>\s*([^<]*?)\s*<\/key>/i.exec(body);
    const close = body.search(/<\/dir>/i);
    return key && (close < 0 || key.index < close) ? asRun(key[1]) : null;
  }
  if (t.startsWith('{')) {
    let root: unknown;
    try {
      root = JSON.parse(t);
    } catch {
      return null;
    }
    // Runinfo at the top, or one level down in dumps that wrap the tree
    const find = (o: unknown, depth: number): number | null => {
      if (o === null || typeof o !== 'object' || depth > 2) return null;
      for (const [k, v] of Object.entries(o)) {
        if (norm(k) === 'runinfo' && v !== null && typeof v === 'object') {
          const run = Object.entries(v).find(([rk]) => norm(rk) === 'runnumber');
          if (run) return asRun(run[1]);
        }
      }
      for (const v of Object.values(o)) {
        const r = find(v, depth + 1);
        if (r !== null) return r;
      }
      return null;
    };
    return find(root, 0);
  }
  const section = /^\s*\[\s*\/?\s*run\s*info\s*\]\s*$/im.exec(t);
  if (!section) return null;
  const rest = t.slice(section.index + section[0].length);
  const end = rest.search(/^\s*\[/m);
  const key = /^\s*run\s*number\s*=\s*\w+\s*:\s*(\d+)\s*$/im.exec(end < 0 ? rest : rest.slice(0, end));
  return key ? asRun(key[1]) : null;
}

/** The run number in a CYGNO/MIDAS file name: run01234.mid[.gz|.lz4] → 1234; null otherwise. */
export function runNumberFromFileName(path: string): number | null {
  const m = /^run(\d+)\.mid(\.gz|\.lz4)?$/i.exec(basename(path));
  return m ? Number(m[1]) : null;
}

/** CYGNO's camera sensor (Hamamatsu ORCA Fusion: 2304 × 2304, or the 4096 × 2304 of ORCA Quest). */
const SQUARE_SIDE = 2304;

/**
 * Width and height of a CAM0 frame of `pixels` WORD values (the bank does not store them), as the
 * CYGNO tools reshape: a square when the count is a perfect square up to 1.1 × 2304², else
 * 4096 × 2304 when it is exactly that many. Any other count: an Error (the caller names file and event).
 */
export function midasCameraShape(pixels: number): { width: number; height: number } {
  if (Number.isInteger(pixels) && pixels > 0) {
    const side = Math.round(Math.sqrt(pixels));
    if (pixels <= 1.1 * SQUARE_SIDE * SQUARE_SIDE && side * side === pixels) return { width: side, height: side };
    if (pixels === 4096 * SQUARE_SIDE) return { width: 4096, height: SQUARE_SIDE };
  }
  throw new Error(
    `cannot infer the camera frame's size from ${pixels} pixels: MIDAS does not store it, and the CYGNO convention knows ` +
      `squares of up to 1.1 × ${SQUARE_SIDE}² pixels and 4096 × ${SQUARE_SIDE}`,
  );
}
