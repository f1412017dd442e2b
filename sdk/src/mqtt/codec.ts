// The message format of one inference result, as published over MQTT (3.1.1 or 5): a compact binary form
// ("ELT1") for any output, a JSON form for small ones, and the MQTT 5 user properties that describe either.
//
// Binary format, version 1. All integers and floats are little-endian; offsets are from the message start.
//
//   offset  size  field
//   0       4     magic "ELT1" (0x45 0x4C 0x54 0x31)
//   4       1     u8  version = 1
//   5       1     u8  flags, reserved: 0
//   6       2     u16 tensor count
//   8       8     u64 sequence number (at most 2^53 - 1, so that it is exact as a JS number)
//   16      8     f64 capture timestamp, ms since the Unix epoch
//   24      8     f64 publish timestamp, ms since the Unix epoch
//   32            the tensors, one after another; per tensor:
//                   u8  dtype code (LiteDataType: float32=0 float16=1 int32=2 int16=3 int8=4 uint8=5
//                       uint32=6 uint16=7 int64=8 bool=9)
//                   u8  ndim (at most 7)
//                   u16 name length in bytes, then the name (UTF-8, non-empty, unique in the message)
//                   ndim × u32 dims
//                   u32 data length in bytes = product(dims) × dtype size (for ndim 0: 0 or one element)
//                   0 to 7 zero bytes, so that the data starts at a multiple of 8 from the message start
//                   the data: elements row-major; float16 as IEEE half bits; bool as one byte 0/1
//   The message ends right after the last tensor's data: trailing bytes are an error.
//
// Why pad to 8: every element type is at most 8 bytes, so when the message itself starts 8-aligned in memory (a
// fresh ArrayBuffer always does), the decoder can return typed arrays that view the message in place. MQTT clients
// often hand the payload at an arbitrary offset inside a socket chunk: then the decoder copies that tensor.
import { type DtypeName, LiteDataType } from '../enums.js';
import { LiteError } from '../errors.js';
import { checkShape, dtypeName, dtypeSize, MAX_DIMS, toDataType } from '../layout.js';
import { ARRAY_OF, type LiteTypedArray } from '../tensor.js';

/** The first four bytes of a binary result: "ELT1". */
export const RESULT_MAGIC = 'ELT1';
/** The format version written by this build, and the only one it reads. */
export const RESULT_FORMAT_VERSION = 1;
/** Bytes of the fixed header before the first tensor. */
export const RESULT_HEADER_BYTES = 32;
/** Tensor data starts at a multiple of this many bytes from the start of the message. */
export const RESULT_DATA_ALIGNMENT = 8;
/** MQTT 5 content types of the two forms. */
export const RESULT_CONTENT_TYPE = 'application/vnd.edgelite.result';
export const RESULT_JSON_CONTENT_TYPE = 'application/json';

/** One tensor to encode. The pipeline's ResultTensor fits as it is. */
export interface ResultMessageTensor {
  /** Non-empty and unique within the result; at most 65535 bytes as UTF-8. */
  name: string;
  dtype: DtypeName | LiteDataType;
  shape: readonly number[];
  /**
   * The elements, row-major: a typed array of the dtype (Uint16Array for float16 bits, BigInt64Array for int64,
   * Uint8Array for bool), or a Buffer/DataView of raw little-endian bytes.
   */
  data: ArrayBufferView;
}

/** One result to encode. The pipeline's InferenceResult fits as it is. */
export interface ResultMessage {
  /** Sequence number of the frame: a non-negative safe integer. */
  seq: number;
  /** Capture time, ms since the Unix epoch. */
  timestamp: number;
  /** Publish time, ms since the Unix epoch. Default: `Date.now()` when encoding. */
  publishedAt?: number;
  /** At most 65535. */
  tensors: readonly ResultMessageTensor[];
}

export interface DecodedTensor {
  name: string;
  dtype: DtypeName;
  shape: number[];
  /** Float32Array, Uint16Array (float16 bits), Int32Array, ..., BigInt64Array (int64), Uint8Array (bool). */
  data: LiteTypedArray;
}

export interface DecodedResult {
  seq: number;
  timestamp: number;
  publishedAt: number;
  tensors: DecodedTensor[];
}

