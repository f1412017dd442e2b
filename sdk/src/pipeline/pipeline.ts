// The pipeline: frames from a source are bound to the network input (by share when the frame already has the
// model's layout, else through the native preprocessing kernel writing straight into the input), the network runs
// on a worker thread (forwardAsync) and writes its outputs into a ring of preallocated buffers, and each result is
// handed to a sink (MQTT publishing) while the next frame is already being inferred. On a device network, raw frames
// live in tensors from the source's pool (deviceFrameAllocator) bound by shareMemoryWith: OpenCL or CUDA tensors on a
// device-IO input (`LiteIO` isHost false), which the kernels read in place, and pinned host tensors on a CUDA network's
// host input. Preprocessed frames are written straight into a host-visible device-IO input.
import { LiteDataType, LiteDeviceType } from '../enums.js';
import { LiteError } from '../errors.js';
import { dtypeName, LiteLayout } from '../layout.js';
import type { LiteNetwork } from '../network.js';
import { ARRAY_OF, LiteTensor, type LiteTensorOptions, type LiteTypedArray } from '../tensor.js';
import { canBindFrameDirectly, preprocessFrame, type PreprocessOptions } from './preprocess.js';
import type { Frame, FrameSource } from './source.js';

/** One output tensor of a result: a view of a ring buffer, valid until the sink's promise settles. */
export interface ResultTensor {
  name: string;
  dtype: ReturnType<typeof dtypeName>;
  shape: number[];
  data: LiteTypedArray;
}

/** What the network produced for one frame. */
export interface InferenceResult {
  /** The frame's sequence number in its source. */
  seq: number;
  /** The frame's capture time, ms since the Unix epoch. */
  timestamp: number;
  tensors: ResultTensor[];
}

/** Receives each result; the ring buffer holding it is reused once the returned promise settles. */
export type ResultSink = (result: InferenceResult) => Promise<void>;

export interface PipelineOptions {
  network: LiteNetwork;
  source: FrameSource;
  sink: ResultSink;
  /** Output buffer sets in the ring: results being published while the next frames run. Default 3. */
  ring?: number;
  /** How image frames become the model input when they cannot be bound as they are. */
  preprocess?: Partial<PreprocessOptions>;
  /** Stop after this many frames (all of them published). Default: until the source ends or stop(). */
  frames?: number;
}

export interface PipelineStats {
  /** Frames run through the network. */
  frames: number;
  /** Results whose sink promise resolved. */
  published: number;
  /** Frames dropped by the source (pool exhausted) and sinks that failed. */
  dropped: number;
  sinkErrors: number;
  /** Frames per second over the last few seconds. */
  fps: number;
  /** Capture → result-ready latency percentiles over the last 256 frames, ms. */
  latencyP50: number;
  latencyP99: number;
  /**
   * Frames that reached the network input without a copy: bound by share (a frame in JS memory on a host input, or a
   * frame from a {@link deviceFrameAllocator} pool: an OpenCL or CUDA tensor on a device-IO input, a pinned host
   * tensor on a CUDA network's host input), or preprocessed straight into a device-IO input that the kernels read in
   * place. A discrete GPU then still gets a copy of a host input from the network (`getCopyStats().hostToDevice`).
   */
  zeroCopyFrames: number;
}

/** The tensor behind each frame buffer handed out by a deviceFrameAllocator, keyed by its memory. */
const deviceFrames = new WeakMap<ArrayBufferLike, LiteTensor>();

/**
 * An `allocate` function for a source's buffer pool (BufferPool, the test pattern and ffmpeg sources) that puts
 * frame buffers in memory the network's device reads, so that the pipeline binds each frame as the input with
 * `shareMemoryWith` and the frame is written once, by the source. It applies to raw frames: the network's first input
 * is uint8 and exactly the frames' bytes (buffers of other sizes are ordinary JS memory), and
 * - a device-IO input (`new LiteIO(name, { isHost: false })`) of an OpenCL or CUDA network: the buffers are tensors
 *   of that device, read by its kernels in place. They must be host-visible: OpenCL devices with unified memory
 *   (PoCL, Mali, Adreno) and integrated CUDA GPUs (Jetson, mapped pinned memory). Elsewhere device memory cannot be
 *   written by a source (nor device IO inputs be run yet): undefined;
 * - a host input of a CUDA network: the buffers are pinned host tensors (`isPinnedHost`, mapped `cudaHostAlloc`),
 *   which an integrated GPU reads in place and a discrete GPU gets by one DMA copy per run (counted by
 *   `getCopyStats()` as host to device), instead of the pinning or staging ordinary memory would need.
 *
 * Undefined otherwise (CPU networks, host inputs of OpenCL networks): the source's default, JS memory bound by share,
 * is then right.
 */
