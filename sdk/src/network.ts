// LiteConfig, LiteOptions, LiteIO, LiteNetworkIO and LiteNetwork: loading ONNX models and running them.
import { readFileSync } from 'node:fs';

import { LiteDeviceType, LiteIOType, LiteTensorPhase } from './enums.js';
import { decryptModel } from './decryption.js';
import { LiteError } from './errors.js';
import { LiteLayout } from './layout.js';
import { native, type NativeIO, type NativeMemoryInfo, type NativeModelInfo, type NativeNetwork } from './native.js';
import { LiteTensor } from './tensor.js';

/** MegEngine Lite's network options, camelCase, with Lite's defaults. */
export class LiteOptions {
  weightPreprocess = false;
  fusePreprocess = false;
  fakeNextExec = false;
  varSanityCheckFirstRun = true;
  constShape = false;
  forceDynamicAlloc = false;
  forceOutputDynamicAlloc = false;
  /** Outputs are written straight into memory given with `setDataByShare`; only network IO may then be fetched. */
  forceOutputUseUserSpecifiedMemory = false;
  noProfilingOnShapeChange = false;
  jitLevel = 0;
  compNodeSeqRecordLevel = 0;
  graphOptLevel = 2;
  asyncExecLevel = 1;

  constructor(init: Partial<LiteOptions> = {}) {
    for (const [key, value] of Object.entries(init)) {
      if (!(key in this)) throw new LiteError('INVALID_ARGUMENT', `unknown option '${key}': see LiteOptions for the accepted names`);
      const expected = typeof (this as unknown as Record<string, unknown>)[key];
      if (typeof value !== expected) {
        throw new LiteError('INVALID_ARGUMENT', `option '${key}' must be a ${expected}, got ${typeof value}`);
      }
      (this as unknown as Record<string, unknown>)[key] = value;
    }
  }
}

export interface LiteConfigInit {
  deviceType?: LiteDeviceType;
  deviceId?: number;
  options?: Partial<LiteOptions>;
  /** Name of a registered decryption method for encrypted models ('' for plain models). */
  bareModelCryptionName?: string;
}

export class LiteConfig {
  deviceType: LiteDeviceType;
  deviceId: number;
  options: LiteOptions;
  bareModelCryptionName: string;

  constructor(init: LiteConfigInit = {}) {
    this.deviceType = init.deviceType ?? LiteDeviceType.LITE_CPU;
    this.deviceId = init.deviceId ?? 0;
    this.options = init.options instanceof LiteOptions ? init.options : new LiteOptions(init.options ?? {});
    this.bareModelCryptionName = init.bareModelCryptionName ?? '';
    if (!Object.values(LiteDeviceType).includes(this.deviceType)) {
      throw new LiteError('INVALID_ARGUMENT', `deviceType must be a LiteDeviceType, got ${String(init.deviceType)}`);
    }
    if (!Number.isSafeInteger(this.deviceId) || this.deviceId < 0) {
      throw new LiteError('INVALID_ARGUMENT', `deviceId must be a non-negative integer, got ${String(init.deviceId)}`);
    }
  }
}

export interface LiteIOInit {
  /**
   * false: the tensor lives in the network's device memory (an OpenCL network's IO tensor is then a LITE_OPENCL
   * tensor that the device kernels use in place; bind one of your own with `shareMemoryWith`). On the CPU device,
   * device memory is host memory. Default true.
   */
  isHost?: boolean;
  /** LITE_IO_SHAPE: only the shape of this output is wanted. Default LITE_IO_VALUE. */
  ioType?: LiteIOType;
  /** For inputs: the layout to plan with instead of the model's. */
  layout?: LiteLayout;
}

export class LiteIO {
  readonly name: string;
  isHost: boolean;
  ioType: LiteIOType;
  layout: LiteLayout | undefined;

