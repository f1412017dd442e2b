// The result message format (sdk/src/mqtt/codec.ts): byte layout, round trips of every dtype, alignment, and
// that no truncated or foreign message reads out of bounds.
import { describe, expect, test } from 'vitest';

import { LiteError } from '../../sdk/src/errors.js';
import {
  decodeResult,
  decodeResultJson,
  encodedSize,
  encodeResult,
  encodeResultJson,
  floatToHalf,
  halfToFloat,
  RESULT_DATA_ALIGNMENT,
  RESULT_HEADER_BYTES,
  type ResultMessage,
  type ResultMessageTensor,
  resultUserProperties,
} from '../../sdk/src/mqtt/codec.js';

type DtypeCase = [ResultMessageTensor['dtype'], code: number, (n: number) => ArrayBufferView];

const DTYPES: DtypeCase[] = [
  ['float32', 0, (n) => Float32Array.from({ length: n }, (_, i) => i * 0.5 - 1.25)],
  ['float16', 1, (n) => Uint16Array.from({ length: n }, (_, i) => floatToHalf(i * 0.25 - 0.5))],
  ['int32', 2, (n) => Int32Array.from({ length: n }, (_, i) => (i - 3) * 100_000_007)],
  ['int16', 3, (n) => Int16Array.from({ length: n }, (_, i) => (i - 3) * 1000)],
  ['int8', 4, (n) => Int8Array.from({ length: n }, (_, i) => (i * 37) % 256 - 128)],
  ['uint8', 5, (n) => Uint8Array.from({ length: n }, (_, i) => (i * 41) % 256)],
  ['uint32', 6, (n) => Uint32Array.from({ length: n }, (_, i) => 4_000_000_000 - i)],
  ['uint16', 7, (n) => Uint16Array.from({ length: n }, (_, i) => 65535 - i * 3)],
  ['int64', 8, (n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_000_000_007n - 2n ** 62n)],
  ['bool', 9, (n) => Uint8Array.from({ length: n }, (_, i) => i % 2)],
];

function expectLiteError(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a LiteError').toBeInstanceOf(LiteError);
  expect((caught as LiteError).code).toBe(code);
}

/** A result with every dtype, names of odd lengths (so padding varies), a scalar and an empty tensor. */
function everything(): ResultMessage {
  return {
    seq: 123_456_789_012,
    timestamp: 1_700_000_000_123.25,
    publishedAt: 1_700_000_000_456.5,
    tensors: [
      ...DTYPES.map(([dtype, , make], i) => ({ name: `out_${dtype}${'x'.repeat(i)}`, dtype, shape: [2, 3], data: make(6) })),
      { name: 'scalar·é', dtype: 'float32' as const, shape: [], data: new Float32Array([42.5]) },
      { name: 'empty', dtype: 'int64' as const, shape: [0, 4], data: new BigInt64Array(0) },
    ],
  };
}

