/**
 * MIDAS reader and writer. No public CYGNO sample file exists, so the fixtures come from the writer,
 * and the writer itself is checked byte for byte against layouts written out by hand from midas.h.
 * Then: round trips in every bank format × compression, streaming (events arrive as their bytes do),
 * damage (every intact event first, then an error naming file, serial and offset), ODB and file-name
 * run numbers, and the CYGNO camera-shape convention.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { concatBytes, lz4FrameDecode } from '../../src/io/lz4.js';
import {
  bankValues,
  isMidasFile,
  midasCameraShape,
  parseMidasStream,
  readMidasEvents,
  runNumberFromFileName,
  runNumberFromOdb,
  type MidasEvent,
} from '../../src/io/midas.js';
import {
  borEvent,
  dataEvent,
  encodeMidasEvent,
  eorEvent,
  messageEvent,
  openMidasWriter,
  writeMidasFile,
  type MidasBankFormat,
  type MidasBankInput,
  type MidasEventInput,
} from '../../src/io/midas-write.js';
import { removeScratch, scratchDir, tmpLeftovers } from './helpers.js';

const dir = scratchDir('midas');
afterAll(() => removeScratch(dir));

const FORMATS: MidasBankFormat[] = ['bank16', 'bank32', 'bank32a'];
const COMPRESSIONS = [
  { compression: 'none', ext: '.mid' },
  { compression: 'gzip', ext: '.mid.gz' },
  { compression: 'lz4', ext: '.mid.lz4' },
] as const;

const XML_ODB = `<?xml version="1.0" encoding="ISO-8859-1"?>
<!-- created by MIDAS on Tue Jun 11 10:00:00 2024 -->
<odb root="/" filename="run01234.xml">
  <dir name="Experiment" handle="1">
    <key name="Name" type="STRING" size="32">CYGNO</key>
  </dir>
  <dir name="Runinfo" handle="2">
    <key name="State" type="INT">3</key>
    <key name="Run number" type="INT">1234</key>
  </dir>
</odb>
`;
const JSON_ODB = JSON.stringify({ Experiment: { Name: 'CYGNO' }, Runinfo: { State: 1, 'Run number': 1234, 'Stop time': 'Tue Jun 11 11:00:00 2024' } }, null, 2);

/** Byte equality of any two views (toEqual on big typed arrays is slow and Buffer ≠ Uint8Array to it). */
const bytesOf = (v: ArrayBufferView): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const same = (a: ArrayBufferView, b: ArrayBufferView): boolean => bytesOf(a).equals(bytesOf(b));

/** The banks of data event k: CYGNO's camera, digitiser and slow-control banks, every type, odd sizes. */
function banksOf(k: number, camPixels = 24 * 24): MidasBankInput[] {
  const rng = new Rng(k);
  return [
    { name: 'CAM0', type: 4, data: Uint16Array.from({ length: camPixels }, () => rng.int(90, 4000)) },
    { name: 'DIG0', type: 4, data: Uint16Array.from({ length: 7 }, () => rng.int(0, 65535)) }, // 14 bytes: 2 of padding
    { name: 'DGH0', type: 6, data: Uint32Array.of(k, 0xdeadbeef, 4096) },
    { name: 'INPT', type: 10, data: Float64Array.of(k + 0.25, -1e-300, Number.NaN) },
    { name: 'SBYT', type: 2, data: Int8Array.of(-1, 2, -128) },
    { name: 'SHRT', type: 5, data: Int16Array.of(-32768, 5) },
    { name: 'INT0', type: 7, data: Int32Array.of(-7) },
    { name: 'BOOL', type: 8, data: Uint32Array.of(1, 0) },
    { name: 'FLT0', type: 9, data: Float32Array.of(1.5, -0) },
    { name: 'I64 ', type: 17, data: BigInt64Array.of(-5n, 2n ** 62n) },
    { name: 'QWD0', type: 18, data: BigUint64Array.of(2n ** 64n - 1n) },
    { name: 'CHR0', type: 3, data: new TextEncoder().encode('hello') },
    { name: 'BYT0', type: 1, data: Uint8Array.of(255, 0, 1) },
    { name: 'UNK9', type: 99, data: Uint8Array.of(1, 2, 3) }, // unknown type: kept as bytes
    { name: 'EMPT', type: 4, data: new Uint16Array(0) },
  ];
}

