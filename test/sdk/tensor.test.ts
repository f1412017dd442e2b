// Every LiteTensor method, its behaviour and its error cases.
import { describe, expect, test } from 'vitest';

import {
  LiteDataType,
  LiteDeviceType,
  LiteError,
  LiteGlobal,
  LiteLayout,
  LiteTensor,
  LiteTensorConcat,
} from '../../sdk/src/index.js';

const liteError = (code: string) => expect.objectContaining({ name: 'LiteError', code });

function iota(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i);
}

describe('construction', () => {
  test('from a layout, a shape array, or one options object', () => {
    const a = new LiteTensor(new LiteLayout([2, 3], 'int32'));
    const b = new LiteTensor([2, 3], { dtype: 'int32' });
    const c = new LiteTensor({ shapes: [2, 3], dtype: LiteDataType.LITE_INT });
    const d = new LiteTensor({ layout: new LiteLayout([2, 3], 'int32') });
    for (const t of [a, b, c, d]) {
      expect(t.layout.equals(new LiteLayout([2, 3], 'int32'))).toBe(true);
      expect(t.nbytes).toBe(24);
      expect(t.deviceType).toBe(LiteDeviceType.LITE_CPU);
      expect(t.deviceId).toBe(0);
      expect(t.isPinnedHost).toBe(false);
      expect(t.isContinue).toBe(true);
    }
  });

  test('empty tensor', () => {
    const t = new LiteTensor();
    expect(t.layout.ndim).toBe(0);
    expect(t.nbytes).toBe(0);
  });

  test('pinned host flag', () => {
    const t = new LiteTensor([4], { isPinnedHost: true });
    expect(t.isPinnedHost).toBe(true);
    t.setDataByCopy([1, 2, 3, 4]);
    expect(Array.from(t.toTypedArray())).toEqual([1, 2, 3, 4]);
  });

  test('bad arguments', () => {
    expect(() => new LiteTensor([2], { deviceType: 5 as LiteDeviceType })).toThrow(liteError('INVALID_ARGUMENT'));
    expect(() => new LiteTensor([2], { deviceId: -1 })).toThrow(liteError('INVALID_ARGUMENT'));
    expect(() => new LiteTensor([2], { deviceId: 3 })).toThrow(liteError('DEVICE_UNAVAILABLE'));
    expect(() => new LiteTensor('x' as unknown as number[])).toThrow(liteError('INVALID_ARGUMENT'));
    expect(() => new LiteTensor([2], { isPinnedHost: 1 as unknown as boolean })).toThrow(liteError('INVALID_ARGUMENT'));
  });

  test('a device with no hardware or no backend is DEVICE_UNAVAILABLE, never a crash', () => {
    for (const type of [LiteDeviceType.LITE_CUDA, LiteDeviceType.LITE_OPENCL]) {
      if (LiteGlobal.getDeviceCount(type) > 0) continue;
      expect(() => new LiteTensor([4], { deviceType: type })).toThrow(liteError('DEVICE_UNAVAILABLE'));
    }
  });
});

describe('layout property', () => {
  test('assigning a layout reshapes the tensor', () => {
    const t = new LiteTensor([2, 2]);
    t.layout = new LiteLayout([3, 5], 'uint8');
    expect(t.layout.toString()).toBe('uint8[3,5]');
    expect(t.nbytes).toBe(15);
    expect(() => {
      t.layout = [1, 2] as unknown as LiteLayout;
    }).toThrow(liteError('INVALID_ARGUMENT'));
  });
});

describe('fillZero', () => {
  test('zeroes the whole tensor', () => {
    const t = new LiteTensor([8]);
    t.setDataByCopy(iota(8));
    t.fillZero();
    expect(Array.from(t.toTypedArray())).toEqual(new Array(8).fill(0));
  });

  test('zeroes only a view', () => {
    const t = new LiteTensor([2, 4], { dtype: 'int32' });
    t.setDataByCopy([1, 2, 3, 4, 5, 6, 7, 8]);
    t.slice([0, 1], [2, 4], [1, 2]).fillZero();
    expect(Array.from(t.toTypedArray())).toEqual([1, 0, 3, 0, 5, 0, 7, 0]);
  });
});

