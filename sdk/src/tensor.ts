// LiteTensor: MegEngine Lite's tensor API over the native runtime. Arguments are checked here, where messages
// can name the argument; memory and copies are the runtime's (native/include/lite/tensor.h).
import { type DtypeName, LiteDataType, LiteDeviceType } from './enums.js';
import { LiteError } from './errors.js';
import { checkShape, dtypeName, dtypeSize, LiteLayout, toDataType } from './layout.js';
import { native, type NativeTensor } from './native.js';

/** The typed array of each dtype: float16 is seen as its raw bits (Uint16Array), bool as bytes (Uint8Array). */
export type LiteTypedArray =
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint32Array
  | Uint16Array
  | BigInt64Array;

/** The constructor of the typed array that holds a dtype's elements. */
export type LiteTypedArrayConstructor = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): LiteTypedArray;
  new (length: number): LiteTypedArray;
};

/** The typed array of each dtype (shared by the tensor API, the pipeline's ring and the message codec). */
export const ARRAY_OF: Record<LiteDataType, LiteTypedArrayConstructor> = {
  [LiteDataType.LITE_FLOAT]: Float32Array,
  [LiteDataType.LITE_HALF]: Uint16Array,
  [LiteDataType.LITE_INT]: Int32Array,
  [LiteDataType.LITE_INT16]: Int16Array,
  [LiteDataType.LITE_INT8]: Int8Array,
  [LiteDataType.LITE_UINT8]: Uint8Array,
  [LiteDataType.LITE_UINT]: Uint32Array,
  [LiteDataType.LITE_UINT16]: Uint16Array,
  [LiteDataType.LITE_INT64]: BigInt64Array,
  [LiteDataType.LITE_BOOL]: Uint8Array,
};

/** Options of `new LiteTensor(layout, options)`; defaults: CPU, device 0, not pinned. */
export interface LiteTensorOptions {
  deviceType?: LiteDeviceType;
  deviceId?: number;
  /**
   * Page-locked host memory, for CUDA: mapped `cudaHostAlloc` memory that an integrated GPU (Jetson) reads in place
   * and a discrete GPU copies by DMA. CPU tensors only (another deviceType is INVALID_ARGUMENT). Without a CUDA
   * device it is ordinary host memory, so the same code runs anywhere; `isPinnedHost` reports the request either way.
   * Default false.
   */
  isPinnedHost?: boolean;
  /** Element type when the layout is given as a shape array. Default: float32. */
  dtype?: LiteDataType | DtypeName;
}

/** The single-argument form: `new LiteTensor({ shapes: [2, 3], dtype: 'int8' })`. */
export interface LiteTensorInit extends LiteTensorOptions {
  layout?: LiteLayout;
  shapes?: number[];
}

/** Raw bytes of any dtype: a Node Buffer or a DataView. Other typed arrays must match the dtype. */
function isRawBytes(data: ArrayBufferView): boolean {
  return data instanceof DataView || Buffer.isBuffer(data);
}

function checkDataMatches(data: ArrayBufferView, dtype: LiteDataType, what: string): void {
  if (isRawBytes(data)) return;
  const expected = ARRAY_OF[dtype];
  if (!(data instanceof (expected as unknown as typeof Uint8Array))) {
    throw new LiteError(
      'DTYPE_MISMATCH',
      `${what}: a ${data.constructor.name} cannot hold ${dtypeName(dtype)} elements: pass a ${expected.name}, ` +
        'a Buffer of raw bytes, or a layout with the matching dtype',
    );
  }
}

function isArrayBufferView(data: unknown): data is ArrayBufferView {
  return ArrayBuffer.isView(data);
}

function checkDevice(deviceType: unknown, deviceId: unknown): [LiteDeviceType, number] {
  const type = deviceType ?? LiteDeviceType.LITE_CPU;
  if (!Object.values(LiteDeviceType).includes(type as LiteDeviceType) || typeof type !== 'number') {
    throw new LiteError('INVALID_ARGUMENT', `deviceType must be a LiteDeviceType, got ${String(deviceType)}`);
  }
  const id = deviceId ?? 0;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    throw new LiteError('INVALID_ARGUMENT', `deviceId must be a non-negative integer, got ${String(deviceId)}`);
  }
  return [type === LiteDeviceType.LITE_DEVICE_DEFAULT ? LiteDeviceType.LITE_CPU : type, id];
}