describe('binary result format', () => {
  test('header and first tensor are at the documented offsets (little-endian)', () => {
    const bytes = encodeResult({
      seq: 7,
      timestamp: 1.5,
      publishedAt: 2.5,
      tensors: [{ name: 'ab', dtype: 'int16', shape: [3], data: new Int16Array([1, -2, 3]) }],
    });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('ELT1');
    expect(view.getUint8(4)).toBe(1); // version
    expect(view.getUint8(5)).toBe(0); // flags
    expect(view.getUint16(6, true)).toBe(1); // tensor count
    expect(view.getBigUint64(8, true)).toBe(7n);
    expect(view.getFloat64(16, true)).toBe(1.5);
    expect(view.getFloat64(24, true)).toBe(2.5);
    expect(RESULT_HEADER_BYTES).toBe(32);
    // dtype int16 = 3, ndim 1, name length 2, "ab", dim 3, byte length 6, then padding to 48, then data.
    expect([...bytes.subarray(32, 38)]).toEqual([3, 1, 2, 0, 0x61, 0x62]);
    expect(view.getUint32(38, true)).toBe(3);
    expect(view.getUint32(42, true)).toBe(6);
    expect([...bytes.subarray(46, 48)]).toEqual([0, 0]);
    expect(view.getInt16(48, true)).toBe(1);
    expect(view.getInt16(50, true)).toBe(-2);
    expect(view.getInt16(52, true)).toBe(3);
    expect(bytes.byteLength).toBe(54);
  });

  test.each(DTYPES)('%s (code %i) round-trips with its typed array', (dtype, code, make) => {
    const data = make(6);
    const bytes = encodeResult({ seq: 1, timestamp: 2, publishedAt: 3, tensors: [{ name: 't', dtype, shape: [2, 3], data }] });
    expect(bytes[RESULT_HEADER_BYTES]).toBe(code);
    const [t] = decodeResult(bytes).tensors;
    expect(t!.dtype).toBe(dtype);
    expect(t!.shape).toEqual([2, 3]);
    expect(t!.data.constructor).toBe(data.constructor);
    expect(t!.data).toEqual(data);
  });

  test('a result with every dtype, a scalar, an empty tensor and unicode names round-trips', () => {
    const result = everything();
    const bytes = encodeResult(result);
    expect(bytes.byteLength).toBe(encodedSize(result));
    const decoded = decodeResult(bytes);
    expect(decoded.seq).toBe(result.seq);
    expect(decoded.timestamp).toBe(result.timestamp);
    expect(decoded.publishedAt).toBe(result.publishedAt);
    expect(decoded.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(result.tensors.map((t) => [t.name, t.dtype, t.shape]));
    decoded.tensors.forEach((t, i) => expect(t.data).toEqual(result.tensors[i]!.data));
  });

  test('publishedAt defaults to the time of encoding', () => {
    const before = Date.now();
    const decoded = decodeResult(encodeResult({ seq: 0, timestamp: 0, tensors: [] }));
    expect(decoded.publishedAt).toBeGreaterThanOrEqual(before);
    expect(decoded.publishedAt).toBeLessThanOrEqual(Date.now());
  });

  test('tensor data starts 8-aligned, so an aligned message decodes to views without copying', () => {
    const bytes = encodeResult(everything());
    expect(bytes.byteOffset % RESULT_DATA_ALIGNMENT).toBe(0);
    for (const t of decodeResult(bytes).tensors) {
      expect(t.data.buffer).toBe(bytes.buffer);
      expect((t.data.byteOffset - bytes.byteOffset) % RESULT_DATA_ALIGNMENT).toBe(0);
    }
  });

  test('a message at an unaligned offset (as MQTT clients deliver payloads) decodes to correct copies', () => {
    const result = everything();
    const encoded = encodeResult(result);
    for (const shift of [1, 2, 3, 5, 7]) {
      const host = new Uint8Array(encoded.byteLength + 8);
      host.set(encoded, shift);
      const bytes = host.subarray(shift, shift + encoded.byteLength);
      const decoded = decodeResult(bytes);
      decoded.tensors.forEach((t, i) => {
        expect(t.data).toEqual(result.tensors[i]!.data);
        const size = t.data.BYTES_PER_ELEMENT;
        if (size > 1 && shift % size !== 0) expect(t.data.buffer).not.toBe(host.buffer);
      });
    }
  });

  test('copy: true never returns views of the message', () => {
    const bytes = encodeResult(everything());
    for (const t of decodeResult(bytes, { copy: true }).tensors) expect(t.data.buffer).not.toBe(bytes.buffer);
  });

  test('truncation at every byte offset fails cleanly with INVALID_ARGUMENT', () => {
    const bytes = encodeResult(everything());
    for (let length = 0; length < bytes.byteLength; length++) {
      expectLiteError(() => decodeResult(bytes.subarray(0, length)), 'INVALID_ARGUMENT');
    }
  });

  test('trailing bytes, a wrong magic, version, flags, dtype or padding are refused', () => {
    const good = encodeResult({ seq: 1, timestamp: 2, tensors: [{ name: 'ab', dtype: 'int16', shape: [3], data: new Int16Array(3) }] });
    const mutate = (at: number, value: number): Uint8Array => {
      const copy = Uint8Array.from(good);
      copy[at] = value;
      return copy;
    };
    const longer = new Uint8Array(good.byteLength + 1);
    longer.set(good);
    expectLiteError(() => decodeResult(longer), 'INVALID_ARGUMENT');
    expectLiteError(() => decodeResult(mutate(0, 0x7b)), 'INVALID_ARGUMENT'); // magic
    expectLiteError(() => decodeResult(mutate(4, 2)), 'INVALID_ARGUMENT'); // version
    expectLiteError(() => decodeResult(mutate(5, 1)), 'INVALID_ARGUMENT'); // flags
    expectLiteError(() => decodeResult(mutate(32, 10)), 'INVALID_ARGUMENT'); // dtype code
    expectLiteError(() => decodeResult(mutate(33, 8)), 'INVALID_ARGUMENT'); // ndim above 7
    expectLiteError(() => decodeResult(mutate(46, 1)), 'INVALID_ARGUMENT'); // padding
    expectLiteError(() => decodeResult(mutate(38, 4)), 'INVALID_ARGUMENT'); // dim disagrees with the length
    expectLiteError(() => decodeResult(mutate(34, 0xff)), 'INVALID_ARGUMENT'); // name longer than the message
    expectLiteError(() => decodeResult(mutate(36, 0xff)), 'INVALID_ARGUMENT'); // name not UTF-8
  });

  test('lying dims and lengths are refused without allocating', () => {
    const bytes = new Uint8Array(96);
    const view = new DataView(bytes.buffer);
    bytes.set([0x45, 0x4c, 0x54, 0x31, 1, 0], 0);
    view.setUint16(6, 1, true);
    bytes.set([0, 7, 1, 0, 0x74], 32); // float32, 7 dims, name "t"
    for (let d = 0; d < 7; d++) view.setUint32(37 + 4 * d, 0xffffffff, true);
    view.setUint32(65, 0xffffffff, true); // data length
    expectLiteError(() => decodeResult(bytes), 'INVALID_ARGUMENT');
    for (let d = 0; d < 7; d++) view.setUint32(37 + 4 * d, 1, true);
    view.setUint32(37, 0x3fffffff, true); // 0x3fffffff float32 elements = the length, far past the message
    view.setUint32(65, 0xfffffffc, true);
    expectLiteError(() => decodeResult(bytes), 'INVALID_ARGUMENT');
    view.setUint16(6, 0xffff, true); // 65535 tensors announced, none present
    expectLiteError(() => decodeResult(bytes.subarray(0, 32)), 'INVALID_ARGUMENT');
    view.setBigUint64(8, 2n ** 60n, true); // seq beyond 2^53
    view.setUint16(6, 0, true);
    expectLiteError(() => decodeResult(bytes.subarray(0, 32)), 'INVALID_ARGUMENT');
  });

  test('random corruption either decodes or throws INVALID_ARGUMENT, nothing else', () => {
    const good = encodeResult(everything());
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 3000; round++) {
      const bytes = Uint8Array.from(good);
      for (let k = 0; k <= random(3); k++) bytes[random(bytes.length)] = random(256);
      try {
        decodeResult(bytes.subarray(0, bytes.length - random(2)));
      } catch (e) {
        expect(e).toBeInstanceOf(LiteError);
        expect((e as LiteError).code).toBe('INVALID_ARGUMENT');
      }
    }
    expectLiteError(() => decodeResult(Buffer.from('{"seq":1}')), 'INVALID_ARGUMENT');
    expectLiteError(() => decodeResult(new Uint8Array(0)), 'INVALID_ARGUMENT');
  });
});