export function deviceFrameAllocator(network: LiteNetwork): ((bytes: number) => Uint8Array) | undefined {
  const input = network.getInputTensor(0);
  const layout = input.layout;
  let options: LiteTensorOptions;
  if (input.deviceType === LiteDeviceType.LITE_OPENCL || input.deviceType === LiteDeviceType.LITE_CUDA) {
    if (layout.nbytes > 0 && !input.handle.hostView()) return undefined;
    options = { deviceType: input.deviceType, deviceId: network.deviceId };
  } else if (network.config.deviceType === LiteDeviceType.LITE_CUDA) {
    options = { deviceType: LiteDeviceType.LITE_CPU, isPinnedHost: true };
  } else {
    return undefined;
  }
  return (bytes: number): Uint8Array => {
    if (layout.dataType !== LiteDataType.LITE_UINT8 || layout.nbytes !== bytes) return new Uint8Array(bytes);
    const tensor = new LiteTensor(layout, options);
    const view = tensor.getDataByShare() as Uint8Array;
    deviceFrames.set(view.buffer, tensor);
    return view;
  };
}

/** The pool tensor whose whole memory is `data`, when a deviceFrameAllocator made it. */
function poolTensorOf(data: Uint8Array): LiteTensor | undefined {
  const tensor = deviceFrames.get(data.buffer);
  return tensor && data.byteOffset === 0 && data.byteLength === tensor.layout.nbytes ? tensor : undefined;
}

interface Slot {
  tensors: ResultTensor[];
  busy: Promise<void> | undefined;
}

export class Pipeline {
  readonly #network: LiteNetwork;
  readonly #source: FrameSource;
  readonly #sink: ResultSink;
  readonly #preprocess: Partial<PreprocessOptions>;
  readonly #limit: number;
  #slots: Slot[] = [];
  #next = 0;
  #stopping = false;
  #frames = 0;
  #published = 0;
  #sinkErrors = 0;
  #zeroCopy = 0;
  #latencies: number[] = [];
  #frameTimes: number[] = [];
  /** A CPU tensor of the device input's layout: canBindFrameDirectly asks the native check about CPU tensors. */
  #probe: LiteTensor | undefined;