function checkIndices(values: unknown, what: string): number[] {
  if (!Array.isArray(values)) throw new LiteError('INVALID_ARGUMENT', `${what} must be an array of integers`);
  return values.map((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new LiteError('INVALID_ARGUMENT', `${what}[${i}] must be a non-negative integer, got ${String(v)}`);
    }
    return v;
  });
}

const fromNative = Symbol('fromNative');

export class LiteTensor {
  #native: NativeTensor | undefined;

  /**
   * `new LiteTensor(layout?, options?)` with a LiteLayout or a shape array, or `new LiteTensor(init)`.
   * Memory is allocated on first use, on `deviceType` (default CPU); a missing device is a LiteError
   * with code DEVICE_UNAVAILABLE.
   */
  constructor(layout?: LiteLayout | number[] | LiteTensorInit, options: LiteTensorOptions = {}) {
    if ((layout as { [fromNative]?: NativeTensor } | undefined)?.[fromNative]) {
      this.#native = (layout as unknown as { [fromNative]: NativeTensor })[fromNative];
      return;
    }
    let init: LiteTensorInit;
    if (layout instanceof LiteLayout) {
      init = { ...options, layout };
    } else if (Array.isArray(layout)) {
      init = { ...options, shapes: layout };
    } else if (layout === undefined || (typeof layout === 'object' && layout !== null)) {
      init = { ...(layout ?? {}), ...options };
    } else {
      throw new LiteError('INVALID_ARGUMENT', `LiteTensor expects a LiteLayout, a shape array or options, got ${typeof layout}`);
    }
    const resolved = init.layout ?? new LiteLayout(init.shapes ?? [], init.dtype ?? LiteDataType.LITE_FLOAT);
    if (!(resolved instanceof LiteLayout)) {
      throw new LiteError('INVALID_ARGUMENT', 'layout must be a LiteLayout');
    }
    const [deviceType, deviceId] = checkDevice(init.deviceType, init.deviceId);
    const pinned = init.isPinnedHost ?? false;
    if (typeof pinned !== 'boolean') throw new LiteError('INVALID_ARGUMENT', 'isPinnedHost must be a boolean');
    if (pinned && deviceType !== LiteDeviceType.LITE_CPU) {
      throw new LiteError(
        'INVALID_ARGUMENT',
        `isPinnedHost is for CPU tensors (page-locked host memory), not ${LiteDeviceType[deviceType]}: drop the flag or use deviceType LITE_CPU`,
      );
    }
    const { Tensor } = native();
    this.#native = new Tensor(deviceType, deviceId, resolved.shapes, resolved.dataType, pinned);
  }

  /** @internal wraps a tensor made by the runtime (slices, concat, network IO). */
  static fromNative(handle: NativeTensor): LiteTensor {
    return new LiteTensor({ [fromNative]: handle } as unknown as LiteTensorInit);
  }

