// `file:PATH` and `v4l2:/dev/videoN` sources: Debian's ffmpeg decodes (and for cameras captures) in a subprocess
// and writes raw frames to a pipe; each frame is assembled straight into a buffer of the pool.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

import { LiteError } from '../../sdk/src/errors.js';
import { BufferPool, type Frame, type FrameSource, frameBytes, type ImageFormat } from '../../sdk/src/pipeline/source.js';
import { captureTime, FrameQueue } from './frame-queue.js';

export interface FfmpegSourceOptions {
  /** 'file' decodes a video or image file; 'v4l2' captures from a V4L2 camera. */
  input: 'file' | 'v4l2';
  path: string;
  /** Output size; files default to their own size, cameras to 640x480. */
  width?: number;
  height?: number;
  fps?: number;
  /** Pixel format of the frames; 'yuyv422'/'nv12' leave colour conversion to the native preprocessing. */
  pixel?: ImageFormat['pixel'];
  /** Files: play at their frame rate (like a camera) instead of as fast as possible. Default true. */
  realtime?: boolean;
  /** Files: start again at the end. Default false. */
  loop?: boolean;
  pool?: number;
  allocate?: (bytes: number) => Uint8Array;
  /** The ffmpeg executable. Default 'ffmpeg'. */
  ffmpeg?: string;
}

const FFMPEG_PIXEL: Record<ImageFormat['pixel'], string> = {
  rgb24: 'rgb24', bgr24: 'bgr24', gray8: 'gray', yuyv422: 'yuyv422', nv12: 'nv12',
};

/** Width and height of a file's first video stream (ffprobe). */
export function probeSize(path: string): [number, number] {
  let out: string;
  try {
    out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path], {
      encoding: 'utf8',
    });
  } catch (error) {
    throw new LiteError('IO_ERROR', `cannot read the video size of '${path}' with ffprobe: ${(error as Error).message.split('\n')[0]}` +
      ' (is ffmpeg installed and the file a video?)');
  }
  const [width, height] = out.trim().split(',').map(Number);
  if (!width || !height) throw new LiteError('IO_ERROR', `'${path}' has no video stream`);
  return [width, height];
}

export class FfmpegSource implements FrameSource {
  readonly format: ImageFormat;
  #pool: BufferPool;
  #queue: FrameQueue;
  #process: ChildProcess;
  #seq = 0;
  #dropped = 0;
  #current = -1;     // pool buffer being filled, or -1 while a frame is being discarded
  #filled = 0;       // bytes of the current frame received so far
  #frameStarted = 0;
  #stderr = '';
  #closing = false;
  #live: boolean;
  #stalled: Buffer | undefined;  // file playback: bytes waiting for a free buffer (ffmpeg's pipe is paused)
  #endAfterStall = false;

  constructor(options: FfmpegSourceOptions) {
    let { width, height } = options;
    if (width === undefined || height === undefined) {
      [width, height] = options.input === 'file' ? probeSize(options.path) : [640, 480];
    }
    const pixel = options.pixel ?? 'rgb24';
    // Cameras and real-time playback hand over the newest frame; fast file decoding hands over every frame.
    const live = options.input === 'v4l2' || (options.realtime ?? true);
    this.#live = live;
    this.#queue = new FrameQueue(live ? 1 : Infinity, () => this.#dropped++);
    this.format = { kind: 'image', width, height, pixel };
    this.#pool = new BufferPool(options.pool ?? 4, frameBytes(this.format), options.allocate);
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
    if (options.input === 'v4l2') {
      args.push('-f', 'v4l2', '-video_size', `${width}x${height}`);
      if (options.fps) args.push('-framerate', String(options.fps));
    } else {
      if (options.loop) args.push('-stream_loop', '-1');
      if (options.realtime ?? true) args.push('-re');
    }
    args.push('-i', options.path, '-an', '-vf', `scale=${width}:${height}`);
    if (options.fps && options.input === 'file') args.push('-r', String(options.fps));
    args.push('-f', 'rawvideo', '-pix_fmt', FFMPEG_PIXEL[pixel], 'pipe:1');
    this.#process = spawn(options.ffmpeg ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#process.on('error', (error: NodeJS.ErrnoException) => {
      this.#queue.fail(new LiteError('IO_ERROR', error.code === 'ENOENT'
        ? 'ffmpeg is not installed: apt-get install ffmpeg (scripts/bootstrap.sh does)'
        : `ffmpeg failed to start: ${error.message}`));
    });
    this.#process.stderr!.on('data', (chunk: Buffer) => {
      if (this.#stderr.length < 4096) this.#stderr += chunk.toString();
    });
    this.#process.stdout!.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.#process.on('close', (code) => {
      if (code === 0 && !this.#closing && this.#stalled) {
        this.#endAfterStall = true;  // frames still wait for buffers: end once they are delivered
      } else if (code === 0 && !this.#closing) {
        this.#queue.end();  // end of the file: frames already decoded are still delivered
      } else if (this.#closing) {
        this.#queue.close();
      } else {
        this.#queue.fail(new LiteError('IO_ERROR', `ffmpeg stopped (exit ${code}) reading '${options.path}': ${this.#stderr.trim() || 'no message'}`));
      }
    });
  }

  get dropped(): number {
    return this.#dropped;
  }

  #receive(chunk: Buffer): void {
    const size = frameBytes(this.format);
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#filled === 0) {
        this.#current = this.#pool.acquire();
        this.#frameStarted = captureTime();
        if (this.#current < 0 && !this.#live) {
          // A file can wait: pause ffmpeg until the consumer hands a buffer back (no frame is lost).
          this.#stalled = chunk.subarray(offset);
          this.#process.stdout!.pause();
          return;
        }
        if (this.#current < 0) this.#dropped++;  // live: no free buffer, this frame's bytes are discarded
      }
      const take = Math.min(size - this.#filled, chunk.length - offset);
      if (this.#current >= 0) this.#pool.buffers[this.#current]!.set(chunk.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === size) {
        this.#filled = 0;
        const seq = this.#seq++;
        if (this.#current >= 0) this.#emit(this.#current, seq);
      }
    }
  }

  #emit(index: number, seq: number): void {
    let released = false;
    const frame: Frame = {
      seq,
      timestamp: this.#frameStarted,
      format: this.format,
      data: this.#pool.buffers[index]!,
      release: () => {
        if (released) return;
        released = true;
        this.#pool.release(index);
        this.#resume();
      },
    };
    this.#queue.push(frame);
  }

  #resume(): void {
    const stalled = this.#stalled;
    if (!stalled) return;
    this.#stalled = undefined;
    this.#receive(stalled);
    if (this.#stalled) return;
    if (this.#endAfterStall) this.#queue.end();
    else this.#process.stdout!.resume();
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      const exited = new Promise((resolve) => this.#process.once('close', resolve));
      this.#process.kill('SIGTERM');
      await exited;
    }
    this.#queue.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return this.#queue[Symbol.asyncIterator]();
  }
}