describe('shareMemoryWith', () => {
  test('aliases memory and takes the layout', () => {
    const a = new LiteTensor([2, 3]);
    a.setDataByCopy(iota(6));
    const b = new LiteTensor([10], { dtype: 'int8' });
    b.shareMemoryWith(a);
    expect(b.layout.toString()).toBe('float32[2,3]');
    expect(b.sharesMemoryWith(a)).toBe(true);
    (a.getDataByShare() as Float32Array)[4] = 42;
    expect(b.toTypedArray()[4]).toBe(42);
  });

  test('rejects a non-tensor', () => {
    expect(() => new LiteTensor([1]).shareMemoryWith({} as LiteTensor)).toThrow(liteError('INVALID_ARGUMENT'));
  });
});

describe('copyFrom', () => {
  test('a contiguous destination takes the source layout and gets its own memory', () => {
    const src = new LiteTensor([3], { dtype: 'int16' });
    src.setDataByCopy([7, 8, 9]);
    const dst = new LiteTensor([100]);
    dst.copyFrom(src);
    expect(dst.layout.toString()).toBe('int16[3]');
    expect(dst.sharesMemoryWith(src)).toBe(false);
    expect(Array.from(dst.toTypedArray())).toEqual([7, 8, 9]);
  });

  test('a view keeps its layout, which must match', () => {
    const base = new LiteTensor([3, 3]);
    base.fillZero();
    const view = base.slice([1, 1], [3, 3]);
    const src = new LiteTensor([2, 2]);
    src.setDataByCopy([1, 2, 3, 4]);
    view.copyFrom(src);
    expect(Array.from(base.toTypedArray())).toEqual([0, 0, 0, 0, 1, 2, 0, 3, 4]);
    expect(() => view.copyFrom(new LiteTensor([4]))).toThrow(liteError('SHAPE_MISMATCH'));
    expect(() => view.copyFrom(new LiteTensor([2, 2], { dtype: 'int32' }))).toThrow(liteError('DTYPE_MISMATCH'));
  });

  test('is counted in the copy statistics', () => {
    const src = new LiteTensor([64]);
    src.fillZero();
    const before = LiteGlobal.getCopyStats().hostToHost;
    new LiteTensor().copyFrom(src);
    expect(LiteGlobal.getCopyStats().hostToHost - before).toBe(256);
  });

  test('from an empty tensor is an error', () => {
    expect(() => new LiteTensor([2]).copyFrom(new LiteTensor())).toThrow(liteError('INVALID_ARGUMENT'));
  });
});

describe('reshape', () => {
  test('one -1 is inferred and memory is kept', () => {
    const t = new LiteTensor([2, 3, 4]);
    t.setDataByCopy(iota(24));
    const view = t.getDataByShare();
    t.reshape([4, -1]);
    expect(t.layout.shapes).toEqual([4, 6]);
    expect(t.toTypedArray()[23]).toBe(23);
    view[23] = -5;
    expect(t.toTypedArray()[23]).toBe(-5);
  });

  test.each([
    [[-1, -1], 'INVALID_ARGUMENT'],
    [[5, -1], 'SHAPE_MISMATCH'],
    [[5, 5], 'SHAPE_MISMATCH'],
    [[0, 24], 'INVALID_ARGUMENT'],
    [[2.5, 4], 'INVALID_ARGUMENT'],
  ])('reshape(%j) is %s', (shape, code) => {
    const t = new LiteTensor([2, 3, 4]);
    expect(() => t.reshape(shape)).toThrow(liteError(code));
  });

  test('a strided view cannot be reshaped', () => {
    const t = new LiteTensor([4, 4]);
    expect(() => t.slice([0, 0], [4, 4], [1, 2]).reshape([8])).toThrow(liteError('NOT_CONTIGUOUS'));
  });
});

