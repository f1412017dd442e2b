// The async-iterator plumbing shared by sources: produced frames wait in a bounded queue (never longer than the
// buffer pool) until the consumer pulls them; close() ends the iteration.
import type { Frame } from '../../sdk/src/pipeline/source.js';

export class FrameQueue implements AsyncIterable<Frame> {
  readonly #maxReady: number;
  readonly #onDrop: () => void;
  #ready: Frame[] = [];
  #waiting: { resolve: (result: IteratorResult<Frame>) => void; reject: (error: Error) => void } | undefined;
  #closed = false;
  #error: Error | undefined;

  /**
   * maxReady: frames kept waiting for the consumer; when a newer one arrives the oldest is released and counted
   * through onDrop. Live sources (cameras) keep 1, so the network always gets the freshest frame and latency stays
   * one frame interval plus inference; file playback and sensors keep every frame (Infinity, bounded by the pool).
   */
  constructor(maxReady = Infinity, onDrop: () => void = () => undefined) {
    this.#maxReady = maxReady;
    this.#onDrop = onDrop;
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(frame: Frame): void {
    if (this.#closed) {
      frame.release();
      return;
    }
    if (this.#waiting) {
      const { resolve } = this.#waiting;
      this.#waiting = undefined;
      resolve({ value: frame, done: false });
    } else {
      this.#ready.push(frame);
      while (this.#ready.length > this.#maxReady) {
        this.#ready.shift()!.release();
        this.#onDrop();
      }
    }
  }

  close(): void {
    this.#closed = true;
    for (const frame of this.#ready.splice(0)) frame.release();
    if (this.#waiting) {
      const { resolve } = this.#waiting;
      this.#waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  /** The producer is done: frames already waiting are still delivered, then the iteration ends. */
  end(): void {
    if (this.#ready.length === 0) {
      this.close();
      return;
    }
    this.#closed = true;  // no new frames; next() drains #ready first
  }

  /** Ends the iteration with an error: the consumer's pending or next pull rejects with it. */
  fail(error: Error): void {
    this.#error = error;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    this.close();
    waiting?.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return {
      next: () => {
        const frame = this.#ready.shift();
        if (frame) return Promise.resolve({ value: frame, done: false });
        if (this.#error) {
          const error = this.#error;
          this.#error = undefined;
          return Promise.reject(error);
        }
        if (this.#closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.#waiting = { resolve, reject };
        });
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/** Capture time now, in fractional milliseconds since the Unix epoch. */
export function captureTime(): number {
  return performance.timeOrigin + performance.now();
}
