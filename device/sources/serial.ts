// A FrameSource of sensor sample windows read from a serial port (framing: ./sensor-framing.ts), with reconnection
// when the port goes away (USB sensor unplugged, PTY closed).

import { SerialPort } from 'serialport';

import { LiteError } from '../../sdk/src/errors.js';
import { BufferPool } from '../../sdk/src/pipeline/source.js';
import type { Frame, FrameSource, SamplesFormat } from '../../sdk/src/pipeline/source.js';
import { captureTime, FrameQueue } from './frame-queue.js';
import { SENSOR_MAX_CHANNELS, SensorFrameParser } from './sensor-framing.js';
import { checkParams, parseSourceSpec } from './spec.js';

/** What a `serial:` spec says. */
export interface SerialSpec {
  /** Device path, e.g. /dev/ttyUSB0. */
  path: string;
  /** `baud`, default 115200. */
  baudRate: number;
  /** `window`: samples per frame (required), 1..65536. */
  window: number;
  /** `hop`: samples between the ends of consecutive frames, 1..window; default window (no overlap). */
  hop: number;
  /** `channels`: values per sample (required), 1..64; messages with another count are corrupt. */
  channels: number;
}

export interface SerialSourceOptions {
  /**
   * Buffers in the pool, default 4, at least 2. The source always fills one, so the consumer may hold up to
   * poolSize - 1 frames (queued or in use) before new windows are dropped.
   */
  poolSize?: number;
  /**
   * Milliseconds between attempts to open the port while it is missing or after it failed; default 500. Also how
   * long the port may be silent before it is checked for a hangup the serial binding missed (one cheap ioctl).
   */
  reconnectMs?: number;
  /** Called on every status change, with the error that caused it for 'reconnecting'. Nothing is logged. */
  onStatus?: (status: SerialStatus, error?: Error) => void;
}

/** 'open': reading; 'reconnecting': the port is missing or failed and is retried every reconnectMs; 'closed': close() was called. */
export type SerialStatus = 'open' | 'reconnecting' | 'closed';

const MAX_WINDOW = 65536;
/** All pool buffers together; a spec plus poolSize asking for more is refused rather than allocated. */
const MAX_POOL_BYTES = 256 * 1024 * 1024;
/** One read from the port; the parser holds at most one message more, so nothing grows with the input. */
const READ_CHUNK_BYTES = 4096;

/** Parses and validates `serial:<path>?baud=115200&window=64&hop=64&channels=3`. Throws INVALID_ARGUMENT naming the field. */
export function parseSerialSpec(spec: string): SerialSpec {
  const { kind, target: path, params } = parseSourceSpec(spec);
  const example = 'e.g. serial:/dev/ttyUSB0?baud=115200&window=64&channels=3';
  if (kind !== 'serial') throw new LiteError('INVALID_ARGUMENT', `'${spec}' is not a serial source spec (${example})`);
  if (path === '') throw new LiteError('INVALID_ARGUMENT', `serial source '${spec}' has no device path (${example})`);
  const fields = ['baud', 'window', 'hop', 'channels'];
  checkParams(params, kind, fields);
  for (const key of fields) {
    if (params.getAll(key).length > 1) throw new LiteError('INVALID_ARGUMENT', `serial source option '${key}' is given twice`);
  }
  const int = (key: string, min: number, max: number, fallback?: number): number => {
    const text = params.get(key);
    if (text === null) {
      if (fallback === undefined) {
        throw new LiteError('INVALID_ARGUMENT', `serial source option '${key}' is required: an integer in ${min}..${max} (${example})`);
      }
      return fallback;
    }
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new LiteError('INVALID_ARGUMENT', `serial source option '${key}' must be an integer in ${min}..${max}, got '${text}'`);
    }
    return value;
  };
  const baudRate = int('baud', 1, 10_000_000, 115200);
  const window = int('window', 1, MAX_WINDOW);
  const hop = int('hop', 1, window, window);
  const channels = int('channels', 1, SENSOR_MAX_CHANNELS);
  return { path, baudRate, window, hop, channels };
}

/** The part of serialport's binding interface (@serialport/bindings-interface) this source uses. */
interface BindingPort {
  readonly isOpen: boolean;
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number }>;
  getBaudRate(): Promise<{ baudRate: number }>;
  close(): Promise<void>;
}
interface Binding {
  open(options: { path: string; baudRate: number }): Promise<BindingPort>;
}

/**
 * Opens a serial sensor source. The spec is validated first (LiteError INVALID_ARGUMENT naming the field); then the
 * port is opened once. If that fails (device not plugged in yet, PTY not there) the promise still resolves, with
 * status 'reconnecting', and opening is retried every reconnectMs until it works or close() is called.
 */