  constructor(name: string, init: LiteIOInit = {}) {
    if (typeof name !== 'string' || name === '') throw new LiteError('INVALID_ARGUMENT', 'LiteIO needs a tensor name');
    this.name = name;
    this.isHost = init.isHost ?? true;
    this.ioType = init.ioType ?? LiteIOType.LITE_IO_VALUE;
    this.layout = init.layout;
    if (this.layout !== undefined && !(this.layout instanceof LiteLayout)) {
      throw new LiteError('INVALID_ARGUMENT', `LiteIO '${name}': layout must be a LiteLayout`);
    }
  }
}

export class LiteNetworkIO {
  readonly inputs: LiteIO[] = [];
  readonly outputs: LiteIO[] = [];

  constructor(init: { inputs?: LiteIO[]; outputs?: LiteIO[] } = {}) {
    for (const io of init.inputs ?? []) this.addInput(io);
    for (const io of init.outputs ?? []) this.addOutput(io);
  }

  addInput(io: LiteIO | string, init?: LiteIOInit): this {
    this.inputs.push(typeof io === 'string' ? new LiteIO(io, init) : io);
    return this;
  }

  addOutput(io: LiteIO | string, init?: LiteIOInit): this {
    this.outputs.push(typeof io === 'string' ? new LiteIO(io, init) : io);
    return this;
  }
}

/** Where the static memory plan put things; known after load, before any run. */
export interface LiteMemoryInfo {
  /** Bytes of the activation arena (intermediate tensors share it by lifetime). */
  arenaBytes: number;
  /** Bytes of constants: weights and folded subgraphs. */
  weightBytes: number;
  /** Bytes of the input and output tensors. */
  ioBytes: number;
  /** Intermediate tensors whose shapes are only known at run time (allocated per run). */
  dynamicValues: number;
  /** Weight bytes that are the same memory as the network given to shareWeightsWith. */
  sharedWeightBytes: number;
  /** Whether the arena is shared with other networks (shareRuntimeMemory). */
  arenaShared: boolean;
  /** Each arena tensor: name, byte offset, size, and whether it reuses its producer's input memory. */
  tensors: { name: string; offset: number; bytes: number; inPlace: boolean }[];
}

/** What a model file declares, read without loading it: IO (symbolic dims as strings), ops, unsupported ops. */
export type LiteModelInfo = NativeModelInfo;

/** The model's bytes from a path or bytes, decrypted when the config names a decryption method. */
function readModel(model: string | Uint8Array, config?: LiteConfig): Uint8Array {
  if (typeof model !== 'string' && !(model instanceof Uint8Array)) {
    throw new LiteError('INVALID_ARGUMENT', 'expected a model file path or the model bytes (Uint8Array/Buffer)');
  }
  let bytes: Uint8Array;
  if (typeof model !== 'string') {
    bytes = model;
  } else {
    try {
      bytes = readFileSync(model);
    } catch (error) {
      throw new LiteError('IO_ERROR', `cannot read model file '${model}': ${(error as Error).message}`);
    }
  }
  return config?.bareModelCryptionName ? decryptModel(config.bareModelCryptionName, bytes) : bytes;
}

function toNativeIO(io: LiteIO): NativeIO {
  const out: NativeIO = { name: io.name, isHost: io.isHost, ioType: io.ioType };
  if (io.layout) out.layout = { shape: io.layout.shapes, dtype: io.layout.dataType };
  return out;
}

/** The IO tensors by name, as start and finish callbacks receive them. */
export type LiteIOTensors = Record<string, LiteTensor>;

export class LiteNetwork {
  readonly config: LiteConfig;
  readonly io: LiteNetworkIO;
  #native: NativeNetwork | undefined;
  #loaded = false;
  #inFlight = 0;
  #queue: Promise<void> = Promise.resolve();
  #tensors = new Map<string, LiteTensor>();
  #startCallback: ((inputs: LiteIOTensors) => void) | undefined;
  #finishCallback: ((outputs: LiteIOTensors) => void) | undefined;
  #asyncCallback: ((error?: LiteError) => void) | undefined;