/** Options of `decodeResult`. */
export interface DecodeOptions {
  /**
   * Always copy the tensor data out of the message. Default false: a tensor whose data is suitably aligned in
   * memory is a view of `bytes` (no copy), valid as long as `bytes` is not overwritten.
   */
  copy?: boolean;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const MAGIC_BYTES = [0x45, 0x4c, 0x54, 0x31];
const MAX_U16 = 0xffff;
const MAX_U32 = 0xffffffff;
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /\p{Surrogate}/u;

function invalid(message: string): LiteError {
  return new LiteError('INVALID_ARGUMENT', message);
}

/** Elements of a shape: the product of the dims; ndim 0 is a scalar (one element). */
function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function padTo(offset: number, alignment: number): number {
  return (alignment - (offset % alignment)) % alignment;
}

/** Reverses the bytes of each element, for big-endian hosts (the format is little-endian). */
function swapElements(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

function isRawBytes(data: ArrayBufferView): boolean {
  return data instanceof DataView || Buffer.isBuffer(data);
}

interface PlannedTensor {
  dtype: LiteDataType;
  shape: number[];
  name: string;
  nameBytes: number;
  data: Uint8Array;
}

interface Plan {
  seq: number;
  timestamp: number;
  publishedAt: number;
  tensors: PlannedTensor[];
  size: number;
}

function checkHeaderFields(result: ResultMessage): void {
  if (typeof result !== 'object' || result === null) throw invalid(`a result must be an object, got ${String(result)}`);
  const { seq, timestamp, publishedAt, tensors } = result;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw invalid(`result.seq must be a non-negative safe integer, got ${String(seq)}`);
  }
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
    throw invalid(`result.timestamp must be a finite number (ms since the epoch), got ${String(timestamp)}`);
  }
  if (publishedAt !== undefined && (typeof publishedAt !== 'number' || !Number.isFinite(publishedAt))) {
    throw invalid(`result.publishedAt must be a finite number (ms since the epoch), got ${String(publishedAt)}`);
  }
  if (!Array.isArray(tensors)) throw invalid('result.tensors must be an array of { name, dtype, shape, data }');
  if (tensors.length > MAX_U16) throw invalid(`a result holds at most ${MAX_U16} tensors, got ${tensors.length}`);
}