describe('encoding into a caller buffer', () => {
  test('returns the used part of the same memory, and is reusable for messages of any size', () => {
    const big = everything();
    const small: ResultMessage = { seq: 2, timestamp: 3, publishedAt: 4, tensors: [{ name: 'y', dtype: 'uint8', shape: [1], data: new Uint8Array([9]) }] };
    const into = new Uint8Array(encodedSize(big) + 100);
    into.fill(0xee);
    const first = encodeResult(big, into);
    expect(first.buffer).toBe(into.buffer);
    expect(first.byteOffset).toBe(into.byteOffset);
    expect(first.byteLength).toBe(encodedSize(big));
    expect(decodeResult(first, { copy: true }).tensors.length).toBe(big.tensors.length);
    // A shorter message over the longer one's bytes: the stale bytes after it do not matter, padding is rewritten.
    const second = encodeResult(small, into);
    expect(second.buffer).toBe(into.buffer);
    expect(decodeResult(second).tensors[0]!.data).toEqual(new Uint8Array([9]));
    expect(Buffer.from(encodeResult(small))).toEqual(Buffer.from(second));
    for (let i = 0; i < 100; i++) encodeResult({ ...small, seq: i }, into);
    expect(decodeResult(encodeResult({ ...small, seq: 99 }, into)).seq).toBe(99);
  });

  test('a buffer too small is INVALID_ARGUMENT naming the size needed', () => {
    const result = everything();
    const need = encodedSize(result);
    expect(() => encodeResult(result, new Uint8Array(need - 1))).toThrow(new RegExp(`needs ${need} bytes`));
    expectLiteError(() => encodeResult(result, new Uint8Array(need - 1)), 'INVALID_ARGUMENT');
  });

  test('the caller may reuse its tensor memory once encodeResult returns', () => {
    const data = new Float32Array([1, 2, 3]);
    const bytes = encodeResult({ seq: 0, timestamp: 0, tensors: [{ name: 'a', dtype: 'float32', shape: [3], data }] });
    data.fill(-1);
    expect(decodeResult(bytes).tensors[0]!.data).toEqual(new Float32Array([1, 2, 3]));
  });
});

