// The interface between frame sources (cameras, files, serial sensors: device/) and the pipeline (sdk/). The SDK
// defines it; device adapters implement it; the SDK never imports device/.

/** An image frame: packed 8-bit pixels in one of the formats sources produce. */
export interface ImageFormat {
  kind: 'image';
  width: number;
  height: number;
  /** rgb24/bgr24: 3 bytes per pixel; gray8: 1; yuyv422: 2 (Y0 U Y1 V); nv12: Y plane then interleaved UV at half size. */
  pixel: 'rgb24' | 'bgr24' | 'gray8' | 'yuyv422' | 'nv12';
}

/** A window of sensor samples: `length` samples of `channels` values each, row-major ([length, channels]). */
export interface SamplesFormat {
  kind: 'samples';
  channels: number;
  length: number;
  dtype: 'float32';
}

export type FrameFormat = ImageFormat | SamplesFormat;

/** Bytes of one frame of a format. */
export function frameBytes(format: FrameFormat): number {
  if (format.kind === 'samples') return format.channels * format.length * 4;
  const pixels = format.width * format.height;
  switch (format.pixel) {
    case 'rgb24':
    case 'bgr24':
      return pixels * 3;
    case 'gray8':
      return pixels;
    case 'yuyv422':
      return pixels * 2;
    case 'nv12':
      return pixels + 2 * Math.ceil(format.width / 2) * Math.ceil(format.height / 2);
  }
}

export interface Frame {
  /** Sequence number of this frame in its source, from 0; gaps mean frames dropped before delivery. */
  readonly seq: number;
  /** Capture time in milliseconds since the Unix epoch (fractional). */
  readonly timestamp: number;
  readonly format: FrameFormat;
  /** The frame's bytes: a view of one of the source's preallocated buffers, valid until release(). */
  readonly data: Uint8Array;
  /** Hands the buffer back to the source's pool. Calling it twice is harmless. */
  release(): void;
}

/**
 * A source of frames written into a fixed pool of preallocated buffers (no allocation per frame). When every
 * buffer is held by the consumer, the source drops new frames and counts them instead of allocating or blocking
 * the producer (a camera cannot wait).
 */
export interface FrameSource extends AsyncIterable<Frame> {
  readonly format: FrameFormat;
  /** Frames dropped because the pool was exhausted (or, for serial sources, corrupt messages skipped). */
  readonly dropped: number;
  /** Stops producing; pending iteration ends. Idempotent. */
  close(): Promise<void>;
}

/**
 * A fixed pool of equally sized buffers. acquire() returns a free buffer or undefined when all are in use;
 * release() returns it. Sources build on it.
 */
export class BufferPool {
  readonly buffers: Uint8Array[];
  #free: number[];

  constructor(count: number, bytes: number, allocate: (bytes: number) => Uint8Array = (n) => new Uint8Array(n)) {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`pool size must be a positive integer, got ${count}`);
    this.buffers = Array.from({ length: count }, () => allocate(bytes));
    this.#free = this.buffers.map((_, i) => i).reverse();
  }

  /** Index of a free buffer, or -1 when all are in use. */
  acquire(): number {
    return this.#free.pop() ?? -1;
  }

  release(index: number): void {
    if (index < 0 || index >= this.buffers.length || this.#free.includes(index)) return;
    this.#free.push(index);
  }

  get available(): number {
    return this.#free.length;
  }
}