function checkName(name: unknown, i: number, seen: Set<string>): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw invalid(`result.tensors[${i}].name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  if (LONE_SURROGATE.test(name)) throw invalid(`tensor name ${JSON.stringify(name)} is not valid Unicode (lone surrogate)`);
  if (seen.has(name)) throw invalid(`two tensors are named ${JSON.stringify(name)}: names must be unique in a result`);
  seen.add(name);
  return name;
}

/** Validates a result and computes its binary layout. */
function plan(result: ResultMessage): Plan {
  checkHeaderFields(result);
  const seen = new Set<string>();
  let size = RESULT_HEADER_BYTES;
  const tensors = result.tensors.map((t, i): PlannedTensor => {
    if (typeof t !== 'object' || t === null) throw invalid(`result.tensors[${i}] must be { name, dtype, shape, data }`);
    const name = checkName(t.name, i, seen);
    const nameBytes = Buffer.byteLength(name, 'utf8');
    if (nameBytes > MAX_U16) throw invalid(`tensor name ${JSON.stringify(name.slice(0, 40))}... is ${nameBytes} bytes; at most ${MAX_U16}`);
    const dtype = toDataType(t.dtype);
    const shape = checkShape(t.shape, `shape of tensor ${JSON.stringify(name)}`);
    const tooBig = shape.find((d) => d > MAX_U32);
    if (tooBig !== undefined) throw invalid(`tensor ${JSON.stringify(name)} has dim ${tooBig}; at most ${MAX_U32}`);
    const { data } = t;
    if (!ArrayBuffer.isView(data)) {
      throw invalid(`tensor ${JSON.stringify(name)}: data must be a typed array, Buffer or DataView`);
    }
    const expected = ARRAY_OF[dtype];
    if (!isRawBytes(data) && !(data instanceof (expected as unknown as typeof Uint8Array))) {
      throw new LiteError(
        'DTYPE_MISMATCH',
        `tensor ${JSON.stringify(name)}: a ${data.constructor.name} cannot hold ${dtypeName(dtype)} elements: pass a ` +
          `${expected.name} or a Buffer of raw little-endian bytes`,
      );
    }
    const elementBytes = elementCount(shape) * dtypeSize(dtype);
    const scalarOrEmpty = shape.length === 0 && data.byteLength === 0;
    if (data.byteLength !== elementBytes && !scalarOrEmpty) {
      throw new LiteError(
        'SHAPE_MISMATCH',
        `tensor ${JSON.stringify(name)}: ${dtypeName(dtype)}[${shape.join(',')}] needs ${elementBytes} bytes, the data has ${data.byteLength}`,
      );
    }
    if (data.byteLength > MAX_U32) throw invalid(`tensor ${JSON.stringify(name)} has ${data.byteLength} bytes; at most ${MAX_U32}`);
    size += 4 + nameBytes + 4 * shape.length + 4;
    size += padTo(size, RESULT_DATA_ALIGNMENT) + data.byteLength;
    return { dtype, shape, name, nameBytes, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  });
  return { seq: result.seq, timestamp: result.timestamp, publishedAt: result.publishedAt ?? Date.now(), tensors, size };
}

/** Bytes that `encodeResult(result)` will use; validates the result like encodeResult. */
export function encodedSize(result: ResultMessage): number {
  return plan(result).size;
}

/**
 * Encodes a result in the binary format (see the top of this file). With `into`, the message is written at its
 * start and the used part is returned (`into.subarray(0, size)`), so a caller can reuse one buffer for every
 * message; an `into` smaller than `encodedSize(result)` is a LiteError INVALID_ARGUMENT. Without it, a new
 * 8-aligned buffer is returned. The tensor data is copied: the caller may reuse it as soon as this returns.
 */
export function encodeResult(result: ResultMessage, into?: Uint8Array): Uint8Array {
  const p = plan(result);
  if (into !== undefined && !(into instanceof Uint8Array)) throw invalid('encodeResult: `into` must be a Uint8Array or Buffer');
  if (into !== undefined && into.byteLength < p.size) {
    throw invalid(`encodeResult: the message needs ${p.size} bytes, the buffer has ${into.byteLength}: use encodedSize() to size it`);
  }
  const out = into === undefined ? new Uint8Array(p.size) : into.subarray(0, p.size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(MAGIC_BYTES, 0);
  view.setUint8(4, RESULT_FORMAT_VERSION);
  view.setUint8(5, 0);
  view.setUint16(6, p.tensors.length, true);
  view.setBigUint64(8, BigInt(p.seq), true);
  view.setFloat64(16, p.timestamp, true);
  view.setFloat64(24, p.publishedAt, true);
  let at = RESULT_HEADER_BYTES;
  for (const t of p.tensors) {
    view.setUint8(at, t.dtype);
    view.setUint8(at + 1, t.shape.length);
    view.setUint16(at + 2, t.nameBytes, true);
    at += 4;
    utf8.encodeInto(t.name, out.subarray(at, at + t.nameBytes));
    at += t.nameBytes;
    for (const d of t.shape) {
      view.setUint32(at, d, true);
      at += 4;
    }
    view.setUint32(at, t.data.byteLength, true);
    at += 4;
    const pad = padTo(at, RESULT_DATA_ALIGNMENT);
    out.fill(0, at, at + pad);
    at += pad;
    out.set(t.data, at);
    if (!LITTLE_ENDIAN_HOST) swapElements(out.subarray(at, at + t.data.byteLength), dtypeSize(t.dtype));
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Decodes a binary result. Every length is checked against the message before it is read: a truncated, padded
 * or foreign message is a LiteError INVALID_ARGUMENT that says what is wrong at which offset.
 */
export function decodeResult(bytes: Uint8Array, options: DecodeOptions = {}): DecodedResult {
  if (!(bytes instanceof Uint8Array)) throw invalid('decodeResult expects a Uint8Array or Buffer');
  const copy = options.copy ?? false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = bytes.byteLength;
  const need = (at: number, n: number, what: string): void => {
    if (at + n > total) throw invalid(`not a complete edgelite result: ${what} needs bytes ${at}..${at + n - 1}, the message has ${total}`);
  };
  need(0, RESULT_HEADER_BYTES, 'the header');
  if (!MAGIC_BYTES.every((b, i) => bytes[i] === b)) {
    throw invalid(`not an edgelite result: the message does not start with "${RESULT_MAGIC}"`);
  }
  const version = view.getUint8(4);
  if (version !== RESULT_FORMAT_VERSION) {
    throw invalid(`edgelite result format version ${version} is not supported (this build reads ${RESULT_FORMAT_VERSION}): update edgelite`);
  }
  const flags = view.getUint8(5);
  if (flags !== 0) throw invalid(`edgelite result flags must be 0 in version 1, got ${flags}`);
  const count = view.getUint16(6, true);
  const seq = view.getBigUint64(8, true);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`edgelite result seq ${seq} is above 2^53 - 1`);
  const timestamp = view.getFloat64(16, true);
  const publishedAt = view.getFloat64(24, true);

  const tensors: DecodedTensor[] = [];
  const seen = new Set<string>();
  let at = RESULT_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    need(at, 4, `tensor ${i}'s header`);
    const code = view.getUint8(at);
    const ndim = view.getUint8(at + 1);
    const nameBytes = view.getUint16(at + 2, true);
    if (!(code in ARRAY_OF)) throw invalid(`tensor ${i} at byte ${at}: unknown dtype code ${code}`);
    const dtype = code as LiteDataType;
    if (ndim > MAX_DIMS) throw invalid(`tensor ${i} at byte ${at}: ${ndim} dims; at most ${MAX_DIMS}`);
    at += 4;
    need(at, nameBytes, `tensor ${i}'s name`);
    let name: string;
    try {
      name = utf8Strict.decode(bytes.subarray(at, at + nameBytes));
    } catch {
      throw invalid(`tensor ${i} at byte ${at}: the name is not valid UTF-8`);
    }
    if (name.length === 0 || seen.has(name)) throw invalid(`tensor ${i}: the name ${JSON.stringify(name)} is empty or repeated`);
    seen.add(name);
    at += nameBytes;
    need(at, 4 * ndim + 4, `tensor ${JSON.stringify(name)}'s dims and length`);
    const shape: number[] = [];
    for (let d = 0; d < ndim; d++) shape.push(view.getUint32(at + 4 * d, true));
    at += 4 * ndim;
    const byteLength = view.getUint32(at, true);
    at += 4;
    const size = dtypeSize(dtype);
    // A product past 2^53 is inexact, but then it is far above any u32 length, so the comparison still fails.
    const expected = elementCount(shape) * size;
    if (byteLength !== expected && !(ndim === 0 && byteLength === 0)) {
      throw invalid(`tensor ${JSON.stringify(name)}: ${dtypeName(dtype)}[${shape.join(',')}] needs ${expected} bytes, the message says ${byteLength}`);
    }
    const pad = padTo(at, RESULT_DATA_ALIGNMENT);
    need(at, pad, `tensor ${JSON.stringify(name)}'s padding`);
    for (let k = 0; k < pad; k++) {
      if (bytes[at + k] !== 0) throw invalid(`tensor ${JSON.stringify(name)}: padding byte ${at + k} is not zero`);
    }
    at += pad;
    need(at, byteLength, `tensor ${JSON.stringify(name)}'s data`);
    tensors.push({ name, dtype: dtypeName(dtype), shape, data: typedArrayOf(bytes, at, byteLength, dtype, copy) });
    at += byteLength;
  }
  if (at !== total) throw invalid(`edgelite result has ${total - at} bytes after its last tensor (byte ${at}): not a result of this format`);
  return { seq: Number(seq), timestamp, publishedAt, tensors };
}