  constructor(init: { config?: LiteConfig; io?: LiteNetworkIO } = {}) {
    this.config = init.config ?? new LiteConfig();
    this.io = init.io ?? new LiteNetworkIO();
    if (!(this.config instanceof LiteConfig)) throw new LiteError('INVALID_ARGUMENT', 'config must be a LiteConfig');
    if (!(this.io instanceof LiteNetworkIO)) throw new LiteError('INVALID_ARGUMENT', 'io must be a LiteNetworkIO');
    const { Network } = native();
    this.#native = new Network(
      { deviceType: this.config.deviceType, deviceId: this.config.deviceId, options: { ...this.config.options } },
      { inputs: this.io.inputs.map(toNativeIO), outputs: this.io.outputs.map(toNativeIO) },
    );
  }

  get #handle(): NativeNetwork {
    if (!this.#native) throw new LiteError('INVALID_STATE', 'this LiteNetwork was disposed: create a new one');
    return this.#native;
  }

  /** Loads an ONNX model from a file path or its bytes. Corrupt input and unsupported ops are LiteErrors. */
  load(model: string | Uint8Array): void {
    if (this.#loaded) throw new LiteError('INVALID_STATE', 'this network already has a model: create a new LiteNetwork');
    // A plain file is read by the runtime, into memory it frees once the model is loaded: a JS Buffer of it would
    // stay resident until the next garbage collection.
    const plainFile = typeof model === 'string' && !this.config.bareModelCryptionName;
    this.#handle.load(plainFile ? model : readModel(model, this.config));
    this.#loaded = true;
  }

  /**
   * Runs the model on the current inputs, on the calling thread (it blocks the event loop: prefer forwardAsync).
   * After `asyncWithCallback(cb)`, it starts the run on a worker thread instead and returns at once; cb is called
   * when the outputs are ready.
   */
  forward(): void {
    if (this.#asyncCallback) {
      const callback = this.#asyncCallback;
      this.forwardAsync().then(
        () => callback(),
        (error: unknown) => callback(error instanceof LiteError ? error : new LiteError('INTERNAL', String(error))),
      );
      return;
    }
    this.#requireIdle('forward');
    this.#startCallback?.(this.#ioTensors(this.getAllInputName(), LiteTensorPhase.LITE_INPUT));
    this.#handle.forward();
    this.#finishCallback?.(this.#ioTensors(this.getAllOutputName(), LiteTensorPhase.LITE_OUTPUT));
  }

  /**
   * Returns once the last forward() is done: synchronous runs are done when forward returns. An asynchronous run
   * cannot be waited for without blocking the event loop: await forwardAsync() or use the asyncWithCallback callback.
   */
  wait(): void {
    if (this.#inFlight > 0) {
      throw new LiteError('INVALID_STATE', 'an asynchronous run is in flight: await forwardAsync() or wait for the asyncWithCallback callback');
    }
    this.#handle.wait();
  }

  /** Called with the input tensors right before each run (synchronous or asynchronous). */
  setStartCallback(callback: (inputs: LiteIOTensors) => void): void {
    if (typeof callback !== 'function') throw new LiteError('INVALID_ARGUMENT', 'setStartCallback expects a function');
    this.#startCallback = callback;
  }

  /** Called with the output tensors right after each run, when they hold the results. */
  setFinishCallback(callback: (outputs: LiteIOTensors) => void): void {
    if (typeof callback !== 'function') throw new LiteError('INVALID_ARGUMENT', 'setFinishCallback expects a function');
    this.#finishCallback = callback;
  }

  /** Makes forward() asynchronous (Lite's async mode): each run happens on a worker thread and calls `callback`
   * (with a LiteError if it failed) when done. */
  asyncWithCallback(callback: (error?: LiteError) => void): void {
    if (typeof callback !== 'function') throw new LiteError('INVALID_ARGUMENT', 'asyncWithCallback expects a function');
    this.#asyncCallback = callback;
  }

  /** Loads `src`'s model into this unloaded network, using `src`'s weights: one copy in memory. */
  shareWeightsWith(src: LiteNetwork): void {
    if (!(src instanceof LiteNetwork)) throw new LiteError('INVALID_ARGUMENT', 'shareWeightsWith expects a LiteNetwork');
    if (this.#loaded) throw new LiteError('INVALID_STATE', 'shareWeightsWith needs a network without a model');
    src.#requireLoaded('shareWeightsWith (the source network)');
    this.#handle.shareWeightsWith(src.#handle);
    this.#loaded = true;
  }

  /** Uses one activation arena with `src`; runs of the two networks are then serialised. */
  shareRuntimeMemory(src: LiteNetwork): void {
    if (!(src instanceof LiteNetwork)) throw new LiteError('INVALID_ARGUMENT', 'shareRuntimeMemory expects a LiteNetwork');
    if (this.#inFlight > 0 || src.#inFlight > 0) {
      throw new LiteError('INVALID_STATE', 'shareRuntimeMemory: await the networks\' runs first');
    }
    this.#handle.shareRuntimeMemoryWith(src.#handle);
  }

  /** Kernels run on the thread that runs the network (always so on edgelite's CPU); before load. */
  enableCpuInplaceMode(): void {
    if (this.#loaded) throw new LiteError('INVALID_STATE', 'enableCpuInplaceMode must be called before load');
    this.#handle.enableCpuInplaceMode();
  }

  isCpuInplaceMode(): boolean {
    return this.#handle.isCpuInplaceMode();
  }

  /** The device of the network (set before load). */
  get deviceId(): number {
    return this.#handle.getDeviceId();
  }

  set deviceId(id: number) {
    if (!Number.isSafeInteger(id) || id < 0) throw new LiteError('INVALID_ARGUMENT', `deviceId must be a non-negative integer, got ${String(id)}`);
    if (this.#loaded) throw new LiteError('INVALID_STATE', 'deviceId must be set before load');
    this.#handle.setDeviceId(id);
  }

  /** The stream (queue) of the network on its device (set before load). */
  get streamId(): number {
    return this.#handle.getStreamId();
  }

  set streamId(id: number) {
    if (!Number.isSafeInteger(id) || id < 0) throw new LiteError('INVALID_ARGUMENT', `streamId must be a non-negative integer, got ${String(id)}`);
    if (this.#loaded) throw new LiteError('INVALID_STATE', 'streamId must be set before load');
    this.#handle.setStreamId(id);
  }

  /** Writes a per-node profile of every run, in Chrome trace format (open it in Perfetto), to `path`. */
  enableProfilePerformance(path: string): void {
    if (typeof path !== 'string' || path === '') throw new LiteError('INVALID_ARGUMENT', 'enableProfilePerformance needs a file path');
    this.#handle.enableProfilePerformance(path);
  }

  /** A model's inputs and outputs with their layouts (symbolic dims as 0), without loading it. */
  static getModelIoInfo(model: string | Uint8Array, config?: LiteConfig): LiteNetworkIO {
    const bytes = readModel(model, config);
    const info = native().Network.getModelIoInfo(bytes);
    const io = new LiteNetworkIO();
    for (const input of info.inputs) io.addInput(input.name, { layout: new LiteLayout(input.shape, input.dtype) });
    for (const output of info.outputs) io.addOutput(output.name, { layout: new LiteLayout(output.shape, output.dtype) });
    return io;
  }

  #ioTensors(names: string[], phase: LiteTensorPhase): LiteIOTensors {
    const tensors: LiteIOTensors = {};
    for (const name of names) tensors[name] = this.getIoTensor(name, phase);
    return tensors;
  }

  /**
   * Runs the model on a worker thread without blocking the event loop. Calls made while a run is in flight are
   * queued and run one after another, never at the same time.
   */
  forwardAsync(): Promise<void> {
    const handle = this.#handle;
    this.#requireLoaded('forwardAsync');
    this.#inFlight++;
    const run = this.#queue.then(async () => {
      this.#startCallback?.(this.#ioTensors(this.getAllInputName(), LiteTensorPhase.LITE_INPUT));
      await handle.forwardAsync();
      this.#finishCallback?.(this.#ioTensors(this.getAllOutputName(), LiteTensorPhase.LITE_OUTPUT));
    });
    this.#queue = run.catch(() => undefined);
    return run.finally(() => {
      this.#inFlight--;
    });
  }

  /** The input or output named `name` (phase narrows the search). The same LiteTensor object on every call. */
  getIoTensor(name: string, phase: LiteTensorPhase = LiteTensorPhase.LITE_IO): LiteTensor {
    if (typeof name !== 'string') throw new LiteError('INVALID_ARGUMENT', 'getIoTensor expects a tensor name');
    this.#requireLoaded('getIoTensor');
    // One wrapper per IO tensor, whichever way it was asked for.
    const side = phase === LiteTensorPhase.LITE_OUTPUT || (phase === LiteTensorPhase.LITE_IO && !this.getAllInputName().includes(name))
      ? 'output' : 'input';
    const key = `${side}:${name}`;
    let tensor = this.#tensors.get(key);
    if (!tensor) {
      tensor = LiteTensor.fromNative(this.#handle.getIoTensor(name, phase));
      this.#tensors.set(key, tensor);
    }
    return tensor;
  }

  getInputTensor(index: number): LiteTensor {
    return this.getIoTensor(this.getInputName(index), LiteTensorPhase.LITE_INPUT);
  }

  getOutputTensor(index: number): LiteTensor {
    return this.getIoTensor(this.getOutputName(index), LiteTensorPhase.LITE_OUTPUT);
  }

  getInputName(index: number): string {
    return this.#nameAt(this.getAllInputName(), index, 'input');
  }

  getOutputName(index: number): string {
    return this.#nameAt(this.getAllOutputName(), index, 'output');
  }

  /** Input names in model order. */
  getAllInputName(): string[] {
    this.#requireLoaded('getAllInputName');
    return this.#handle.inputNames();
  }

  /** Output names in model order. */
  getAllOutputName(): string[] {
    this.#requireLoaded('getAllOutputName');
    return this.#handle.outputNames();
  }

  /** Threads for the CPU kernels (default 1). Set before load. */
  get threadsNumber(): number {
    return this.#handle.getThreadsNumber();
  }

  set threadsNumber(threads: number) {
    if (!Number.isSafeInteger(threads) || threads < 1) {
      throw new LiteError('INVALID_ARGUMENT', `threadsNumber must be a positive integer, got ${String(threads)}`);
    }
    if (this.#loaded) throw new LiteError('INVALID_STATE', 'threadsNumber must be set before load');
    this.#handle.setThreadsNumber(threads);
  }

  getStaticMemoryAllocInfo(): LiteMemoryInfo {
    this.#requireLoaded('getStaticMemoryAllocInfo');
    const info: NativeMemoryInfo = this.#handle.getStaticMemoryAllocInfo();
    return info;
  }

  /** The op histogram and node counts after graph passes (what `edgelite info` prints). */
  getGraphSummary(): string {
    this.#requireLoaded('getGraphSummary');
    return this.#handle.graphSummary();
  }

  /** Releases the network. Refused while a forwardAsync is in flight: await it first. */
  dispose(): void {
    if (this.#inFlight > 0) {
      throw new LiteError('INVALID_STATE', 'cannot dispose a network while forwardAsync runs: await it first');
    }
    this.#native = undefined;
    this.#tensors.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Reads what a model declares without loading it (works for models with unsupported ops too). */
  static inspectModel(model: string | Uint8Array, config?: LiteConfig): LiteModelInfo {
    return native().inspectModel(readModel(model, config));
  }

  /** The ops in ai.onnx that this build runs (the op registry), sorted. */
  static getSupportedOps(): string[] {
    return native().supportedOps();
  }

  #requireLoaded(what: string): void {
    if (!this.#loaded) throw new LiteError('INVALID_STATE', `${what} needs a loaded model: call load() first`);
  }

  #requireIdle(what: string): void {
    this.#requireLoaded(what);
    if (this.#inFlight > 0) {
      throw new LiteError('INVALID_STATE', `${what}: a forwardAsync is in flight on this network: await it (runs are never raced)`);
    }
  }

  #nameAt(names: string[], index: number, what: string): string {
    const name = Number.isSafeInteger(index) ? names[index] : undefined;
    if (name === undefined) {
      throw new LiteError('INVALID_ARGUMENT', `${what} index ${String(index)} is out of range: the model has ${names.length} ${what}(s)`);
    }
    return name;
  }
}
