// LiteConfig, LiteOptions, LiteIO, LiteNetworkIO and LiteNetwork: loading ONNX models and running them.
import { readFileSync } from 'node:fs';

import { LiteDeviceType, LiteIOType, LiteTensorPhase } from './enums.js';
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
  /** Device memory (true: host memory). On the CPU device, device memory is host memory. Default true. */
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
  /** Each arena tensor: name, byte offset, size, and whether it reuses its producer's input memory. */
  tensors: { name: string; offset: number; bytes: number; inPlace: boolean }[];
}

/** What a model file declares, read without loading it: IO (symbolic dims as strings), ops, unsupported ops. */
export type LiteModelInfo = NativeModelInfo;

function readModel(model: string | Uint8Array): Uint8Array {
  if (typeof model !== 'string' && !(model instanceof Uint8Array)) {
    throw new LiteError('INVALID_ARGUMENT', 'expected a model file path or the model bytes (Uint8Array/Buffer)');
  }
  if (typeof model !== 'string') return model;
  try {
    return readFileSync(model);
  } catch (error) {
    throw new LiteError('IO_ERROR', `cannot read model file '${model}': ${(error as Error).message}`);
  }
}

function toNativeIO(io: LiteIO): NativeIO {
  const out: NativeIO = { name: io.name, isHost: io.isHost, ioType: io.ioType };
  if (io.layout) out.layout = { shape: io.layout.shapes, dtype: io.layout.dataType };
  return out;
}

export class LiteNetwork {
  readonly config: LiteConfig;
  readonly io: LiteNetworkIO;
  #native: NativeNetwork | undefined;
  #loaded = false;
  #inFlight = 0;
  #queue: Promise<void> = Promise.resolve();
  #tensors = new Map<string, LiteTensor>();

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
    const bytes = readModel(model);
    if (this.#loaded) throw new LiteError('INVALID_STATE', 'this network already has a model: create a new LiteNetwork');
    this.#handle.load(bytes);
    this.#loaded = true;
  }

  /** Runs the model on the current inputs, on the calling thread (blocks the event loop: prefer forwardAsync). */
  forward(): void {
    this.#requireIdle('forward');
    this.#handle.forward();
  }

  /** Waits for the last forward; forward on the CPU already returns with the outputs ready. */
  wait(): void {
    this.#handle.wait();
  }

  /**
   * Runs the model on a worker thread without blocking the event loop. Calls made while a run is in flight are
   * queued and run one after another, never at the same time.
   */
  forwardAsync(): Promise<void> {
    const handle = this.#handle;
    this.#requireLoaded('forwardAsync');
    this.#inFlight++;
    const run = this.#queue.then(() => handle.forwardAsync());
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
  static inspectModel(model: string | Uint8Array): LiteModelInfo {
    return native().inspectModel(readModel(model));
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
