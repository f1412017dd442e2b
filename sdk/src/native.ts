// The one file that loads the native addon, and the raw types of what it exports. Everything else in the SDK
// goes through these types; the addon does no argument checking of its own beyond what C++ needs.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { LiteError } from './errors.js';

/** The raw tensor object of the addon (native/binding/tensor_wrap.h). */
export interface NativeTensor {
  readonly deviceType: number;
  readonly deviceId: number;
  readonly isPinnedHost: boolean;
  readonly isContinue: boolean;
  readonly isView: boolean;
  readonly nbytes: number;
  layout(): { shape: number[]; dtype: number };
  setLayout(shape: number[], dtype: number): void;
  fillZero(): void;
  shareMemoryWith(other: NativeTensor): void;
  copyFrom(other: NativeTensor): void;
  reshape(shape: number[]): void;
  slice(start: number[], end: number[], step: number[]): NativeTensor;
  setDataByShare(data: ArrayBufferView, shape: number[], dtype: number): void;
  setDataByCopy(data: ArrayBufferView, shape?: number[], dtype?: number): void;
  copyTo(data: ArrayBufferView): void;
  /** Host memory seen in place, or undefined when the CPU cannot address it. */
  hostView(): { buffer: ArrayBuffer; byteOffset: number } | undefined;
  sameMemory(other: NativeTensor): boolean;
}

/** Plain config and IO objects the addon reads (validated by sdk/src/network.ts). */
export interface NativeConfig {
  deviceType: number;
  deviceId: number;
  options: Record<string, boolean | number>;
}
export interface NativeIO {
  name: string;
  isHost: boolean;
  ioType: number;
  layout?: { shape: number[]; dtype: number };
}

export interface NativeMemoryInfo {
  arenaBytes: number;
  weightBytes: number;
  ioBytes: number;
  dynamicValues: number;
  sharedWeightBytes: number;
  arenaShared: boolean;
  tensors: { name: string; offset: number; bytes: number; inPlace: boolean }[];
}

/** The raw network object of the addon (native/binding/network_wrap.h). */
export interface NativeNetwork {
  load(model: string | Uint8Array): void;
  forward(): void;
  forwardAsync(): Promise<void>;
  wait(): void;
  getIoTensor(name: string, phase: number): NativeTensor;
  getInputTensor(index: number): NativeTensor;
  getOutputTensor(index: number): NativeTensor;
  inputNames(): string[];
  outputNames(): string[];
  getThreadsNumber(): number;
  setThreadsNumber(threads: number): void;
  getStaticMemoryAllocInfo(): NativeMemoryInfo;
  graphSummary(): string;
  shareWeightsWith(src: NativeNetwork): void;
  shareRuntimeMemoryWith(src: NativeNetwork): void;
  enableCpuInplaceMode(): void;
  isCpuInplaceMode(): boolean;
  getDeviceId(): number;
  setDeviceId(id: number): void;
  getStreamId(): number;
  setStreamId(id: number): void;
  enableProfilePerformance(path: string): void;
}

export interface NativeModelIo {
  inputs: { name: string; shape: number[]; dtype: number }[];
  outputs: { name: string; shape: number[]; dtype: number }[];
}

/** What a model declares (native/include/lite/network.h, ModelInfo). */
export interface NativeModelInfo {
  irVersion: number;
  opset: number;
  producer: string;
  inputs: { name: string; dtype: string; dims: (number | string)[] }[];
  outputs: { name: string; dtype: string; dims: (number | string)[] }[];
  opHistogram: Record<string, number>;
  unsupportedOps: string[];
  initializerBytes: number;
}

/** A frame's size and pixel format as preprocessImage reads it (sdk/src/pipeline/source.ts, ImageFormat). */
export interface NativeImageSpec {
  width: number;
  height: number;
  pixel: string;
}