  /** @internal the native tensor; a LiteError once disposed. */
  get handle(): NativeTensor {
    if (!this.#native) throw new LiteError('INVALID_STATE', 'this LiteTensor was disposed: create a new one');
    return this.#native;
  }

  /** The current layout (a copy); assigning a LiteLayout changes it (memory is reallocated if too small). */
  get layout(): LiteLayout {
    const { shape, dtype } = this.handle.layout();
    return new LiteLayout(shape, dtype);
  }

  set layout(layout: LiteLayout) {
    if (!(layout instanceof LiteLayout)) throw new LiteError('INVALID_ARGUMENT', 'layout must be a LiteLayout');
    this.handle.setLayout(layout.shapes, layout.dataType);
  }

  get deviceType(): LiteDeviceType {
    return this.handle.deviceType;
  }

  get deviceId(): number {
    return this.handle.deviceId;
  }

  /** True when made with `isPinnedHost` (or sharing such a tensor's memory); see LiteTensorOptions.isPinnedHost. */
  get isPinnedHost(): boolean {
    return this.handle.isPinnedHost;
  }

  /** False for strided views made by `slice`. */
  get isContinue(): boolean {
    return this.handle.isContinue;
  }

  /** Bytes of the elements. */
  get nbytes(): number {
    return this.handle.nbytes;
  }

  fillZero(): void {
    this.handle.fillZero();
  }

  /**
   * Uses `other`'s memory and layout; the memory stays valid after `other` is gone. Both tensors must be on the
   * same device (an INVALID_ARGUMENT LiteError otherwise: move data between devices with `copyFrom`); a device
   * tensor shared into a device-IO tensor (`LiteIO` isHost false) is used by the network without copies.
   */
  shareMemoryWith(other: LiteTensor): void {
    if (!(other instanceof LiteTensor)) throw new LiteError('INVALID_ARGUMENT', 'shareMemoryWith expects a LiteTensor');
    this.handle.shareMemoryWith(other.handle);
  }

  /**
   * Copies `other`'s elements from any device. A contiguous destination takes `other`'s layout; a view (from
   * `slice`) keeps its own, which must match. Counted in `LiteGlobal.getCopyStats()`.
   */
  copyFrom(other: LiteTensor): void {
    if (!(other instanceof LiteTensor)) throw new LiteError('INVALID_ARGUMENT', 'copyFrom expects a LiteTensor');
    this.handle.copyFrom(other.handle);
  }

  /** New shape over the same memory; one dim may be -1. The element count must stay the same. */
  reshape(shape: number[]): void {
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || (d < 1 && d !== -1))) {
      throw new LiteError('INVALID_ARGUMENT', `reshape expects positive integers and at most one -1, got ${JSON.stringify(shape)}`);
    }
    if (shape.filter((d) => d === -1).length > 1) {
      throw new LiteError('INVALID_ARGUMENT', `reshape allows one -1, got ${JSON.stringify(shape)}`);
    }
    this.handle.reshape(shape);
  }

  /**
   * A strided view sharing this tensor's memory: per leading dim, elements start, start+step, ... below end.
   * Ends past a dim are clamped (as in Lite); a step of 0, an empty range or lengths that differ are errors.
   */
  slice(start: number[], end: number[], step?: number[]): LiteTensor {
    const s = checkIndices(start, 'start');
    const e = checkIndices(end, 'end');
    const st = step === undefined ? [] : checkIndices(step, 'step');
    if (s.length !== e.length || (step !== undefined && st.length !== s.length)) {
      throw new LiteError('INVALID_ARGUMENT', `slice needs start, end and step of one length, got ${s.length}, ${e.length}, ${step === undefined ? '-' : st.length}`);
    }
    if (st.includes(0)) throw new LiteError('INVALID_ARGUMENT', `slice step must be positive, got ${JSON.stringify(step)}`);
    return LiteTensor.fromNative(this.handle.slice(s, e, st));
  }

  /**
   * The tensor uses `data`'s memory in place (zero copy) and keeps it alive. Without `layout`, the tensor keeps
   * its shape and `data` must match its dtype and element count (an empty tensor takes a 1-D layout). With
   * `layout`, the tensor takes it and `data` must have at least its bytes. CPU tensors only: a device tensor
   * (LITE_OPENCL) owns its memory; fill it in place through `getDataByShare()` (host-visible on unified-memory
   * devices), with `copyFrom`, or bind another device tensor with `shareMemoryWith`.
   */
  setDataByShare(data: ArrayBufferView, layout?: LiteLayout): void {
    if (!isArrayBufferView(data)) throw new LiteError('INVALID_ARGUMENT', 'setDataByShare expects a TypedArray, Buffer or DataView');
    if (this.deviceType !== LiteDeviceType.LITE_CPU) {
      throw new LiteError(
        'NOT_SUPPORTED',
        `setDataByShare needs a CPU tensor, this one is on device ${LiteDeviceType[this.deviceType]}: write into its ` +
          'getDataByShare() view, use copyFrom, or shareMemoryWith a tensor of that device',
      );
    }
    const target = this.#layoutFor(data, layout, 'setDataByShare');
    this.handle.setDataByShare(data, target.shapes, target.dataType);
  }

  /**
   * Copies data in. A number array (nested arrays are flattened) is converted to the tensor's dtype and may not
   * exceed its element count; fewer values fill the first elements. A typed array must match the dtype and
   * count unless `layout` is given, which the tensor then takes; a Buffer is raw bytes and must equal `nbytes`.
   */
  setDataByCopy(data: ArrayBufferView | readonly unknown[], layout?: LiteLayout): void {
    if (Array.isArray(data)) {
      this.#copyNumbers(data, layout);
      return;
    }
    if (!isArrayBufferView(data)) {
      throw new LiteError('INVALID_ARGUMENT', 'setDataByCopy expects a TypedArray, Buffer, DataView or array of numbers');
    }
    const target = this.#layoutFor(data, layout, 'setDataByCopy');
    if (data.byteLength !== target.nbytes) {
      throw new LiteError('SHAPE_MISMATCH', `setDataByCopy: the data has ${data.byteLength} bytes, layout ${target.toString()} needs ${target.nbytes}`);
    }
    this.handle.setDataByCopy(data, target.shapes, target.dataType);
  }

  /**
   * A live view of the tensor's host memory (no copy): writes through it change the tensor. OpenCL tensors on
   * devices that share the host's memory (PoCL, Mali, Adreno) are host-visible too: a camera or sensor source can
   * write frames straight into the device input. The view keeps the memory alive. Other device memory is a
   * NOT_SUPPORTED LiteError.
   */
  getDataByShare(): LiteTypedArray {
    const layout = this.layout;
    if (!this.isContinue) {
      throw new LiteError('NOT_CONTIGUOUS', 'getDataByShare needs contiguous memory; this is a strided view: use toTypedArray() for a copy');
    }
    const view = this.handle.hostView();
    if (!view) {
      throw new LiteError('NOT_SUPPORTED', `the memory of this ${LiteDeviceType[this.deviceType]} tensor is not host memory: use toTypedArray() to copy it out`);
    }
    return new ARRAY_OF[layout.dataType](view.buffer, view.byteOffset, layout.elementCount);
  }

  /** A contiguous copy of the elements (MegEngine Lite's `to_numpy`), typed by dtype. */
  toTypedArray(): LiteTypedArray {
    const layout = this.layout;
    const out = new ARRAY_OF[layout.dataType](layout.elementCount);
    this.handle.copyTo(out);
    return out;
  }

  /** Releases this object's hold on the memory now instead of at garbage collection. */
  dispose(): void {
    this.#native = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** True when both tensors use the same allocation (after shareMemoryWith, slice or setDataByShare of one array). */
  sharesMemoryWith(other: LiteTensor): boolean {
    return this.handle.sameMemory(other.handle);
  }

  #layoutFor(data: ArrayBufferView, layout: LiteLayout | undefined, what: string): LiteLayout {
    if (layout !== undefined) {
      if (!(layout instanceof LiteLayout)) throw new LiteError('INVALID_ARGUMENT', `${what}: layout must be a LiteLayout`);
      checkDataMatches(data, layout.dataType, what);
      if (data.byteLength < layout.nbytes) {
        throw new LiteError('SHAPE_MISMATCH', `${what}: the data has ${data.byteLength} bytes, layout ${layout.toString()} needs ${layout.nbytes}`);
      }
      return layout;
    }
    const current = this.layout;
    if (current.ndim === 0) {
      if (isRawBytes(data)) return new LiteLayout([data.byteLength], LiteDataType.LITE_UINT8);
      const dtype = dtypeOfArray(data);
      return new LiteLayout([data.byteLength / dtypeSize(dtype)], dtype);
    }
    checkDataMatches(data, current.dataType, what);
    if (data.byteLength !== current.nbytes) {
      const elements = data.byteLength / dtypeSize(current.dataType);
      throw new LiteError(
        'SHAPE_MISMATCH',
        `${what}: the data has ${elements} elements, the tensor ${current.toString()} has ${current.elementCount}: ` +
          'pass a layout to change the shape',
      );
    }
    return current;
  }

  #copyNumbers(values: readonly unknown[], layout?: LiteLayout): void {
    if (layout !== undefined) this.layout = layout;
    const target = this.layout;
    const flat = (values as unknown[]).flat(Infinity);
    if (flat.length > target.elementCount) {
      throw new LiteError('SHAPE_MISMATCH', `setDataByCopy: ${flat.length} values exceed the capacity of ${target.toString()} (${target.elementCount})`);
    }
    const bigint = target.dataType === LiteDataType.LITE_INT64;
    const converted = new ARRAY_OF[target.dataType](flat.length);
    flat.forEach((v, i) => {
      if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean') {
        throw new LiteError('INVALID_ARGUMENT', `setDataByCopy: value ${i} is a ${typeof v}, not a number`);
      }
      if (target.dataType === LiteDataType.LITE_HALF) {
        throw new LiteError('NOT_SUPPORTED', 'setDataByCopy: numbers cannot be converted to float16 yet: pass a Uint16Array of float16 bits');
      }
      (converted as unknown as (number | bigint)[])[i] = bigint ? BigInt(v as number) : Number(v);
    });
    if (flat.length === target.elementCount) {
      this.handle.setDataByCopy(converted, target.shapes, target.dataType);
      return;
    }
    // Fewer values than elements: the rest keep their contents.
    const whole = this.toTypedArray();
    (whole as unknown as { set(a: ArrayLike<number | bigint>): void }).set(converted as unknown as ArrayLike<number | bigint>);
    this.handle.setDataByCopy(whole, target.shapes, target.dataType);
  }
}