describe('slice', () => {
  test('a strided view with clamped ends that shares memory', () => {
    const t = new LiteTensor([4, 6], { dtype: 'int32' });
    t.setDataByCopy(Int32Array.from({ length: 24 }, (_, i) => i));
    const view = t.slice([1, 0], [100, 6], [2, 3]);
    expect(view.layout.shapes).toEqual([2, 2]);
    expect(view.isContinue).toBe(false);
    expect(view.sharesMemoryWith(t)).toBe(true);
    expect(Array.from(view.toTypedArray())).toEqual([6, 9, 18, 21]);
    // Writes to the base are seen through the view.
    (t.getDataByShare() as Int32Array)[9] = -1;
    expect(Array.from(view.toTypedArray())).toEqual([6, -1, 18, 21]);
  });

  test('leading dims only; trailing dims are kept whole', () => {
    const t = new LiteTensor([3, 2]);
    t.setDataByCopy(iota(6));
    const rows = t.slice([1], [3]);
    expect(rows.layout.shapes).toEqual([2, 2]);
    expect(rows.isContinue).toBe(true);
    expect(Array.from(rows.getDataByShare())).toEqual([2, 3, 4, 5]);
  });

  test.each([
    [[0, 0], [2, 2], [1, 0], 'step 0'],
    [[0, 0], [2], undefined, 'mismatched lengths'],
    [[0], [2], [1, 1], 'mismatched step length'],
    [[3], [2], undefined, 'empty range'],
    [[4], [9], undefined, 'start past the dim'],
    [[0, 0, 0], [1, 1, 1], undefined, 'more entries than dims'],
    [[-1], [2], undefined, 'negative start'],
  ])('slice(%j, %j, %j) is an error: %s', (start, end, step) => {
    const t = new LiteTensor([4, 4]);
    expect(() => t.slice(start, end, step)).toThrow(liteError('INVALID_ARGUMENT'));
  });
});

describe('setDataByShare', () => {
  test('zero copy: the tensor reads the caller array in place', () => {
    const t = new LiteTensor([4]);
    const data = new Float32Array([1, 2, 3, 4]);
    const before = LiteGlobal.getCopyStats();
    t.setDataByShare(data);
    expect(LiteGlobal.getCopyStats()).toEqual(before);
    data[2] = 30;
    const view = t.getDataByShare();
    expect(view.buffer).toBe(data.buffer);
    expect(view[2]).toBe(30);
  });

  test('with a layout the tensor takes it; a Buffer is raw bytes', () => {
    const t = new LiteTensor();
    const bytes = Buffer.alloc(16);
    new Float32Array(bytes.buffer, bytes.byteOffset, 4).set([1, 2, 3, 4]);
    t.setDataByShare(bytes, new LiteLayout([2, 2], 'float32'));
    expect(t.layout.toString()).toBe('float32[2,2]');
    expect(Array.from(t.toTypedArray())).toEqual([1, 2, 3, 4]);
  });

  test('an empty tensor takes a 1-D layout from the array', () => {
    const t = new LiteTensor();
    t.setDataByShare(new Int16Array([5, 6, 7]));
    expect(t.layout.toString()).toBe('int16[3]');
  });

  test('an array view with an offset is used at that offset', () => {
    const whole = new Float32Array([0, 1, 2, 3, 4, 5]);
    const t = new LiteTensor([3]);
    t.setDataByShare(whole.subarray(2, 5));
    expect(Array.from(t.toTypedArray())).toEqual([2, 3, 4]);
    const view = t.getDataByShare();
    expect(view.byteOffset).toBe(8);
  });

  test('errors', () => {
    const t = new LiteTensor([4]);
    expect(() => t.setDataByShare(new Int32Array(4))).toThrow(liteError('DTYPE_MISMATCH'));
    expect(() => t.setDataByShare(new Float32Array(3))).toThrow(liteError('SHAPE_MISMATCH'));
    expect(() => t.setDataByShare(new Float32Array(2), new LiteLayout([4]))).toThrow(liteError('SHAPE_MISMATCH'));
    expect(() => t.setDataByShare([1, 2, 3, 4] as unknown as Float32Array)).toThrow(liteError('INVALID_ARGUMENT'));
    expect(() => t.setDataByShare(new Float64Array(4) as unknown as Float32Array)).toThrow(liteError('DTYPE_MISMATCH'));
  });
});