/** A run: BOR (XML ODB), a message, `n` data events, EOR (JSON ODB). */
function runEvents(n: number, camPixels?: number): MidasEventInput[] {
  const t0 = 1_718_100_000;
  const events = [borEvent(1234, t0, XML_ODB), messageEvent(t0 + 1, 'Run #1234 started')];
  for (let k = 0; k < n; k++) events.push(dataEvent({ eventId: 1, serial: k, time: t0 + 2 + k, triggerMask: 0x0001 }, banksOf(k, camPixels)));
  events.push(eorEvent(1234, t0 + 3 + n, JSON_ODB));
  return events;
}

async function readAll(path: string, opts?: { chunkSize?: number }): Promise<{ events: MidasEvent[]; error: InputError | null }> {
  const events: MidasEvent[] = [];
  try {
    for await (const event of readMidasEvents(path, opts)) events.push(event);
    return { events, error: null };
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return { events, error: err as InputError };
  }
}

/** The event as the writer's input, rebuilt from what was read (the reader's inverse). */
const asInput = (e: MidasEvent): MidasEventInput =>
  e.kind === 'data'
    ? { eventId: e.eventId, triggerMask: e.triggerMask, serial: e.serial, time: e.time, banks: e.banks.map((b) => ({ name: b.name, type: b.type, data: b.data })) }
    : { eventId: e.eventId, triggerMask: e.triggerMask, serial: e.serial, time: e.time, text: e.text ?? '' };

/** Plain MIDAS bytes of `events` and the offset where each starts. */
function plainBytes(events: MidasEventInput[], format: MidasBankFormat = 'bank32'): { bytes: Uint8Array; offsets: number[]; ends: number[] } {
  const encoded = events.map((e) => encodeMidasEvent(e, format));
  const offsets: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const e of encoded) {
    offsets.push(at);
    at += e.length;
    ends.push(at);
  }
  return { bytes: concatBytes(encoded), offsets, ends };
}