export async function openSerialSource(spec: string, options: SerialSourceOptions = {}): Promise<SerialSource> {
  const parsed = parseSerialSpec(spec);
  const poolSize = options.poolSize ?? 4;
  if (!Number.isSafeInteger(poolSize) || poolSize < 2 || poolSize > 1024) {
    throw new LiteError('INVALID_ARGUMENT', `serial source option poolSize must be an integer in 2..1024, got ${poolSize}`);
  }
  const poolBytes = poolSize * parsed.window * parsed.channels * 4;
  if (poolBytes > MAX_POOL_BYTES) {
    throw new LiteError(
      'INVALID_ARGUMENT',
      `serial source: poolSize ${poolSize} × window ${parsed.window} × channels ${parsed.channels} × 4 bytes is ` +
        `${poolBytes} bytes, over the ${MAX_POOL_BYTES}-byte limit; use a smaller window or pool`,
    );
  }
  const reconnectMs = options.reconnectMs ?? 500;
  if (typeof reconnectMs !== 'number' || !Number.isFinite(reconnectMs) || reconnectMs < 1) {
    throw new LiteError('INVALID_ARGUMENT', `serial source option reconnectMs must be a number of milliseconds ≥ 1, got ${reconnectMs}`);
  }
  const source = new SerialSource(parsed, poolSize, reconnectMs, options.onStatus, SerialPort.binding);
  await source.started;
  return source;
}

/**
 * Sensor windows from a serial port: each frame is `window` samples × `channels` float32 values, row-major, and a
 * new frame completes every `hop` samples (windows overlap when hop < window). Frame.seq counts completed windows,
 * dropped ones included, so a gap in seq is a dropped window; Frame.timestamp is the time the read carrying the
 * window's last sample returned. After a reconnect the partial window is discarded: no window spans a gap.
 *
 * Iterating takes frames from a queue of at most poolSize - 1 (FrameQueue, as every source). Leaving a for-await
 * loop ends the iteration but keeps the port open: call close().
 */
export class SerialSource implements FrameSource, AsyncDisposable {
  readonly format: SamplesFormat;
  /** Resolves when the first attempt to open the port has finished, whether it worked or not. */
  readonly started: Promise<void>;

  readonly #spec: SerialSpec;
  readonly #reconnectMs: number;
  readonly #onStatus: ((status: SerialStatus, error?: Error) => void) | undefined;
  readonly #binding: Binding;
  readonly #parser: SensorFrameParser;
  readonly #pool: BufferPool;
  /** Float32 views of the pool's buffers, same indices. */
  readonly #samples: Float32Array[];

  /** Index of the buffer being filled (always held by the source) and how many samples it has. */
  #current: number;
  #fill = 0;
  #seq = 0;
  #droppedWindows = 0;
  #channelMismatch = 0;
  #reconnects = 0;
  #chunkTime = 0;
  #status: SerialStatus = 'reconnecting';
  #lastError: Error | undefined;

  #closed = false;
  #closing: Promise<void> | undefined;
  #port: BindingPort | undefined;
  #wake: (() => void) | undefined;
  readonly #loop: Promise<void>;
  /** Completed frames not yet taken by the consumer. */
  readonly #queue = new FrameQueue();

  /** @internal Use openSerialSource. */
  constructor(
    spec: SerialSpec,
    poolSize: number,
    reconnectMs: number,
    onStatus: ((status: SerialStatus, error?: Error) => void) | undefined,
    binding: Binding,
  ) {
    this.#spec = spec;
    this.#reconnectMs = reconnectMs;
    this.#onStatus = onStatus;
    this.#binding = binding;
    this.format = Object.freeze({ kind: 'samples', channels: spec.channels, length: spec.window, dtype: 'float32' });
    this.#pool = new BufferPool(poolSize, spec.window * spec.channels * 4, (n) => new Uint8Array(new ArrayBuffer(n)));
    this.#samples = this.#pool.buffers.map((b) => new Float32Array(b.buffer, b.byteOffset, b.length / 4));
    this.#current = this.#pool.acquire();
    this.#parser = new SensorFrameParser((values) => this.#onSample(values));
    let started!: () => void;
    this.started = new Promise((resolve) => (started = resolve));
    this.#loop = this.#run(started);
  }

  get status(): SerialStatus {
    return this.#status;
  }

  /** The device path being read. */
  get path(): string {
    return this.#spec.path;
  }

  /** Per the FrameSource contract for serial sources: windows dropped for a full pool plus corrupt messages. */
  get dropped(): number {
    return this.#droppedWindows + this.corrupt;
  }

  /** Completed windows dropped because the consumer held every other buffer (each still used a seq number). */
  get droppedWindows(): number {
    return this.#droppedWindows;
  }

  /** Messages skipped: bad header, bad CRC, or a channel count other than the spec's. */
  get corrupt(): number {
    return this.#parser.corrupt + this.#channelMismatch;
  }