describe('setDataByCopy', () => {
  test('numbers are converted to the dtype; fewer fill the first elements', () => {
    const t = new LiteTensor([4], { dtype: 'int8' });
    t.setDataByCopy([1, 2, 3, 4]);
    t.setDataByCopy([9, 8]);
    expect(Array.from(t.toTypedArray())).toEqual([9, 8, 3, 4]);
    t.setDataByCopy([[1, 2], [3, 4]]);
    expect(Array.from(t.toTypedArray())).toEqual([1, 2, 3, 4]);
  });

  test('int64 from numbers', () => {
    const t = new LiteTensor([3], { dtype: 'int64' });
    t.setDataByCopy([1, -2, 2 ** 40]);
    expect(Array.from(t.toTypedArray() as BigInt64Array)).toEqual([1n, -2n, 2n ** 40n]);
  });

  test('numbers may not exceed the capacity', () => {
    expect(() => new LiteTensor([2]).setDataByCopy([1, 2, 3])).toThrow(liteError('SHAPE_MISMATCH'));
    expect(() => new LiteTensor([2]).setDataByCopy(['a'])).toThrow(liteError('INVALID_ARGUMENT'));
  });

  test('a typed array is copied, not shared', () => {
    const t = new LiteTensor([3]);
    const data = new Float32Array([1, 2, 3]);
    t.setDataByCopy(data);
    data[0] = 100;
    expect(t.toTypedArray()[0]).toBe(1);
  });

  test('a typed array with a layout changes the layout', () => {
    const t = new LiteTensor([3]);
    t.setDataByCopy(new Uint8Array([1, 2, 3, 4, 5, 6]), new LiteLayout([2, 3], 'uint8'));
    expect(t.layout.toString()).toBe('uint8[2,3]');
  });

  test('a Buffer must equal nbytes', () => {
    const t = new LiteTensor([2], { dtype: 'int32' });
    const bytes = Buffer.alloc(8);
    bytes.writeInt32LE(-7, 4);
    t.setDataByCopy(bytes);
    expect(Array.from(t.toTypedArray())).toEqual([0, -7]);
    expect(() => t.setDataByCopy(Buffer.alloc(4))).toThrow(liteError('SHAPE_MISMATCH'));
  });

  test('errors', () => {
    const t = new LiteTensor([4]);
    expect(() => t.setDataByCopy(new Int8Array(4))).toThrow(liteError('DTYPE_MISMATCH'));
    expect(() => t.setDataByCopy(new Float32Array(5))).toThrow(liteError('SHAPE_MISMATCH'));
    expect(() => t.setDataByCopy('abc' as unknown as number[])).toThrow(liteError('INVALID_ARGUMENT'));
  });

  test('float16 is written as raw bits', () => {
    const t = new LiteTensor([2], { dtype: 'float16' });
    t.setDataByCopy(new Uint16Array([0x3c00, 0xc000])); // 1.0, -2.0
    expect(Array.from(t.toTypedArray())).toEqual([0x3c00, 0xc000]);
    expect(() => t.setDataByCopy([1, 2])).toThrow(liteError('NOT_SUPPORTED'));
  });
});

describe('getDataByShare and toTypedArray', () => {
  test.each([
    ['float32', Float32Array],
    ['float16', Uint16Array],
    ['int32', Int32Array],
    ['int16', Int16Array],
    ['int8', Int8Array],
    ['uint8', Uint8Array],
    ['uint32', Uint32Array],
    ['uint16', Uint16Array],
    ['int64', BigInt64Array],
    ['bool', Uint8Array],
  ] as const)('%s is a %o', (dtype, ArrayType) => {
    const t = new LiteTensor([3], { dtype });
    t.fillZero();
    expect(t.getDataByShare()).toBeInstanceOf(ArrayType);
    expect(t.toTypedArray()).toBeInstanceOf(ArrayType);
    expect(t.toTypedArray().length).toBe(3);
  });

  test('getDataByShare is live, toTypedArray is a copy', () => {
    const t = new LiteTensor([2]);
    t.fillZero();
    const live = t.getDataByShare();
    const copy = t.toTypedArray();
    live[0] = 5;
    expect(t.toTypedArray()[0]).toBe(5);
    expect(copy[0]).toBe(0);
  });

  test('a strided view has no shared view but copies out contiguously', () => {
    const t = new LiteTensor([2, 4]);
    t.setDataByCopy(iota(8));
    const view = t.slice([0, 0], [2, 4], [1, 2]);
    expect(() => view.getDataByShare()).toThrow(liteError('NOT_CONTIGUOUS'));
    expect(Array.from(view.toTypedArray())).toEqual([0, 2, 4, 6]);
  });
});