describe('MIDAS layout, byte for byte', () => {
  // One data event, id 1, mask 2, serial 3, time 4, one bank 'ADC0' of WORD [1, 2, 3]: 6 data bytes + 2 of padding.
  const event = dataEvent({ eventId: 1, triggerMask: 2, serial: 3, time: 4 }, [{ name: 'ADC0', type: 4, data: Uint16Array.of(1, 2, 3) }]);
  const header = (dataSize: number): number[] => [1, 0, 2, 0, 3, 0, 0, 0, 4, 0, 0, 0, dataSize, 0, 0, 0];
  const name = [0x41, 0x44, 0x43, 0x30]; // 'ADC0'
  const values = [1, 0, 2, 0, 3, 0, 0, 0]; // 3 × u16 LE + 2 padding bytes
  // data_size = 8 (bank area header) + all_bank_size; all_bank_size = bank header + 8
  const expected: Record<MidasBankFormat, number[]> = {
    // BANK: name, u16 type, u16 size (8 bytes); all_bank_size 16; flags 0x01
    bank16: [...header(24), 16, 0, 0, 0, 0x01, 0, 0, 0, ...name, 4, 0, 6, 0, ...values],
    // BANK32: name, u32 type, u32 size (12 bytes); all_bank_size 20; flags 0x11
    bank32: [...header(28), 20, 0, 0, 0, 0x11, 0, 0, 0, ...name, 4, 0, 0, 0, 6, 0, 0, 0, ...values],
    // BANK32A: name, u32 type, u32 size, u32 reserved (16 bytes); all_bank_size 24; flags 0x31
    bank32a: [...header(32), 24, 0, 0, 0, 0x31, 0, 0, 0, ...name, 4, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, ...values],
  };

  it.each(FORMATS)('a data event in %s', async (format) => {
    expect(Array.from(encodeMidasEvent(event, format))).toEqual(expected[format]);
    // and the reader reads the hand-made bytes back
    const path = join(dir, `hand-${format}.mid`);
    writeFileSync(path, Uint8Array.from(expected[format]));
    const { events, error } = await readAll(path);
    expect(error).toBeNull();
    expect(events).toHaveLength(1);
    const [e] = events;
    expect([e.kind, e.eventId, e.triggerMask, e.serial, e.time, e.dataSize, e.offset]).toEqual(['data', 1, 2, 3, 4, expected[format].length - 16, 0]);
    expect(e.banks.map((b) => [b.name, b.type, b.typeName, b.size])).toEqual([['ADC0', 4, 'WORD', 6]]);
    expect(Array.from(bankValues(e.banks[0]) as Uint16Array)).toEqual([1, 2, 3]);
  });

  it('begin-of-run, end-of-run and message events: header, the text, a NUL', () => {
    // id 0x8000, mask 0x494d ("MI"), serial = run 7, time 9, data_size = 3 + 1
    expect(Array.from(encodeMidasEvent(borEvent(7, 9, '{x}')))).toEqual([0x00, 0x80, 0x4d, 0x49, 7, 0, 0, 0, 9, 0, 0, 0, 4, 0, 0, 0, 0x7b, 0x78, 0x7d, 0]);
    expect(Array.from(encodeMidasEvent(eorEvent(7, 9, '')).subarray(0, 4))).toEqual([0x01, 0x80, 0x4d, 0x49]);
    // message: id 0x8002, mask = message type (MT_INFO 2), serial 0
    expect(Array.from(encodeMidasEvent(messageEvent(9, 'hi')))).toEqual([0x02, 0x80, 2, 0, 0, 0, 0, 0, 9, 0, 0, 0, 3, 0, 0, 0, 0x68, 0x69, 0]);
  });

  it('the writer refuses what the format cannot hold', () => {
    const bank = (over: Partial<MidasBankInput>): MidasEventInput => dataEvent({ eventId: 1, serial: 0, time: 0 }, [{ name: 'CAM0', type: 4, data: new Uint16Array(2), ...over }]);
    expect(() => encodeMidasEvent(bank({ name: 'CAM' }))).toThrow(/4 latin-1 characters, got 'CAM'/);
    expect(() => encodeMidasEvent(bank({ data: new Uint16Array(40_000) }), 'bank16')).toThrow(/CAM0 holds 80000 bytes; a 16-bit BANK holds at most 65535/);
    expect(() => encodeMidasEvent(bank({ type: 70_000 }), 'bank16')).toThrow(/type must be an integer in 0…65535/);
    expect(() => encodeMidasEvent({ eventId: 1, triggerMask: 0, serial: 0, time: 0 })).toThrow(/either banks .* or text/);
    expect(() => encodeMidasEvent({ ...borEvent(1, 0, ''), serial: -1 })).toThrow(/serial number/);
  });
});