/** The dtype a typed array holds: Uint16Array is uint16 (float16 needs a layout), Uint8Array is uint8. */
function dtypeOfArray(data: ArrayBufferView): LiteDataType {
  for (const dtype of [
    LiteDataType.LITE_FLOAT, LiteDataType.LITE_INT, LiteDataType.LITE_INT16, LiteDataType.LITE_INT8,
    LiteDataType.LITE_UINT8, LiteDataType.LITE_UINT, LiteDataType.LITE_UINT16, LiteDataType.LITE_INT64,
  ]) {
    if (data.constructor === ARRAY_OF[dtype]) return dtype;
  }
  throw new LiteError('DTYPE_MISMATCH', `a ${data.constructor.name} has no matching dtype: use Float32Array, Int32Array, Int16Array, Int8Array, Uint8Array, Uint32Array, Uint16Array or BigInt64Array`);
}

/**
 * Joins tensors of one dtype along `dim` (negative counts from the end) into a new tensor on `deviceType`
 * (default: the first tensor's device).
 */
export function LiteTensorConcat(
  tensors: LiteTensor[],
  dim: number,
  deviceType: LiteDeviceType = LiteDeviceType.LITE_DEVICE_DEFAULT,
  deviceId = -1,
): LiteTensor {
  if (!Array.isArray(tensors) || tensors.length === 0 || !tensors.every((t) => t instanceof LiteTensor)) {
    throw new LiteError('INVALID_ARGUMENT', 'LiteTensorConcat expects a non-empty array of LiteTensor');
  }
  if (!Number.isSafeInteger(dim)) throw new LiteError('INVALID_ARGUMENT', `dim must be an integer, got ${String(dim)}`);
  if (!Object.values(LiteDeviceType).includes(deviceType)) {
    throw new LiteError('INVALID_ARGUMENT', `deviceType must be a LiteDeviceType, got ${String(deviceType)}`);
  }
  return LiteTensor.fromNative(native().concat(tensors.map((t) => t.handle), dim, deviceType, deviceId));
}

export { toDataType };