describe('LiteTensorConcat', () => {
  test('along the last and the first dim', () => {
    const a = new LiteTensor([2, 2], { dtype: 'int32' });
    const b = new LiteTensor([2, 3], { dtype: 'int32' });
    a.setDataByCopy([0, 1, 2, 3]);
    b.setDataByCopy([0, 1, 2, 3, 4, 5]);
    const joined = LiteTensorConcat([a, b], -1);
    expect(joined.layout.shapes).toEqual([2, 5]);
    expect(Array.from(joined.toTypedArray())).toEqual([0, 1, 0, 1, 2, 2, 3, 3, 4, 5]);
    const rows = LiteTensorConcat([a, a], 0, LiteDeviceType.LITE_CPU);
    expect(Array.from(rows.toTypedArray())).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });

  test('errors', () => {
    const a = new LiteTensor([2, 2]);
    expect(() => LiteTensorConcat([], 0)).toThrow(liteError('INVALID_ARGUMENT'));
    expect(() => LiteTensorConcat([a, new LiteTensor([3, 3])], 0)).toThrow(liteError('SHAPE_MISMATCH'));
    expect(() => LiteTensorConcat([a, new LiteTensor([2, 2], { dtype: 'int8' })], 0)).toThrow(liteError('DTYPE_MISMATCH'));
    expect(() => LiteTensorConcat([a, a], 2)).toThrow(liteError('INVALID_ARGUMENT'));
    expect(() => LiteTensorConcat([a, a], 0.5)).toThrow(liteError('INVALID_ARGUMENT'));
  });
});

describe('dispose', () => {
  test('a disposed tensor refuses use with INVALID_STATE', () => {
    const t = new LiteTensor([2]);
    t.dispose();
    expect(() => t.nbytes).toThrow(liteError('INVALID_STATE'));
  });

  test('Symbol.dispose', () => {
    const t = new LiteTensor([2]);
    t[Symbol.dispose]();
    expect(() => t.fillZero()).toThrow(LiteError);
  });
});

describe('devices', () => {
  // OpenCL runs here on PoCL (installed by the bootstrap); CUDA needs a GPU.
  for (const type of [LiteDeviceType.LITE_OPENCL, LiteDeviceType.LITE_CUDA]) {
    const present = LiteGlobal.getDeviceCount(type) > 0;
    test.skipIf(!present)(`${LiteDeviceType[type]}: copies in and out are counted by direction (skipped when no device)`, () => {
      const host = new LiteTensor([2, 3]);
      host.setDataByCopy(iota(6));
      const device = new LiteTensor([2, 3], { deviceType: type });
      const s0 = LiteGlobal.getCopyStats();
      device.copyFrom(host);
      const s1 = LiteGlobal.getCopyStats();
      expect(s1.hostToDevice - s0.hostToDevice).toBe(24);
      const device2 = new LiteTensor([1], { deviceType: type });
      device2.copyFrom(device);
      const s2 = LiteGlobal.getCopyStats();
      expect(s2.deviceToDevice - s1.deviceToDevice).toBe(24);
      expect(Array.from(device2.toTypedArray())).toEqual([0, 1, 2, 3, 4, 5]);
      expect(LiteGlobal.getCopyStats().deviceToHost - s2.deviceToHost).toBe(24);
      expect(Array.from(device2.slice([0, 1], [2, 3]).toTypedArray())).toEqual([1, 2, 4, 5]);
      expect(() => device.setDataByShare(new Float32Array(6))).toThrow(liteError('NOT_SUPPORTED'));
      if (type === LiteDeviceType.LITE_OPENCL) {
        // Host-visible on devices that share the host's memory (PoCL, Mali, Adreno): a live view, no copy;
        // other OpenCL memory is NOT_SUPPORTED (test/e2e/opencl-device-io.test.ts covers the view in depth).
        let view: ArrayLike<number> | undefined;
        try {
          view = device.getDataByShare() as Float32Array;
        } catch (error) {
          expect(error).toEqual(liteError('NOT_SUPPORTED'));
        }
        if (view) expect(Array.from(view)).toEqual([0, 1, 2, 3, 4, 5]);
      }
      const onCpu = LiteTensorConcat([device, device2], 0, LiteDeviceType.LITE_CPU);
      expect(onCpu.deviceType).toBe(LiteDeviceType.LITE_CPU);
      expect(Array.from(onCpu.toTypedArray())).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
    });
  }
});