describe('MIDAS round trip: writer → reader', () => {
  const events = runEvents(3);
  const cases = FORMATS.flatMap((format) => COMPRESSIONS.map((c) => ({ format, ...c })));

  it.each(cases)('$format, $compression: bit-exact events, banks and values', async ({ format, compression, ext }) => {
    const path = join(dir, `${format}-${compression}`, `run01234${ext}`);
    await writeMidasFile(path, events, { compression, bankFormat: format });
    expect(tmpLeftovers(join(dir, `${format}-${compression}`))).toEqual([]);
    const expected = plainBytes(events, format);

    // the file: exactly the hand-checked event encodings, compressed as asked
    const file = new Uint8Array(readFileSync(path));
    const stream = compression === 'none' ? file : compression === 'gzip' ? new Uint8Array(gunzipSync(file)) : lz4FrameDecode(file);
    if (compression !== 'none') expect(file.length).toBeLessThan(stream.length);
    expect(same(stream, expected.bytes)).toBe(true);

    const { events: back, error } = await readAll(path);
    expect(error).toBeNull();
    expect(back.map((e) => e.kind)).toEqual(['bor', 'message', 'data', 'data', 'data', 'eor']);
    expect(back.map((e) => e.offset)).toEqual(expected.offsets);
    back.forEach((e, i) => {
      expect([e.eventId, e.triggerMask, e.serial, e.time]).toEqual([events[i].eventId, events[i].triggerMask, events[i].serial, events[i].time]);
      expect(e.dataSize).toBe(expected.ends[i] - expected.offsets[i] - 16);
      // the reader's inverse: re-encoding what was read gives the file's bytes again
      expect(same(encodeMidasEvent(asInput(e), format), expected.bytes.subarray(expected.offsets[i], expected.ends[i]))).toBe(true);
    });
    expect(back[0].text).toBe(XML_ODB);
    expect(back[1].text).toBe('Run #1234 started');
    expect(back[5].text).toBe(JSON_ODB);
    expect(runNumberFromOdb(back[0].text ?? '')).toBe(1234);
    expect(runNumberFromOdb(back[5].text ?? '')).toBe(1234);
    expect(runNumberFromFileName(path)).toBe(1234);
    expect(isMidasFile(path)).toBe(true);

    const written = events[3].banks ?? [];
    const read = back[3].banks;
    expect(read.map((b) => [b.name, b.type, b.size])).toEqual(written.map((b) => [b.name, b.type, b.data.byteLength]));
    expect(read.map((b) => b.typeName)).toEqual(['WORD', 'WORD', 'DWORD', 'DOUBLE', 'SBYTE', 'SHORT', 'INT', 'BOOL', 'FLOAT', 'INT64', 'QWORD', 'CHAR', 'BYTE', 'type 99', 'WORD']);
    read.forEach((b, i) => {
      const values = bankValues(b);
      const want = written[i].data;
      // same typed-array class (CHAR and unknown: bytes), same bits (NaN, -0 included)
      expect(values.constructor.name, b.name).toBe(b.type === 3 || b.type === 99 ? 'Uint8Array' : want.constructor.name);
      expect(same(values, want), b.name).toBe(true);
    });
    const cam = bankValues(read[0]);
    expect(midasCameraShape(cam.length)).toEqual({ width: 24, height: 24 });
  });
});

describe('MIDAS streaming', () => {
  it('yields each event as soon as its bytes have arrived, and closes the source when the caller stops', async () => {
    const { bytes, ends } = plainBytes(runEvents(150, 40 * 40));
    const CHUNK = 4096;
    let pulled = 0;
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let p = 0; p < bytes.length; p += CHUNK) {
          pulled++;
          yield bytes.subarray(p, p + CHUNK);
        }
      } finally {
        closed = true;
      }
    }
    expect(bytes.length).toBeGreaterThan(100 * CHUNK);
    let i = 0;
    for await (const event of parseMidasStream(source(), 'memory')) {
      // exactly the chunks that hold the event's last byte, no read-ahead
      expect(pulled, `event ${i}`).toBe(Math.ceil(ends[i] / CHUNK));
      expect(event.offset + 16 + event.dataSize).toBe(ends[i]);
      if (++i === 60) break;
    }
    expect(closed).toBe(true);
    expect(pulled).toBeLessThan(bytes.length / CHUNK / 2);
  });

  it.each(COMPRESSIONS)('$compression: a file many read chunks long, read whole and stopped early', async ({ compression, ext }) => {
    const events = runEvents(120, 40 * 40);
    const path = join(dir, `long${ext}`);
    await writeMidasFile(path, events, { compression });
    const { bytes, offsets } = plainBytes(events);
    expect(bytes.length).toBeGreaterThan(100 * 4096);
    const { events: back, error } = await readAll(path, { chunkSize: 4096 });
    expect(error).toBeNull();
    expect(back.map((e) => e.offset)).toEqual(offsets);
    expect(back.map((e) => e.serial)).toEqual(events.map((e) => e.serial));
    for (const e of back.filter((x) => x.kind === 'data')) expect(same(e.banks[0].data, events[e.serial + 2].banks?.[0].data ?? new Uint8Array())).toBe(true);
    let n = 0;
    for await (const e of readMidasEvents(path, { chunkSize: 4096 })) if (++n === 3 || e.kind === 'eor') break;
    expect(n).toBe(3);
  });

  it('a prefix of a run: the events in it, then a truncation error (every cut point in the header and data)', async () => {
    const events = runEvents(2);
    const { bytes, offsets, ends } = plainBytes(events);
    const path = join(dir, 'prefix.mid');
    for (const cut of [0, 5, 16, ends[0], ends[0] + 7, ends[0] + 16, ends[2] + 100, ends[3] - 1, bytes.length]) {
      writeFileSync(path, bytes.subarray(0, cut));
      const { events: got, error } = await readAll(path);
      const whole = ends.filter((e) => e <= cut).length;
      expect(got.length, `cut ${cut}`).toBe(whole);
      if (cut === (whole === 0 ? 0 : ends[whole - 1])) expect(error).toBeNull();
      else expect(error?.source).toBe(path);
      if (whole < events.length && cut > offsets[whole]) {
        const into = cut - offsets[whole];
        expect(error?.message).toBe(
          into < 16
            ? `${path}: event at byte offset ${offsets[whole]} (serial unknown): the file ends ${into} bytes into the 16-byte event header (truncated)`
            : `${path}: event serial ${events[whole].serial} at byte offset ${offsets[whole]}: the file ends ${into - 16} bytes into the event's ${ends[whole] - offsets[whole] - 16} data bytes (truncated)`,
        );
      }
    }
  });
});

