// `testsrc:WxH[?fps=30&pool=4&format=rgb24]`: a built-in moving test pattern (colour bars sliding sideways, a
// bouncing square), written into a fixed pool of frame buffers. No dependencies: the embedded default source.
import { LiteError } from '../../sdk/src/errors.js';
import { BufferPool, type Frame, type FrameSource, frameBytes, type ImageFormat } from '../../sdk/src/pipeline/source.js';
import { captureTime, FrameQueue } from './frame-queue.js';

export interface TestSourceOptions {
  width: number;
  height: number;
  /** Frames per second; 0 produces as fast as the consumer takes them. Default 30. */
  fps?: number;
  /** Buffers in the pool. Default 4. */
  pool?: number;
  pixel?: 'rgb24' | 'bgr24' | 'gray8';
  /** Buffers from the pipeline (e.g. device-visible memory); default ordinary arrays. */
  allocate?: (bytes: number) => Uint8Array;
}

const BARS: [number, number, number][] = [
  [235, 235, 235], [235, 235, 16], [16, 235, 235], [16, 235, 16], [235, 16, 235], [235, 16, 16], [16, 16, 235], [16, 16, 16],
];

export class TestSource implements FrameSource {
  readonly format: ImageFormat;
  #pool: BufferPool;
  #queue: FrameQueue;
  #seq = 0;
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #fps: number;

  constructor(options: TestSourceOptions) {
    const { width, height } = options;
    for (const [name, value] of [['width', width], ['height', height]] as const) {
      if (!Number.isSafeInteger(value) || value < 1 || value > 8192) {
        throw new LiteError('INVALID_ARGUMENT', `testsrc ${name} must be an integer in 1..8192, got ${String(value)}`);
      }
    }
    this.#fps = options.fps ?? 30;
    // Paced like a camera: the consumer always gets the newest frame. Unpaced (fps 0): every frame.
    this.#queue = new FrameQueue(this.#fps > 0 ? 1 : Infinity, () => this.#dropped++);
    if (!(this.#fps >= 0 && this.#fps <= 1000)) throw new LiteError('INVALID_ARGUMENT', `testsrc fps must be in 0..1000, got ${this.#fps}`);
    this.format = { kind: 'image', width, height, pixel: options.pixel ?? 'rgb24' };
    this.#pool = new BufferPool(options.pool ?? 4, frameBytes(this.format), options.allocate);
    this.#schedule();
  }

  get dropped(): number {
    return this.#dropped;
  }

  #schedule(): void {
    if (this.#queue.closed) return;
    const interval = this.#fps > 0 ? 1000 / this.#fps : 0;
    this.#timer = setTimeout(() => {
      this.#produce();
      this.#schedule();
    }, interval);
  }

  #produce(): void {
    const seq = this.#seq++;
    const index = this.#pool.acquire();
    if (index < 0) {
      this.#dropped++;
      return;
    }
    const data = this.#pool.buffers[index]!;
    this.#draw(data, seq);
    let released = false;
    const frame: Frame = {
      seq,
      timestamp: captureTime(),
      format: this.format,
      data,
      release: () => {
        if (released) return;
        released = true;
        this.#pool.release(index);
      },
    };
    this.#queue.push(frame);
  }

  #draw(data: Uint8Array, seq: number): void {
    const { width, height, pixel } = this.format;
    const channels = pixel === 'gray8' ? 1 : 3;
    const shift = (seq * 4) % width;
    const square = Math.max(4, Math.floor(Math.min(width, height) / 6));
    const period = Math.max(1, 2 * (width - square));
    const phase = (seq * 3) % period;
    const sx = phase < width - square ? phase : period - phase;
    const sy = Math.floor((height - square) / 2);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inSquare = x >= sx && x < sx + square && y >= sy && y < sy + square;
        const [r, g, b] = inSquare ? [255, 128, 0] : BARS[Math.floor((((x + shift) % width) * BARS.length) / width)]!;
        const o = (y * width + x) * channels;
        if (channels === 1) {
          data[o] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
        } else if (pixel === 'bgr24') {
          data[o] = b;
          data[o + 1] = g;
          data[o + 2] = r;
        } else {
          data[o] = r;
          data[o + 1] = g;
          data[o + 2] = b;
        }
      }
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#queue.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return this.#queue[Symbol.asyncIterator]();
  }
}
