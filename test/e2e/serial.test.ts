// The serial sensor source against real pseudo-terminals: socat makes a PTY pair, the source reads one end and the
// test writes encoded sensor messages into the other with node:fs. No part of the serial binding is mocked.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { type SerialSource, type SerialStatus, openSerialSource, parseSerialSpec } from '../../device/sources/serial.js';
import { type SensorDtype, encodeSensorMessage } from '../../device/sources/sensor-framing.js';
import type { Frame } from '../../sdk/src/pipeline/source.js';

const haveSocat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;

let dir: string;
let portA: string;
let portB: string;
const procs: ChildProcess[] = [];
const writers: PtyWriter[] = [];
const sources: SerialSource[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelite-serial-'));
  portA = path.join(dir, 'a');
  portB = path.join(dir, 'b');
});

afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  for (const w of writers.splice(0)) w.close();
  for (const p of procs.splice(0)) await stopSocat(p);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts `socat pty pty` with links a and b; resolves once both links exist and socat is relaying. */
async function startSocat(): Promise<ChildProcess> {
  fs.rmSync(portA, { force: true });
  fs.rmSync(portB, { force: true });
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${portA}`, `pty,raw,echo=0,link=${portB}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  procs.push(proc);
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 5000;
  while (!(fs.existsSync(portA) && fs.existsSync(portB) && log.includes('starting data transfer loop'))) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`socat did not set up ${portA}, ${portB}:\n${log}`);
    await sleep(10);
  }
  return proc;
}

/** SIGTERM (socat then removes its links), SIGKILL if it has not exited within 2 s. */
async function stopSocat(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  if ((await Promise.race([exited.then(() => true), sleep(2000, false)])) === false) {
    proc.kill('SIGKILL');
    await exited;
  }
}

/** Writes to the far end of the PTY pair without blocking the event loop (non-blocking fd, bounded retries). */
class PtyWriter {
  #fd: number | undefined;

  constructor(file: string) {
    const { O_RDWR, O_NOCTTY, O_NONBLOCK } = fs.constants;
    this.#fd = fs.openSync(file, O_RDWR | O_NOCTTY | O_NONBLOCK);
    writers.push(this);
  }