describe('encoder checks', () => {
  const t = (over: Partial<ResultMessageTensor>): ResultMessage => ({
    seq: 0,
    timestamp: 0,
    tensors: [{ name: 'a', dtype: 'float32', shape: [2], data: new Float32Array(2), ...over }],
  });

  test('bad results are refused with the code that says why', () => {
    expectLiteError(() => encodeResult({ ...t({}), seq: -1 }), 'INVALID_ARGUMENT');
    expectLiteError(() => encodeResult({ ...t({}), seq: 1.5 }), 'INVALID_ARGUMENT');
    expectLiteError(() => encodeResult({ ...t({}), timestamp: Number.NaN }), 'INVALID_ARGUMENT');
    expectLiteError(() => encodeResult(t({ name: '' })), 'INVALID_ARGUMENT');
    expectLiteError(() => encodeResult(t({ name: 'bad\ud800' })), 'INVALID_ARGUMENT');
    expectLiteError(() => encodeResult(t({ dtype: 'float64' as 'float32' })), 'INVALID_LAYOUT');
    expectLiteError(() => encodeResult(t({ shape: [3] })), 'SHAPE_MISMATCH');
    expectLiteError(() => encodeResult(t({ data: new Int32Array(2) })), 'DTYPE_MISMATCH');
    expectLiteError(() => encodeResult(t({ shape: [1, 1, 1, 1, 1, 1, 1, 2] })), 'INVALID_LAYOUT');
    const twice = t({});
    expectLiteError(() => encodeResult({ ...twice, tensors: [twice.tensors[0]!, twice.tensors[0]!] }), 'INVALID_ARGUMENT');
  });

  test('a Buffer or DataView is taken as raw little-endian bytes of any dtype', () => {
    const raw = Buffer.alloc(8);
    raw.writeFloatLE(1.5, 0);
    raw.writeFloatLE(-2, 4);
    expect(decodeResult(encodeResult(t({ data: raw }))).tensors[0]!.data).toEqual(new Float32Array([1.5, -2]));
    const dv = new DataView(raw.buffer, raw.byteOffset, 8);
    expect(decodeResult(encodeResult(t({ data: dv }))).tensors[0]!.data).toEqual(new Float32Array([1.5, -2]));
  });

  test('dtype may be given as a LiteDataType number', () => {
    expect(decodeResult(encodeResult(t({ dtype: 0 }))).tensors[0]!.dtype).toBe('float32');
  });
});