  constructor(options: PipelineOptions) {
    this.#network = options.network;
    this.#source = options.source;
    this.#sink = options.sink;
    this.#preprocess = options.preprocess ?? {};
    this.#limit = options.frames ?? Infinity;
    const ring = options.ring ?? 3;
    if (!Number.isSafeInteger(ring) || ring < 1) throw new LiteError('INVALID_ARGUMENT', `ring must be a positive integer, got ${ring}`);
    if (!(this.#limit > 0)) throw new LiteError('INVALID_ARGUMENT', `frames must be positive, got ${options.frames}`);
    for (let i = 0; i < ring; i++) this.#slots.push({ tensors: this.#allocateSlot(), busy: undefined });
  }

  #allocateSlot(): ResultTensor[] {
    return this.#network.getAllOutputName().map((name) => {
      const layout = this.#network.getIoTensor(name).layout;
      if (layout.ndim === 0) {
        throw new LiteError('NOT_SUPPORTED', `output '${name}' has no shape before the first run: the pipeline needs outputs of known shape (set the input layout with a LiteIO)`);
      }
      const Typed = ARRAY_OF[layout.dataType];
      return { name, dtype: layout.dtype, shape: layout.shapes, data: new Typed(layout.elementCount) };
    });
  }

  get stats(): PipelineStats {
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const at = (q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);
    const now = performance.now();
    const recent = this.#frameTimes.filter((t) => now - t <= 5000);
    const span = recent.length > 1 ? (recent[recent.length - 1]! - recent[0]!) / 1000 : 0;
    return {
      frames: this.#frames,
      published: this.#published,
      dropped: this.#source.dropped + this.#sinkErrors,
      sinkErrors: this.#sinkErrors,
      fps: span > 0 ? (recent.length - 1) / span : 0,
      latencyP50: at(0.5),
      latencyP99: at(0.99),
      zeroCopyFrames: this.#zeroCopy,
    };
  }

  /** Asks the pipeline to stop after the frame in progress; run() then drains and resolves. */
  stop(): void {
    this.#stopping = true;
    void this.#source.close();
  }

  /** Runs until the source ends, `frames` frames are done, or stop(); resolves after every sink has settled. */
  async run(): Promise<PipelineStats> {
    try {
      for await (const frame of this.#source) {
        if (this.#stopping) {
          frame.release();
          break;
        }
        await this.#process(frame);
        if (this.#frames >= this.#limit) break;
      }
    } finally {
      await this.#source.close();
      await Promise.all(this.#slots.map((slot) => slot.busy));
    }
    return this.stats;
  }

  async #process(frame: Frame): Promise<void> {
    const slot = this.#slots[this.#next]!;
    this.#next = (this.#next + 1) % this.#slots.length;
    if (slot.busy) await slot.busy;  // the ring is full: wait for the oldest result to be handed over
    try {
      this.#bindInput(frame);
      for (const tensor of slot.tensors) this.#network.getIoTensor(tensor.name).setDataByShare(tensor.data);
      await this.#network.forwardAsync();
    } finally {
      frame.release();
    }
    const ready = performance.timeOrigin + performance.now();
    this.#frames++;
    this.#frameTimes.push(performance.now());
    if (this.#frameTimes.length > 512) this.#frameTimes.splice(0, 256);
    this.#latencies.push(ready - frame.timestamp);
    if (this.#latencies.length > 256) this.#latencies.shift();
    const result: InferenceResult = { seq: frame.seq, timestamp: frame.timestamp, tensors: slot.tensors };
    slot.busy = this.#sink(result).then(
      () => {
        this.#published++;
      },
      () => {
        this.#sinkErrors++;
      },
    ).finally(() => {
      slot.busy = undefined;
    });
  }

  #bindInput(frame: Frame): void {
    const input = this.#network.getInputTensor(0);
    if (frame.format.kind === 'samples') {
      const { length, channels } = frame.format;
      const samples = new Float32Array(frame.data.buffer, frame.data.byteOffset, length * channels);
      const layout = input.layout;
      const sameCount = layout.elementCount === samples.length && layout.dataType === LiteDataType.LITE_FLOAT;
      input.setDataByShare(samples, sameCount ? layout : new LiteLayout([1, length, channels], 'float32'));
      this.#zeroCopy++;
      return;
    }
    if (input.deviceType !== LiteDeviceType.LITE_CPU) {
      this.#bindDeviceInput(frame, input);
      return;
    }
    if (canBindFrameDirectly(frame.format, input, this.#preprocess)) {
      // A pinned pool tensor (a CUDA network's host input) is bound as itself, so that the network sees pinned memory.
      const pooled = poolTensorOf(frame.data);
      if (pooled?.deviceType === LiteDeviceType.LITE_CPU) {
        if (!input.sharesMemoryWith(pooled)) input.shareMemoryWith(pooled);
      } else {
        input.setDataByShare(frame.data, input.layout);
      }
      this.#zeroCopy++;
      return;
    }
    // A CUDA network's host input is preprocessed into pinned memory (bound once): an integrated GPU reads it in place
    // where ordinary memory would be pinned and unpinned around every run, and a discrete GPU copies it by DMA.
    if (this.#network.config.deviceType === LiteDeviceType.LITE_CUDA && !input.isPinnedHost) {
      input.shareMemoryWith(new LiteTensor(input.layout, { deviceType: LiteDeviceType.LITE_CPU, isPinnedHost: true }));
    }
    preprocessFrame(frame.data, frame.format, input, this.#preprocess);
  }

  /** A device-IO input (OpenCL or CUDA, host-visible): the kernels read what is bound or written here in place. */
  #bindDeviceInput(frame: Frame, input: LiteTensor): void {
    if (frame.format.kind !== 'image') throw new LiteError('NOT_SUPPORTED', `sample frames on a ${LiteDeviceType[input.deviceType]} device-IO input are not supported yet: use a host input`);
    this.#probe ??= new LiteTensor(input.layout);
    if (canBindFrameDirectly(frame.format, this.#probe, this.#preprocess)) {
      const tensor = poolTensorOf(frame.data);
      if (tensor?.deviceType === input.deviceType) {
        if (!input.sharesMemoryWith(tensor)) input.shareMemoryWith(tensor);
        this.#zeroCopy++;
      } else {
        // A frame in JS memory (the source was not given deviceFrameAllocator): one copy into the device input,
        // made natively so that getCopyStats() counts it (host to device).
        this.#probe.setDataByShare(frame.data.subarray(0, input.layout.nbytes), input.layout);
        input.copyFrom(this.#probe);
      }
      return;
    }
    preprocessFrame(frame.data, frame.format, input, this.#preprocess);
    this.#zeroCopy++;
  }
}