describe('MIDAS damage: every intact event first, then an error naming file, serial and offset', () => {
  const events = runEvents(40, 48 * 48);
  const { bytes, offsets, ends } = plainBytes(events);
  const eventsEndingBy = (n: number): number => ends.filter((e) => e <= n).length;
  const intactPrefix = (got: MidasEvent[]): void => got.forEach((e, i) => expect(same(encodeMidasEvent(asInput(e)), bytes.subarray(offsets[i], ends[i])), `event ${i}`).toBe(true));

  it('a truncated last event in .mid and inside a complete .mid.gz stream', async () => {
    const cut = ends[events.length - 2] + 16 + 5; // 5 bytes into the EOR's data
    const last = events.length - 1;
    const message = `event serial 1234 at byte offset ${offsets[last]}: the file ends 5 bytes into the event's ${ends[last] - offsets[last] - 16} data bytes (truncated)`;
    for (const [name, data] of [['cut.mid', bytes.subarray(0, cut)], ['cut.mid.gz', gzipSync(bytes.subarray(0, cut))]] as const) {
      const path = join(dir, name);
      writeFileSync(path, data);
      const { events: got, error } = await readAll(path);
      expect(got).toHaveLength(last);
      intactPrefix(got);
      expect(error?.message).toBe(`${path}: ${message}`);
    }
  });

  it('a .mid.gz file cut short: every event it holds whole, then the gzip error', async () => {
    const gz = gzipSync(bytes);
    const path = join(dir, 'cut-stream.mid.gz');
    const prefix = gz.subarray(0, Math.floor(gz.length * 0.55));
    writeFileSync(path, prefix);
    const decodable = gunzipSync(prefix, { finishFlush: constants.Z_SYNC_FLUSH }).length;
    const { events: got, error } = await readAll(path);
    const n = eventsEndingBy(decodable);
    expect(n).toBeGreaterThan(5);
    expect(got).toHaveLength(n);
    intactPrefix(got);
    expect(error?.message).toBe(`${path}: event serial ${events[n].serial} at byte offset ${offsets[n]}: the gzip data is damaged (unexpected end of file)`);
  });

  it('corrupt bytes inside a .mid.gz: the events before the damage, then an error at an event boundary', async () => {
    const gz = new Uint8Array(gzipSync(bytes));
    const at = Math.floor(gz.length * 0.5);
    for (let k = 0; k < 32; k++) gz[at + k] ^= 0xa5;
    const path = join(dir, 'corrupt.mid.gz');
    writeFileSync(path, gz);
    // what inflate makes of the bytes before the damage; zlib drops the output of the step that fails (≤ 16 KiB)
    const clean = gunzipSync(gz.subarray(0, at), { finishFlush: constants.Z_SYNC_FLUSH }).length;
    const { events: got, error } = await readAll(path);
    expect(got.length).toBeGreaterThanOrEqual(eventsEndingBy(clean - 16384));
    intactPrefix(got.slice(0, eventsEndingBy(clean)));
    expect(error?.source).toBe(path);
    expect(error?.message).toMatch(new RegExp(`^${path}: event (serial \\d+ )?at byte offset ${got.length < offsets.length ? offsets[got.length] : '\\d+'}( \\(serial unknown\\))?: `));
  });

  it('a bank overrunning its event, and a bank area overrunning the event', async () => {
    const k = 5; // the 4th data event (after BOR, message)
    const damaged = new Uint8Array(bytes);
    const view = new DataView(damaged.buffer);
    view.setUint32(offsets[k] + 16 + 8 + 8, 99_999, true); // CAM0's data_size (BANK32: name, type, size)
    const path = join(dir, 'bank-overrun.mid');
    writeFileSync(path, damaged);
    const { events: got, error } = await readAll(path);
    expect(got).toHaveLength(k);
    intactPrefix(got);
    const area = ends[k] - offsets[k] - 16 - 8;
    expect(error?.message).toBe(`${path}: event serial ${events[k].serial} at byte offset ${offsets[k]}: bank 'CAM0' (WORD) of 99999 bytes overruns the bank area (${area - 12} bytes left)`);

    const damaged2 = new Uint8Array(bytes);
    new DataView(damaged2.buffer).setUint32(offsets[k] + 16, area + 8, true); // all_bank_size
    writeFileSync(path, damaged2);
    const second = await readAll(path);
    expect(second.events).toHaveLength(k);
    expect(second.error?.message).toBe(`${path}: event serial ${events[k].serial} at byte offset ${offsets[k]}: the bank area of ${area + 8} bytes overruns the event (${area} bytes after its 8-byte bank area header)`);
  });

  it('a damaged .mid.lz4: the events of the blocks before the damage, then the lz4 error', async () => {
    const path = join(dir, 'damaged.mid.lz4');
    await writeMidasFile(path, events, { compression: 'lz4' }); // 64 KiB blocks
    const lz4 = new Uint8Array(readFileSync(path));
    const view = new DataView(lz4.buffer);
    const first = view.getUint32(7, true) & 0x7fffffff; // frame header 7 bytes, then block 1's size word
    const second = 7 + 4 + first;
    const n = eventsEndingBy(65536);
    expect(n).toBeGreaterThan(3);

    const badSize = new Uint8Array(lz4);
    new DataView(badSize.buffer).setUint32(second, 0x7fffffff, true);
    writeFileSync(path, badSize);
    let r = await readAll(path);
    expect(r.events).toHaveLength(n);
    intactPrefix(r.events);
    expect(r.error?.message).toBe(`${path}: event serial ${events[n].serial} at byte offset ${offsets[n]}: the lz4 data is damaged (lz4: block of 2147483647 bytes exceeds the frame's 65536-byte maximum)`);

    writeFileSync(path, lz4.subarray(0, second + 100)); // cut inside block 2
    r = await readAll(path);
    expect(r.events).toHaveLength(n);
    expect(r.error?.message).toBe(`${path}: event serial ${events[n].serial} at byte offset ${offsets[n]}: the lz4 data is damaged (lz4: the data ends inside a block (truncated))`);

    const badBytes = new Uint8Array(lz4);
    badBytes.fill(0xff, second + 4, second + 40); // block 2's first sequences: huge lengths
    writeFileSync(path, badBytes);
    r = await readAll(path);
    expect(r.events).toHaveLength(n);
    expect(r.error?.message).toMatch(new RegExp(`^${path}: event serial ${events[n].serial} at byte offset ${offsets[n]}: the lz4 data is damaged \\(lz4: `));
  });

  it('a file that is not MIDAS, and one that cannot be read', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'these are not the events you are looking for\n');
    const { events: got, error } = await readAll(path);
    expect(got).toEqual([]);
    expect(error?.message).toMatch(/^.*notes\.txt: event serial \d+ at byte offset 0: .*is it a MIDAS file\?\)$/);
    expect(isMidasFile(path)).toBe(false);
    const missing = await readAll(join(dir, 'missing.mid'));
    expect(missing.error?.message).toMatch(/missing\.mid: cannot read/);
    expect(isMidasFile(join(dir, 'missing.mid'))).toBe(false);
  });
});