  /** Bytes received that were not part of a valid message. */
  get garbageBytes(): number {
    return this.#parser.garbageBytes;
  }

  /** Times the port was opened again after it had been lost. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Why the port was last lost or failed to open; undefined if it never was. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return this.#queue[Symbol.asyncIterator]();
  }

  /** Stops reading, closes the port, ends every pending and future iteration. Held frames stay valid until released. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#setStatus('closed');
    this.#queue.close();
    this.#wake?.();
    const port = this.#port;
    if (port?.isOpen) await port.close().catch(() => undefined);
    await this.#loop;
  }

  async #run(started: () => void): Promise<void> {
    const chunk = Buffer.alloc(READ_CHUNK_BYTES);
    let everOpened = false;
    while (!this.#closed) {
      let port: BindingPort;
      try {
        port = await this.#binding.open({ path: this.#spec.path, baudRate: this.#spec.baudRate });
      } catch (err) {
        this.#lost(err);
        started();
        await this.#sleep();
        continue;
      }
      if (this.#closed) {
        await port.close().catch(() => undefined);
        break;
      }
      this.#port = port;
      if (everOpened) this.#reconnects++;
      everOpened = true;
      this.#setStatus('open');
      started();
      const lost = await this.#readUntilLost(port, chunk);
      // A read canceled by close() rejects too; only other failures mean the port was lost.
      if (!this.#closed) this.#lost(lost);
      this.#port = undefined;
      if (port.isOpen) await port.close().catch(() => undefined);
      // The rest of a half-received message or window will never come: start clean on the next connection.
      this.#parser.reset();
      this.#fill = 0;
      if (!this.#closed) await this.#sleep();
    }
    started();
  }

  /**
   * Reads and parses until the port fails; resolves with the failure. A hung-up tty (PTY master gone, USB serial
   * unplugged) does not always fail the binding's read: a read that starts after the hangup returns 0 bytes, which
   * the binding retries forever. So when nothing has arrived for a whole reconnectMs the port is probed with an
   * ioctl (tcgetattr via getBaudRate), which fails with EIO once the tty is hung up, and the port is closed.
   */
  async #readUntilLost(port: BindingPort, chunk: Buffer): Promise<unknown> {
    let received = true;
    let probeFailure: unknown;
    let closedByProbe: Promise<void> | undefined;
    const watchdog = setInterval(() => {
      if (received || closedByProbe) {
        received = false;
        return;
      }
      port.getBaudRate().catch((err: unknown) => {
        if (closedByProbe || !port.isOpen) return;
        probeFailure = err;
        closedByProbe = port.close().catch(() => undefined);
      });
    }, this.#reconnectMs);
    try {
      for (;;) {
        const { bytesRead } = await port.read(chunk, 0, chunk.length);
        received = true;
        this.#chunkTime = captureTime();
        this.#parser.push(chunk.subarray(0, bytesRead));
      }
    } catch (err) {
      await closedByProbe;
      return probeFailure ?? err;
    } finally {
      clearInterval(watchdog);
    }
  }

  #lost(err: unknown): void {
    this.#lastError = err instanceof Error ? err : new Error(String(err));
    this.#setStatus('reconnecting', this.#lastError);
  }

  #setStatus(status: SerialStatus, error?: Error): void {
    if (this.#status === status || this.#status === 'closed') return;
    this.#status = status;
    this.#onStatus?.(status, error);
  }

  /** Waits reconnectMs, or less if close() is called. */
  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.#reconnectMs);
      this.#wake = done;
    });
  }

  #onSample(values: Float32Array): void {
    const { channels, window, hop } = this.#spec;
    if (values.length !== channels) {
      this.#channelMismatch++;
      return;
    }
    this.#samples[this.#current]!.set(values, this.#fill * channels);
    if (++this.#fill < window) return;

    const seq = this.#seq++;
    const full = this.#current;
    const next = this.#pool.acquire();
    if (next < 0) {
      // The consumer holds every other buffer: drop this window and keep its overlap in the same buffer.
      this.#droppedWindows++;
      this.#samples[full]!.copyWithin(0, hop * channels, window * channels);
    } else {
      if (hop < window) this.#samples[next]!.set(this.#samples[full]!.subarray(hop * channels, window * channels));
      this.#current = next;
      this.#deliver(full, seq);
    }
    this.#fill = window - hop;
  }

  #deliver(index: number, seq: number): void {
    let released = false;
    const frame: Frame = {
      seq,
      timestamp: this.#chunkTime,
      format: this.format,
      data: this.#pool.buffers[index]!,
      release: () => {
        if (released) return;
        released = true;
        this.#pool.release(index);
      },
    };
    this.#queue.push(frame);
  }
}
