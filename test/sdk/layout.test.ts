import { describe, expect, test } from 'vitest';

import { LiteDataType, LiteError, LiteLayout } from '../../sdk/src/index.js';

describe('LiteLayout', () => {
  test('empty by default: ndim 0, LITE_FLOAT', () => {
    const layout = new LiteLayout();
    expect(layout.ndim).toBe(0);
    expect(layout.shapes).toEqual([]);
    expect(layout.dataType).toBe(LiteDataType.LITE_FLOAT);
    expect(layout.dtype).toBe('float32');
  });

  test.each([
    ['float32', LiteDataType.LITE_FLOAT, 4],
    ['float16', LiteDataType.LITE_HALF, 2],
    ['int32', LiteDataType.LITE_INT, 4],
    ['int16', LiteDataType.LITE_INT16, 2],
    ['int8', LiteDataType.LITE_INT8, 1],
    ['uint8', LiteDataType.LITE_UINT8, 1],
    ['uint32', LiteDataType.LITE_UINT, 4],
    ['uint16', LiteDataType.LITE_UINT16, 2],
    ['int64', LiteDataType.LITE_INT64, 8],
    ['bool', LiteDataType.LITE_BOOL, 1],
  ] as const)('dtype %s is %i and %i bytes, by name or by value', (name, value, size) => {
    const byName = new LiteLayout([3, 2], name);
    const byValue = new LiteLayout([3, 2], value);
    expect(byName.dataType).toBe(value);
    expect(byValue.dtype).toBe(name);
    expect(byName.nbytes).toBe(6 * size);
    expect(byName.equals(byValue)).toBe(true);
  });

  test('enum values are MegEngine Lite\'s', () => {
    expect([LiteDataType.LITE_FLOAT, LiteDataType.LITE_HALF, LiteDataType.LITE_INT, LiteDataType.LITE_INT16,
      LiteDataType.LITE_INT8, LiteDataType.LITE_UINT8, LiteDataType.LITE_UINT, LiteDataType.LITE_UINT16,
      LiteDataType.LITE_INT64]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('shapes is a copy', () => {
    const layout = new LiteLayout([2, 3]);
    layout.shapes.push(9);
    expect(layout.shapes).toEqual([2, 3]);
  });

  test('seven dims at most', () => {
    expect(new LiteLayout([1, 1, 1, 1, 1, 1, 2]).ndim).toBe(7);
    expect(() => new LiteLayout([1, 1, 1, 1, 1, 1, 1, 2])).toThrow(expect.objectContaining({ code: 'INVALID_LAYOUT' }));
  });

  test.each([[[-1]], [[1.5]], [['2']], [[NaN]]])('rejects dims %j', (shape) => {
    expect(() => new LiteLayout(shape as number[])).toThrow(LiteError);
  });

  test('unknown dtype names the accepted ones', () => {
    try {
      new LiteLayout([1], 'float64' as 'float32');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LiteError);
      expect((error as LiteError).code).toBe('INVALID_LAYOUT');
      expect((error as LiteError).message).toContain('float32');
    }
    expect(() => new LiteLayout([1], 42 as LiteDataType)).toThrow(expect.objectContaining({ code: 'INVALID_LAYOUT' }));
  });

  test('toString', () => {
    expect(new LiteLayout([2, 3], 'uint8').toString()).toBe('uint8[2,3]');
  });
});