describe('MIDAS files, names and ODB run numbers', () => {
  it('isMidasFile: by magic; compressed ones also need .mid in the name and a begin-of-run header inside', async () => {
    const bor = encodeMidasEvent(borEvent(12, 0, XML_ODB));
    const data = encodeMidasEvent(dataEvent({ eventId: 1, serial: 0, time: 0 }, banksOf(1)));
    const cases: [string, Uint8Array, boolean][] = [
      ['run00012.mid', bor, true],
      ['anything.bin', bor, true],
      ['run00012.mid.gz', gzipSync(bor), true],
      ['run00012.gz', gzipSync(bor), false], // gzip of something else
      ['run00013.mid.gz', gzipSync(data), false], // gzip, but no begin-of-run inside
      ['run00014.mid', data, false],
      ['empty.mid', new Uint8Array(0), false],
    ];
    for (const [name, bytes, want] of cases) {
      writeFileSync(join(dir, name), bytes);
      expect(isMidasFile(join(dir, name)), name).toBe(want);
    }
    // LZ4 with 4 MiB blocks: the first block is not complete in the first 64 KiB read
    const big = join(dir, 'run00015.mid.lz4');
    await writeMidasFile(big, [borEvent(15, 0, XML_ODB), dataEvent({ eventId: 1, serial: 0, time: 0 }, banksOf(2, 256 * 256))], { lz4: { blockSize: 4194304 } });
    expect(readFileSync(big).length).toBeGreaterThan(1 << 16);
    expect(isMidasFile(big)).toBe(true);
    const notBor = join(dir, 'run00016.mid.lz4');
    await writeMidasFile(notBor, [dataEvent({ eventId: 1, serial: 0, time: 0 }, banksOf(2, 256 * 256))], { lz4: { blockSize: 4194304 } });
    expect(isMidasFile(notBor)).toBe(false);
  });

  it('run numbers from file names: run%05d.mid[.gz|.lz4]', () => {
    expect(runNumberFromFileName('run01234.mid.gz')).toBe(1234);
    expect(runNumberFromFileName('/data/cygno/run00012.mid')).toBe(12);
    expect(runNumberFromFileName('RUN00012.MID.LZ4')).toBe(12);
    expect(runNumberFromFileName('run123456.mid')).toBe(123456);
    for (const name of ['run01234.mid.bz2', 'histograms_Run01234.root', 'run.mid', 'xrun00012.mid']) expect(runNumberFromFileName(name), name).toBeNull();
  });

  it('run numbers from ODB dumps: XML, JSON, the old ASCII form; lenient about case and spaces', () => {
    expect(runNumberFromOdb(XML_ODB)).toBe(1234);
    expect(runNumberFromOdb(`${XML_ODB}\0\0`)).toBe(1234);
    expect(runNumberFromOdb('<odb><DIR NAME = "runinfo"><key type="INT" name="run  Number"> 77 </key></DIR></odb>')).toBe(77);
    // the key must be in Runinfo, not elsewhere
    expect(runNumberFromOdb('<odb><dir name="Logger"><key name="Run number">5</key></dir><dir name="Runinfo"><key name="State">1</key></dir></odb>')).toBeNull();
    expect(runNumberFromOdb(JSON_ODB)).toBe(1234);
    expect(runNumberFromOdb('{"runinfo": {"run number": "88"}}')).toBe(88);
    expect(runNumberFromOdb('{"/": {"Run Info": {"RunNumber": 9}}}')).toBe(9);
    expect(runNumberFromOdb('{"Runinfo": {"State": 1}}')).toBeNull();
    expect(runNumberFromOdb('{"Runinfo": {"Run number": -3}}')).toBeNull();
    expect(runNumberFromOdb('{not json')).toBeNull();
    expect(runNumberFromOdb('[/Runinfo]\nState = INT : 3\nRun number = INT : 4321\n\n[/Logger]\nRun number = INT : 1\n')).toBe(4321);
    expect(runNumberFromOdb('')).toBeNull();
  });
});