function typedArrayOf(bytes: Uint8Array, at: number, byteLength: number, dtype: LiteDataType, copy: boolean): LiteTypedArray {
  const Ctor = ARRAY_OF[dtype];
  const size = dtypeSize(dtype);
  const length = byteLength / size;
  const absolute = bytes.byteOffset + at;
  if (!copy && LITTLE_ENDIAN_HOST && absolute % size === 0) return new Ctor(bytes.buffer, absolute, length);
  const out = new Ctor(length);
  const outBytes = new Uint8Array(out.buffer, 0, byteLength);
  outBytes.set(bytes.subarray(at, at + byteLength));
  if (!LITTLE_ENDIAN_HOST) swapElements(outBytes, size);
  return out;
}

// ---- JSON form ---------------------------------------------------------------------------------------------

/** Options of `encodeResultJson`. */
export interface JsonEncodeOptions {
  /** Most elements over all tensors; more is a LiteError INVALID_ARGUMENT (use the binary form). Default 65536. */
  maxElements?: number;
}

/** Options of `decodeResultJson`. */
export interface JsonDecodeOptions {
  /** Most bytes (or UTF-16 units of a string) accepted. Default 16 MiB. */
  maxBytes?: number;
}

/**
 * The JSON form, for small outputs read by people or by tools that cannot parse binary:
 * `{ "seq", "timestamp", "publishedAt", "tensors": { NAME: { "dtype", "shape", "data": number[] } } }`.
 * `data` holds the element values row-major: float16 as its value (not its bits), bool as 0/1, int64 as numbers
 * (a value outside ±(2^53 - 1) is a LiteError INVALID_ARGUMENT: use the binary form). JSON has no NaN or
 * Infinity: non-finite floats are written as null and read back as NaN.
 */