  async write(bytes: Uint8Array): Promise<void> {
    const deadline = Date.now() + 2000;
    for (let off = 0; off < bytes.length; ) {
      try {
        off += fs.writeSync(this.#fd!, bytes, off, bytes.length - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) throw e;
        await sleep(2);
      }
    }
  }

  /** One write attempt that never waits; a full or hung-up PTY just takes fewer bytes, or none. */
  tryWrite(bytes: Uint8Array): void {
    try {
      for (let i = 0; i < 8; i++) fs.writeSync(this.#fd!, bytes);
    } catch {
      // EAGAIN or EIO: the point is only to keep data flowing while the PTY goes away.
    }
  }

  close(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function messages(rows: number[][], dtype: SensorDtype | ((i: number) => SensorDtype) = 'float32'): Uint8Array {
  return Buffer.concat(rows.map((r, i) => encodeSensorMessage(r, typeof dtype === 'function' ? dtype(i) : dtype)));
}

async function open(query: string, options: Parameters<typeof openSerialSource>[1] = {}): Promise<SerialSource> {
  const source = await openSerialSource(`serial:${portA}?${query}`, options);
  sources.push(source);
  return source;
}

async function nextFrame(it: AsyncIterator<Frame>, ms = 3000): Promise<Frame> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no frame within ${ms} ms`)), ms);
  });
  try {
    const r = await Promise.race([it.next(), timeout]);
    if (r.done) throw new Error('the source ended');
    return r.value;
  } finally {
    clearTimeout(timer);
  }
}

function values(frame: Frame): number[] {
  return Array.from(new Float32Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength / 4));
}

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

describe('serial spec', () => {
  test('defaults: baud 115200, hop = window', () => {
    expect(parseSerialSpec('serial:/dev/ttyUSB0?window=64&channels=3')).toEqual({
      path: '/dev/ttyUSB0',
      baudRate: 115200,
      window: 64,
      hop: 64,
      channels: 3,
    });
    expect(parseSerialSpec('serial:/dev/ttyX?baud=9600&window=8&hop=2&channels=1').hop).toBe(2);
  });

  test.each([
    ['/dev/ttyX?window=64&channels=3', 'serial:'],
    ['file:/dev/ttyX?window=64&channels=3', 'serial:'],
    ['serial:?window=64&channels=3', 'path'],
    ['serial:/dev/ttyX?window=0&channels=3', "'window'"],
    ['serial:/dev/ttyX?window=2.5&channels=3', "'window'"],
    ['serial:/dev/ttyX?channels=3', "'window'"],
    ['serial:/dev/ttyX?window=4&hop=5&channels=3', "'hop'"],
    ['serial:/dev/ttyX?window=4&channels=65', "'channels'"],
    ['serial:/dev/ttyX?window=4', "'channels'"],
    ['serial:/dev/ttyX?baud=fast&window=4&channels=3', "'baud'"],
    ['serial:/dev/ttyX?baud=-9600&window=4&channels=3', "'baud'"],
    ['serial:/dev/ttyX?window=4&chanels=3', "'chanels'"],
    ['serial:/dev/ttyX?window=4&window=8&channels=3', "'window'"],
  ])('%s is INVALID_ARGUMENT naming %s', async (spec, field) => {
    await expect(openSerialSource(spec)).rejects.toMatchObject({
      name: 'LiteError',
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining(field),
    });
  });

  test('bad options are INVALID_ARGUMENT naming the option', async () => {
    const spec = 'serial:/dev/ttyX?window=4&channels=3';
    await expect(openSerialSource(spec, { poolSize: 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('poolSize'),
    });
    await expect(openSerialSource('serial:/dev/ttyX?window=65536&channels=64', { poolSize: 17 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('limit'),
    });
    await expect(openSerialSource(spec, { reconnectMs: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('reconnectMs'),
    });
  });
});

describe.skipIf(!haveSocat)('serial source on socat PTYs', () => {
  test('windows arrive with the right values, seq and timestamps (float32 and int16 messages, split writes)', { timeout: 10_000 }, async () => {
    await startSocat();
    const source = await open('baud=115200&window=4&hop=4&channels=3');
    expect(source.status).toBe('open');
    expect(source.format).toEqual({ kind: 'samples', channels: 3, length: 4, dtype: 'float32' });
    const writer = new PtyWriter(portB);
    const rows = Array.from({ length: 12 }, (_, i) => [i / 16, -i / 32, 0.25]); // exact in int16 too
    const stream = messages(rows, (i) => (i % 2 ? 'int16' : 'float32'));
    const before = Date.now();
    // Uneven pieces, so messages are split across reads.
    for (const [from, to] of [[0, 7], [7, 60], [60, 61], [61, stream.length]] as const) {
      await writer.write(stream.subarray(from, to));
      await sleep(15);
    }
    const it = source[Symbol.asyncIterator]();
    let last = 0;
    for (let k = 0; k < 3; k++) {
      const frame = await nextFrame(it);
      expect(frame.seq).toBe(k);
      expect(frame.format).toBe(source.format);
      expect(frame.data.byteLength).toBe(4 * 3 * 4);
      expect(values(frame)).toEqual(rows.slice(4 * k, 4 * k + 4).flat());
      expect(frame.timestamp).toBeGreaterThanOrEqual(Math.max(last, before - 50));
      expect(frame.timestamp).toBeLessThanOrEqual(Date.now() + 50);
      expect(frame.timestamp % 1).not.toBe(0); // fractional milliseconds
      last = frame.timestamp;
      frame.release();
      frame.release(); // harmless
    }
    expect([source.dropped, source.corrupt, source.garbageBytes, source.reconnects]).toEqual([0, 0, 0, 0]);
  });

  test('garbage, a corrupted message, a bad header and a wrong channel count are skipped and counted', { timeout: 10_000 }, async () => {
    await startSocat();
    const source = await open('window=2&channels=2');
    const writer = new PtyWriter(portB);
    const badCrc = encodeSensorMessage([9, 9]);
    badCrc[7]! ^= 0x40;
    const stream = Buffer.concat([
      Uint8Array.of(1, 2, 3, 0xed, 0x00), // 5 garbage bytes
      messages([[1, 2]]),
      badCrc, // corrupt, 13 bytes of garbage
      Uint8Array.of(0xff, 0xed, 0x6e, 0xff), // bad header: corrupt, 4 bytes of garbage
      messages([[3, 4]]),
      messages([[5, 6, 7]]), // valid message, wrong channel count: corrupt
      messages([[5, 6], [7, 8]]),
    ]);
    await writer.write(stream);
    const it = source[Symbol.asyncIterator]();
    const first = await nextFrame(it);
    expect([first.seq, ...values(first)]).toEqual([0, 1, 2, 3, 4]);
    const second = await nextFrame(it);
    expect([second.seq, ...values(second)]).toEqual([1, 5, 6, 7, 8]);
    expect(source.corrupt).toBe(3);
    expect(source.garbageBytes).toBe(5 + badCrc.length + 4);
    expect(source.droppedWindows).toBe(0);
    expect(source.dropped).toBe(3); // the FrameSource contract: serial sources count corrupt messages as dropped
  });

  test('sliding windows: hop < window overlaps, and held frames keep their values', { timeout: 10_000 }, async () => {
    await startSocat();
    const source = await open('window=4&hop=2&channels=1', { poolSize: 8 });
    const writer = new PtyWriter(portB);
    await writer.write(messages(Array.from({ length: 10 }, (_, i) => [i])));
    const it = source[Symbol.asyncIterator]();
    const frames: Frame[] = [];
    for (let k = 0; k < 4; k++) frames.push(await nextFrame(it));
    expect(frames.map((f) => f.seq)).toEqual([0, 1, 2, 3]);
    expect(frames.map(values)).toEqual([
      [0, 1, 2, 3],
      [2, 3, 4, 5],
      [4, 5, 6, 7],
      [6, 7, 8, 9],
    ]);
    for (const f of frames) f.release();
    await source.close();

    // hop 3 of window 5 over two channels: windows end at samples 4, 7 and 10.
    const wide = await open('window=5&hop=3&channels=2');
    await writer.write(messages(Array.from({ length: 11 }, (_, i) => [i, -i])));
    const wideIt = wide[Symbol.asyncIterator]();
    for (const [seq, start] of [[0, 0], [1, 3], [2, 6]] as const) {
      const frame = await nextFrame(wideIt);
      expect(frame.seq).toBe(seq);
      expect(values(frame)).toEqual(Array.from({ length: 5 }, (_, i) => [start + i, -(start + i)]).flat());
      frame.release();
    }
  });

  test('a full pool drops windows and counts them; delivery resumes once a frame is released', { timeout: 10_000 }, async () => {
    await startSocat();
    const source = await open('window=2&hop=2&channels=1', { poolSize: 2 });
    const writer = new PtyWriter(portB);
    const it = source[Symbol.asyncIterator]();
    await writer.write(messages([[0], [1]]));
    const held = await nextFrame(it);
    expect([held.seq, ...values(held)]).toEqual([0, 0, 1]);
    // The source fills its one other buffer; with that one held, both windows are dropped.
    await writer.write(messages([[2], [3], [4], [5]]));
    await until('two dropped windows', () => source.droppedWindows === 2);
    expect(source.dropped).toBe(2);
    expect(values(held)).toEqual([0, 1]); // untouched while held
    held.release();
    await writer.write(messages([[6], [7]]));
    const next = await nextFrame(it);
    expect([next.seq, ...values(next)]).toEqual([3, 6, 7]); // seq 1 and 2 were the dropped windows
    next.release();
  });

  test('reconnects when the PTY goes away and comes back: reconnecting → open, windows resume', { timeout: 10_000 }, async () => {
    await startSocat();
    const statuses: SerialStatus[] = [];
    const source = await open('window=2&channels=1', { reconnectMs: 100, onStatus: (s) => statuses.push(s) });
    const it = source[Symbol.asyncIterator]();
    let writer = new PtyWriter(portB);
    await writer.write(messages([[1], [2]]));
    const first = await nextFrame(it);
    expect([first.seq, ...values(first)]).toEqual([0, 1, 2]);
    first.release();

    // Half a window, then the "device" disappears: the partial window must not be completed by later samples.
    await writer.write(messages([[3]]));
    await sleep(50);
    writer.close();
    await stopSocat(procs.pop()!);
    await until('status reconnecting', () => source.status === 'reconnecting');
    expect(source.lastError).toBeInstanceOf(Error);
    await sleep(250); // a few failed attempts while the path is missing

    await startSocat();
    await until('status open', () => source.status === 'open');
    writer = new PtyWriter(portB);
    const pending = nextFrame(it, 5000);
    let got: Frame | undefined;
    pending.then((f) => (got = f)).catch(() => undefined);
    for (let k = 100; !got && k < 400; k++) {
      await writer.write(messages([[k]]));
      await sleep(10);
    }
    const resumed = await pending;
    const [x, y] = values(resumed);
    expect(x).toBeGreaterThanOrEqual(100);
    expect(y).toBe(x! + 1);
    expect(resumed.seq).toBe(1);
    resumed.release();
    expect(source.reconnects).toBeGreaterThanOrEqual(1);
    expect(statuses).toEqual(['open', 'reconnecting', 'open']);
  });

  test('hangups while data is flowing are always noticed (the binding can miss them; the idle probe does not)', { timeout: 10_000 }, async () => {
    // A read that starts just after the PTY hangs up returns 0 bytes, which serialport's binding retries forever:
    // killing socat mid-stream hits that now and then. Several rounds make it likely to be exercised.
    const source = await open('window=4&channels=1', { reconnectMs: 100 });
    const message = encodeSensorMessage([1]);
    for (let round = 0; round < 8; round++) {
      const proc = await startSocat();
      await until(`status open (round ${round})`, () => source.status === 'open');
      const writer = new PtyWriter(portB);
      const flowing = setInterval(() => writer.tryWrite(message), 1);
      await sleep(20 + round * 3);
      await stopSocat(proc);
      clearInterval(flowing);
      await until(`status reconnecting (round ${round})`, () => source.status === 'reconnecting', 1500);
      writer.close();
      writers.pop();
      procs.pop();
    }
    expect(source.reconnects).toBe(7);
  });

  test('a port missing at open is waited for; reconnects counts only reopenings', { timeout: 10_000 }, async () => {
    const source = await open('window=1&channels=1', { reconnectMs: 50 });
    expect(source.status).toBe('reconnecting');
    expect(source.lastError).toBeInstanceOf(Error);
    await startSocat();
    await until('status open', () => source.status === 'open');
    const writer = new PtyWriter(portB);
    await writer.write(messages([[42]]));
    const frame = await nextFrame(source[Symbol.asyncIterator]());
    expect([frame.seq, ...values(frame)]).toEqual([0, 42]);
    expect(source.reconnects).toBe(0);
  });

  test('close() ends iteration, closes the port and is idempotent', { timeout: 10_000 }, async () => {
    await startSocat();
    const source = await open('window=2&channels=1');
    let consumed = 0;
    const loop = (async () => {
      for await (const frame of source) {
        consumed++;
        frame.release();
      }
      return 'ended';
    })();
    const writer = new PtyWriter(portB);
    await writer.write(messages([[1], [2]]));
    await until('one frame consumed', () => consumed === 1);
    await source.close();
    await expect(Promise.race([loop, sleep(2000, 'still iterating')])).resolves.toBe('ended');
    expect(source.status).toBe('closed');
    await source.close();
    // The port is free again: another open (with serialport's exclusive lock) succeeds.
    const again = await SerialPort.binding.open({ path: portA, baudRate: 115200 });
    await again.close();
    const after = await source[Symbol.asyncIterator]().next();
    expect(after.done).toBe(true);
  });
});