/** Options of preprocessImage, all given (defaults are resolved by sdk/src/pipeline/preprocess.ts). */
export interface NativePreprocessOptions {
  layout: 'nchw' | 'nhwc';
  order: 'rgb' | 'bgr' | 'gray';
  resize: 'nearest' | 'bilinear';
  /** Exactly 3 numbers each. */
  mean: number[];
  scale: number[];
}

export interface NativeAddon {
  inspectModel(model: Uint8Array): NativeModelInfo;
  Network: {
    new (config: NativeConfig, io: { inputs: NativeIO[]; outputs: NativeIO[] }): NativeNetwork;
    getModelIoInfo(model: Uint8Array): NativeModelIo;
  };
  supportedOps(): string[];
  Tensor: new (deviceType: number, deviceId: number, shape: number[], dtype: number, pinned: boolean) => NativeTensor;
  concat(tensors: NativeTensor[], dim: number, deviceType: number, deviceId: number): NativeTensor;
  /** Colour conversion, resize and normalisation of one frame into the tensor (native/include/lite/preprocess.h). */
  preprocessImage(frame: Uint8Array, spec: NativeImageSpec, tensor: NativeTensor, options: NativePreprocessOptions): void;
  canBindDirectly(spec: NativeImageSpec, tensor: NativeTensor, options: NativePreprocessOptions): boolean;
  getDeviceCount(deviceType: number): number;
  releaseUnusedMemory(): void;
  getDeviceDescription(deviceType: number, deviceId: number): string;
  setLogLevel(level: number): void;
  getLogLevel(): number;
  getCopyStats(): { hostToHost: number; hostToDevice: number; deviceToHost: number; deviceToDevice: number };
  resetCopyStats(): void;
  setErrorClass(cls: new (code: string, message: string) => Error): void;
  readonly version: string;
  readonly backends: string;
}

/** The package root: the nearest folder above this file with edgelite's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'edgelite') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new LiteError('ADDON_NOT_FOUND', 'cannot find edgelite\'s package.json above ' + dir);
    dir = parent;
  }
}

/**
 * Where the addon may be, in order: a local build (npm run build:native), then the prebuilt binary for this
 * platform (prebuilds/<platform>-<arch>/edgelite.node), as Node-API packages ship them. $EDGELITE_ADDON, when
 * set, is the only candidate: an explicit choice is never silently replaced by another binary.
 */
export function addonCandidates(root = packageRoot()): string[] {
  const override = process.env['EDGELITE_ADDON'];
  if (override) return [override];
  return [
    join(root, 'build', 'Release', 'edgelite.node'),
    join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'edgelite.node'),
  ];
}

function load(): NativeAddon {
  const require = createRequire(import.meta.url);
  const root = packageRoot();
  const tried: string[] = [];
  for (const candidate of addonCandidates(root)) {
    if (!existsSync(candidate)) {
      tried.push(`${candidate}: not found`);
      continue;
    }
    try {
      const addon = require(candidate) as NativeAddon;
      addon.setErrorClass(LiteError as unknown as new (code: string, message: string) => Error);
      return addon;
    } catch (error) {
      tried.push(`${candidate}: ${(error as Error).message}`);
    }
  }
  throw new LiteError(
    'ADDON_NOT_FOUND',
    `edgelite has no native addon for ${process.platform}-${process.arch} (Node ${process.versions.node}, ` +
      `N-API ${process.versions.napi}). Tried:\n  ${tried.join('\n  ')}\n` +
      'Prebuilt addons cover linux-x64 and linux-arm64. To build from source run, in the edgelite folder: ' +
      '`npm run bootstrap` (installs the Debian build packages and builds), or `npm run build:native` when ' +
      'cmake, ninja and a C++17 compiler are already installed.',
  );
}

let loaded: NativeAddon | undefined;

/** The addon, loaded on first use so that importing edgelite never throws. */
export function native(): NativeAddon {
  loaded ??= load();
  return loaded;
}