export function encodeResultJson(result: ResultMessage, options: JsonEncodeOptions = {}): string {
  const maxElements = options.maxElements ?? 65536;
  const p = plan(result);
  const total = p.tensors.reduce((n, t) => n + t.data.byteLength / dtypeSize(t.dtype), 0);
  if (total > maxElements) {
    throw invalid(`the result has ${total} elements; JSON mode takes at most ${maxElements} (maxElements): use the binary form`);
  }
  const tensors: Record<string, { dtype: DtypeName; shape: number[]; data: (number | null)[] }> = {};
  for (const t of p.tensors) {
    // The caller's bytes (host order) may be unaligned for their dtype: copy them into a fresh array of it.
    const values = new ARRAY_OF[t.dtype](t.data.byteLength / dtypeSize(t.dtype));
    new Uint8Array(values.buffer).set(t.data);
    tensors[t.name] = { dtype: dtypeName(t.dtype), shape: t.shape, data: jsonValues(values, t.dtype, t.name) };
  }
  return JSON.stringify({ seq: p.seq, timestamp: p.timestamp, publishedAt: p.publishedAt, tensors });
}

function jsonValues(values: LiteTypedArray, dtype: LiteDataType, name: string): (number | null)[] {
  if (values instanceof BigInt64Array) {
    return Array.from(values, (v) => {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(-Number.MAX_SAFE_INTEGER)) {
        throw invalid(`tensor ${JSON.stringify(name)}: int64 value ${v} cannot be exact in JSON: use the binary form`);
      }
      return Number(v);
    });
  }
  const numbers = values as Exclude<LiteTypedArray, BigInt64Array>;
  if (dtype === LiteDataType.LITE_HALF) return Array.from(numbers, (h) => finiteOrNull(halfToFloat(h)));
  if (dtype === LiteDataType.LITE_FLOAT) return Array.from(numbers, finiteOrNull);
  return Array.from(numbers);
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

const INTEGER_RANGE: Partial<Record<LiteDataType, [number, number]>> = {
  [LiteDataType.LITE_INT]: [-(2 ** 31), 2 ** 31 - 1],
  [LiteDataType.LITE_INT16]: [-(2 ** 15), 2 ** 15 - 1],
  [LiteDataType.LITE_INT8]: [-128, 127],
  [LiteDataType.LITE_UINT8]: [0, 255],
  [LiteDataType.LITE_UINT]: [0, 2 ** 32 - 1],
  [LiteDataType.LITE_UINT16]: [0, 2 ** 16 - 1],
  [LiteDataType.LITE_INT64]: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  [LiteDataType.LITE_BOOL]: [0, 1],
};