describe('bankValues and midasCameraShape', () => {
  it('bankValues copies unaligned bank data into an aligned typed array; a size that does not divide is an InputError', () => {
    const raw = new Uint8Array(11);
    new DataView(raw.buffer).setFloat64(3, Math.PI, true);
    const values = bankValues({ name: 'INPT', type: 10, typeName: 'DOUBLE', size: 8, data: raw.subarray(3) });
    expect(values).toBeInstanceOf(Float64Array);
    expect(Array.from(values as Float64Array)).toEqual([Math.PI]);
    expect(() => bankValues({ name: 'CAM0', type: 4, typeName: 'WORD', size: 3, data: new Uint8Array(3) }, 'run.mid event 4')).toThrow(
      new InputError('run.mid event 4', 'bank CAM0 holds 3 bytes, not a whole number of WORD values (2 bytes each)'),
    );
  });

  it('midasCameraShape: squares up to 1.1 × 2304², the 4096 × 2304 sensor, nothing else', () => {
    expect(midasCameraShape(2304 * 2304)).toEqual({ width: 2304, height: 2304 });
    expect(midasCameraShape(2048 * 2048)).toEqual({ width: 2048, height: 2048 });
    expect(midasCameraShape(48 * 48)).toEqual({ width: 48, height: 48 });
    expect(midasCameraShape(4096 * 2304)).toEqual({ width: 4096, height: 2304 });
    // 1.1 × 2304² = 5 839 257.6: 2416² = 5 837 056 is below it, 2417² = 5 841 889 above
    expect(midasCameraShape(2416 * 2416)).toEqual({ width: 2416, height: 2416 });
    for (const n of [2417 * 2417, 4096 * 4096, 2304 * 2304 + 1, 1000, 0, -4, 2.25]) expect(() => midasCameraShape(n), String(n)).toThrow(/cannot infer the camera frame's size/);
  });
});

describe('MIDAS writer', () => {
  it('streams: offsets as it goes; nothing under the name until close; abort leaves nothing', async () => {
    const path = join(dir, 'stream', 'run00099.mid.gz');
    const writer = openMidasWriter(path);
    const events = runEvents(2);
    const offsets: number[] = [];
    for (const e of events) offsets.push(await writer.write(e));
    expect(offsets).toEqual(plainBytes(events).offsets);
    expect(() => readFileSync(path)).toThrow();
    await writer.close();
    expect(readFileSync(path)[0]).toBe(0x1f); // gzip, from the name
    await expect(writer.write(events[0])).rejects.toThrow(/already closed/);

    const aborted = openMidasWriter(join(dir, 'stream', 'run00100.mid'));
    await aborted.write(events[0]);
    await aborted.abort();
    expect(tmpLeftovers(join(dir, 'stream'))).toEqual([]);
    expect(() => readFileSync(join(dir, 'stream', 'run00100.mid'))).toThrow();
  });

  it('an event it cannot write fails writeMidasFile and leaves no file behind', async () => {
    const path = join(dir, 'fails', 'run00001.mid.lz4');
    const bad = dataEvent({ eventId: 1, serial: 1, time: 0 }, [{ name: 'TOOLONG', type: 4, data: new Uint16Array(1) }]);
    await expect(writeMidasFile(path, [...runEvents(1), bad])).rejects.toThrow(/TOOLONG/);
    expect(tmpLeftovers(join(dir, 'fails'))).toEqual([]);
    expect(() => readFileSync(path)).toThrow();
  });
});