describe('JSON form', () => {
  test('has the documented shape, float16 as values, bool as 0/1', () => {
    const text = encodeResultJson({
      seq: 5,
      timestamp: 10.5,
      publishedAt: 11,
      tensors: [
        { name: 'scores', dtype: 'float32', shape: [1, 2], data: new Float32Array([0.25, Number.NaN]) },
        { name: 'half', dtype: 'float16', shape: [2], data: Uint16Array.from([floatToHalf(1.5), floatToHalf(-0.125)]) },
        { name: 'mask', dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) },
        { name: 'ids', dtype: 'int64', shape: [2], data: new BigInt64Array([-3n, 2n ** 40n]) },
      ],
    });
    expect(JSON.parse(text)).toEqual({
      seq: 5,
      timestamp: 10.5,
      publishedAt: 11,
      tensors: {
        scores: { dtype: 'float32', shape: [1, 2], data: [0.25, null] },
        half: { dtype: 'float16', shape: [2], data: [1.5, -0.125] },
        mask: { dtype: 'bool', shape: [3], data: [1, 0, 1] },
        ids: { dtype: 'int64', shape: [2], data: [-3, 2 ** 40] },
      },
    });
  });

  test.each(DTYPES)('%s round-trips through JSON', (dtype, _code, make) => {
    const data = make(6);
    if (data instanceof BigInt64Array) data.set([1n, -2n, 2n ** 52n, -(2n ** 52n), 0n, 7n]);
    const decoded = decodeResultJson(encodeResultJson({ seq: 3, timestamp: 4, publishedAt: 5, tensors: [{ name: 'v', dtype, shape: [3, 2], data }] }));
    expect(decoded).toMatchObject({ seq: 3, timestamp: 4, publishedAt: 5 });
    expect(decoded.tensors[0]!.shape).toEqual([3, 2]);
    expect(decoded.tensors[0]!.data).toEqual(data);
  });

  test('refuses what JSON cannot hold exactly, big outputs, and malformed input', () => {
    const big: ResultMessage = { seq: 0, timestamp: 0, tensors: [{ name: 'i', dtype: 'int64', shape: [1], data: new BigInt64Array([2n ** 60n]) }] };
    expectLiteError(() => encodeResultJson(big), 'INVALID_ARGUMENT');
    const many: ResultMessage = { seq: 0, timestamp: 0, tensors: [{ name: 'f', dtype: 'uint8', shape: [100], data: new Uint8Array(100) }] };
    expectLiteError(() => encodeResultJson(many, { maxElements: 99 }), 'INVALID_ARGUMENT');
    expectLiteError(() => decodeResultJson('{'), 'INVALID_ARGUMENT');
    expectLiteError(() => decodeResultJson('[]'), 'INVALID_ARGUMENT');
    expectLiteError(() => decodeResultJson('{"seq":1,"timestamp":2,"tensors":{"a":{"dtype":"uint8","shape":[2],"data":[1,256]}}}'), 'INVALID_ARGUMENT');
    expectLiteError(() => decodeResultJson('{"seq":1,"timestamp":2,"tensors":{"a":{"dtype":"uint8","shape":[3],"data":[1,2]}}}'), 'INVALID_ARGUMENT');
    expectLiteError(() => decodeResultJson('{"seq":1,"timestamp":2,"tensors":{"a":{"dtype":"nope","shape":[1],"data":[1]}}}'), 'INVALID_ARGUMENT');
    expectLiteError(() => decodeResultJson('x'.repeat(100), { maxBytes: 99 }), 'INVALID_ARGUMENT');
  });

  test('float16 conversion is exact for every half value', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = halfToFloat(h);
      if (Number.isNaN(v)) expect(Number.isNaN(halfToFloat(floatToHalf(v)))).toBe(true);
      else expect(floatToHalf(v)).toBe(h);
    }
    expect(floatToHalf(65520)).toBe(0x7c00); // rounds to infinity
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(floatToHalf(2 ** -26)).toBe(0); // below half the smallest subnormal
  });
});

describe('MQTT 5 user properties', () => {
  test('carry seq, timestamps and each tensor as DTYPE[dims]', () => {
    expect(
      resultUserProperties({
        seq: 9,
        timestamp: 1.5,
        publishedAt: 2,
        tensors: [
          { name: 'boxes', dtype: 'float32', shape: [1, 100, 4], data: new Float32Array(400) },
          { name: 'count', dtype: 'int64', shape: [], data: new BigInt64Array(1) },
        ],
      }),
    ).toEqual({ seq: '9', timestamp: '1.5', publishedAt: '2', 'tensor:boxes': 'float32[1,100,4]', 'tensor:count': 'int64[]' });
  });
});