/**
 * Reads the JSON form back into the same shape `decodeResult` returns (float16 as bits again). Anything else,
 * including a value out of its dtype's range or a data length that does not match the shape, is a LiteError
 * INVALID_ARGUMENT.
 */
export function decodeResultJson(input: string | Uint8Array, options: JsonDecodeOptions = {}): DecodedResult {
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const length = typeof input === 'string' ? input.length : input.byteLength;
  if (length > maxBytes) throw invalid(`JSON result of ${length} bytes is above the limit of ${maxBytes} (maxBytes)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof input === 'string' ? input : utf8Strict.decode(input));
  } catch (e) {
    throw invalid(`not a JSON edgelite result: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid('not a JSON edgelite result: not an object');
  const { seq, timestamp, publishedAt, tensors } = parsed as Record<string, unknown>;
  checkHeaderFields({ seq, timestamp, publishedAt, tensors: [] } as unknown as ResultMessage);
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors)) {
    throw invalid('not a JSON edgelite result: "tensors" must be an object keyed by tensor name');
  }
  const out: DecodedTensor[] = [];
  for (const [name, value] of Object.entries(tensors as Record<string, unknown>)) {
    const t = (value ?? {}) as Record<string, unknown>;
    let dtype: LiteDataType;
    let shape: number[];
    try {
      dtype = toDataType(t.dtype as string);
      shape = checkShape(t.shape, `shape of tensor ${JSON.stringify(name)}`);
    } catch (e) {
      throw invalid((e as Error).message);
    }
    const data = t.data;
    const count = elementCount(shape);
    if (!Array.isArray(data) || (data.length !== count && !(shape.length === 0 && data.length === 0))) {
      throw invalid(`tensor ${JSON.stringify(name)}: data must be an array of ${count} numbers for shape [${shape.join(',')}]`);
    }
    out.push({ name, dtype: dtypeName(dtype), shape, data: fromJsonValues(data as unknown[], dtype, name) });
  }
  return { seq: seq as number, timestamp: timestamp as number, publishedAt: (publishedAt as number | undefined) ?? Number.NaN, tensors: out };
}

function fromJsonValues(values: unknown[], dtype: LiteDataType, name: string): LiteTypedArray {
  const out = new ARRAY_OF[dtype](values.length);
  const isFloat = dtype === LiteDataType.LITE_FLOAT || dtype === LiteDataType.LITE_HALF;
  const range = INTEGER_RANGE[dtype];
  values.forEach((raw, i) => {
    let v: number;
    if (raw === null && isFloat) v = Number.NaN;
    else if (typeof raw === 'number' && (isFloat || (Number.isInteger(raw) && range && raw >= range[0] && raw <= range[1]))) v = raw;
    else throw invalid(`tensor ${JSON.stringify(name)}: data[${i}] = ${JSON.stringify(raw)} is not a ${dtypeName(dtype)} value`);
    if (out instanceof BigInt64Array) out[i] = BigInt(v);
    else out[i] = dtype === LiteDataType.LITE_HALF ? floatToHalf(v) : v;
  });
  return out;
}

// IEEE 754 half precision <-> number, for the JSON form (the binary form keeps the bits).
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The value of float16 bits. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The float16 bits nearest to a value (round half to even; overflow to infinity). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

// ---- MQTT 5 user properties ----------------------------------------------------------------------------------

/**
 * MQTT 5 user properties describing a result, so brokers, bridges and subscribers can route or filter without
 * parsing the payload: `seq`, `timestamp` and `publishedAt` (decimal strings), and per tensor
 * `tensor:NAME` = `DTYPE[D0,D1,...]` (the form of LiteLayout.toString(), e.g. `float32[1,1000]`).
 */
export function resultUserProperties(result: ResultMessage): Record<string, string> {
  checkHeaderFields(result);
  const props: Record<string, string> = {
    seq: String(result.seq),
    timestamp: String(result.timestamp),
  };
  if (result.publishedAt !== undefined) props.publishedAt = String(result.publishedAt);
  for (const t of result.tensors) {
    props[`tensor:${t.name}`] = `${dtypeName(toDataType(t.dtype))}[${t.shape.join(',')}]`;
  }
  return props;
}
