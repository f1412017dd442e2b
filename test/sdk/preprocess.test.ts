// preprocessFrame and canBindFrameDirectly: against a TS reference, known YUV colours, a resized gradient, the
// option defaults and every argument error.
import { describe, expect, test } from 'vitest';

import { LiteTensor } from '../../sdk/src/index.js';
import { native, type NativePreprocessOptions } from '../../sdk/src/native.js';
import { canBindFrameDirectly, preprocessFrame } from '../../sdk/src/pipeline/preprocess.js';
import { frameBytes, type ImageFormat } from '../../sdk/src/pipeline/source.js';

const liteError = (code: string, message?: RegExp) =>
  expect.objectContaining({ name: 'LiteError', code, ...(message ? { message: expect.stringMatching(message) } : {}) });

function image(width: number, height: number, pixel: ImageFormat['pixel']): ImageFormat {
  return { kind: 'image', width, height, pixel };
}

function randomBytes(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
}

function floats(tensor: LiteTensor): Float32Array {
  return tensor.toTypedArray() as Float32Array;
}

/** The elements of a uint8 (or float16, as bits) tensor as numbers. */
function values(tensor: LiteTensor): number[] {
  return Array.from(tensor.toTypedArray() as Uint8Array | Uint16Array);
}

/** cv2.resize INTER_LINEAR of an HWC uint8 RGB image, then (v - mean) * scale, as NCHW. */
function referenceNchw(
  rgb: Uint8Array, w: number, h: number, dw: number, dh: number, mean: number[], scale: number[],
): Float32Array {
  const out = new Float32Array(3 * dw * dh);
  const source = (s: number, n: number): number => Math.min(Math.max(s, 0), n - 1);
  for (let y = 0; y < dh; y++) {
    const sy = source((y + 0.5) * (h / dh) - 0.5, h);
    const y0 = Math.floor(sy), y1 = Math.min(y0 + 1, h - 1), wy = sy - y0;
    for (let x = 0; x < dw; x++) {
      const sx = source((x + 0.5) * (w / dw) - 0.5, w);
      const x0 = Math.floor(sx), x1 = Math.min(x0 + 1, w - 1), wx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const p = (xx: number, yy: number): number => rgb[(yy * w + xx) * 3 + c]!;
        const v = (1 - wy) * ((1 - wx) * p(x0, y0) + wx * p(x1, y0)) + wy * ((1 - wx) * p(x0, y1) + wx * p(x1, y1));
        out[(c * dh + y) * dw + x] = (v - mean[c]!) * scale[c]!;
      }
    }
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('preprocessFrame against a TS reference', () => {
  test.each([
    [17, 9, 7, 5],
    [8, 6, 8, 6],
    [5, 3, 12, 11],
    [1, 1, 4, 4],
    [64, 48, 1, 1],
  ])('rgb24 NHWC %ix%i into float32 NCHW %ix%i', (w, h, dw, dh) => {
    const frame = randomBytes(w * h * 3, w * 31 + h);
    const mean = [123.675, 116.28, 103.53];
    const scale = [1 / 58.395, 1 / 57.12, 1 / 57.375];
    const input = new LiteTensor([1, 3, dh, dw]);
    preprocessFrame(frame, image(w, h, 'rgb24'), input, { mean, scale });
    expect(maxAbsDiff(floats(input), referenceNchw(frame, w, h, dw, dh, mean, scale))).toBeLessThanOrEqual(1e-4);
  });

  test('defaults: float tensors scaled to 0..1, uint8 tensors unnormalised, layout from the shape', () => {
    const frame = randomBytes(6 * 4 * 3, 5);
    const nchw = new LiteTensor([1, 3, 4, 6]);
    preprocessFrame(frame, image(6, 4, 'rgb24'), nchw);
    const expected = referenceNchw(frame, 6, 4, 6, 4, [0, 0, 0], [1 / 255, 1 / 255, 1 / 255]);
    expect(maxAbsDiff(floats(nchw), expected)).toBeLessThanOrEqual(1e-6);

    const nhwc = new LiteTensor([1, 4, 6, 3], { dtype: 'uint8' });
    preprocessFrame(frame, image(6, 4, 'rgb24'), nhwc);
    expect(values(nhwc)).toEqual(Array.from(frame));

    // 'bgr' swaps the channels; one mean/scale number applies to all of them.
    const bgr = new LiteTensor([1, 4, 6, 3], { dtype: 'uint8' });
    preprocessFrame(frame, image(6, 4, 'rgb24'), bgr, { order: 'bgr', mean: [10], scale: [1] });
    const out = values(bgr);
    for (let i = 0; i < 24; i++) {
      for (let c = 0; c < 3; c++) expect(out[i * 3 + c]).toBe(Math.max(0, frame[i * 3 + 2 - c]! - 10));
    }
  });

  test('gray output and float16', () => {
    const frame = Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255]);
    const gray = new LiteTensor([1, 1, 2, 2]);
    preprocessFrame(frame, image(2, 2, 'rgb24'), gray, { order: 'gray', scale: [1] });
    expect(Array.from(floats(gray))).toEqual([0, 255, 76, 29]); // BT.601 luma of black, white, red, blue

    const half = new LiteTensor([1, 3, 2, 2], { dtype: 'float16' });
    preprocessFrame(frame, image(2, 2, 'rgb24'), half);
    // float16 bits of 1.0 (0x3c00) for white's channels and 0 for black's.
    expect(values(half).filter((v, i) => i % 4 === 1)).toEqual([0x3c00, 0x3c00, 0x3c00]);
  });
});

describe('YUV colours', () => {
  // BT.601 limited range, from the defining formulas (RGB in 0..1).
  function yuv([r, g, b]: number[]): [number, number, number] {
    const [R, G, B] = [r! / 255, g! / 255, b! / 255];
    return [
      Math.round(16 + 65.481 * R + 128.553 * G + 24.966 * B),
      Math.round(128 - 37.797 * R - 74.203 * G + 112 * B),
      Math.round(128 + 112 * R - 93.786 * G - 18.214 * B),
    ];
  }
  const patches = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [128, 128, 128],
    [40, 40, 40],
    [230, 120, 20],
  ];

  function expectPatches(input: LiteTensor, width: number, height: number, patchWidth: number): void {
    const out = floats(input);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const colour = patches[Math.floor(x / patchWidth)]!;
        for (let c = 0; c < 3; c++) {
          expect(Math.abs(out[(c * height + y) * width + x]! - colour[c]! / 255)).toBeLessThanOrEqual(2 / 255);
        }
      }
    }
  }

  test('nv12: one 2x2-pixel-aligned patch per colour', () => {
    const width = patches.length * 4, height = 4;
    const frame = new Uint8Array(frameBytes(image(width, height, 'nv12')));
    patches.forEach((colour, p) => {
      const [Y, U, V] = yuv(colour);
      for (let y = 0; y < height; y++) for (let x = p * 4; x < p * 4 + 4; x++) frame[y * width + x] = Y;
      for (let y = 0; y < height / 2; y++) {
        for (let x = p * 4; x < p * 4 + 4; x += 2) {
          frame[width * height + y * width + x] = U;
          frame[width * height + y * width + x + 1] = V;
        }
      }
    });
    const input = new LiteTensor([1, 3, height, width]);
    preprocessFrame(frame, image(width, height, 'nv12'), input, { resize: 'nearest' });
    expectPatches(input, width, height, 4);
  });

  test('yuyv422: one pixel pair per colour', () => {
    const width = patches.length * 2, height = 3;
    const frame = new Uint8Array(width * height * 2);
    for (let y = 0; y < height; y++) {
      patches.forEach((colour, p) => {
        const [Y, U, V] = yuv(colour);
        frame.set([Y, U, Y, V], (y * width + p * 2) * 2);
      });
    }
    const input = new LiteTensor([1, 3, height, width]);
    preprocessFrame(frame, image(width, height, 'yuyv422'), input);
    expectPatches(input, width, height, 2);
  });
});

describe('resize', () => {
  // A linear ramp stays linear under half-pixel bilinear resizing: out(x) = ramp(clamp((x + 0.5) * w / dw - 0.5)).
  test.each([
    [16, 7],
    [16, 40],
    [16, 16],
  ])('a horizontal gradient of width %i to %i', (w, dw) => {
    const h = 3;
    const frame = Uint8Array.from({ length: w * h }, (_, i) => (i % w) * 17);
    const input = new LiteTensor([1, 1, 2, dw]);
    preprocessFrame(frame, image(w, h, 'gray8'), input, { order: 'gray', scale: [1] });
    const out = floats(input);
    for (let x = 0; x < dw; x++) {
      const sx = Math.min(Math.max((x + 0.5) * (w / dw) - 0.5, 0), w - 1);
      expect(out[x]).toBeCloseTo(sx * 17, 4);
      expect(out[dw + x]).toBeCloseTo(sx * 17, 4);
      if (x > 0) expect(out[x]!).toBeGreaterThanOrEqual(out[x - 1]!);
    }
  });

  test('nearest picks the pixel under each output centre', () => {
    const frame = Uint8Array.from({ length: 10 }, (_, i) => i * 20); // a vertical gradient, 1 x 10
    const input = new LiteTensor([1, 4, 1, 1], { dtype: 'uint8' });
    preprocessFrame(frame, image(1, 10, 'gray8'), input, { order: 'gray', resize: 'nearest' });
    // centres 1.25, 3.75, 6.25, 8.75 of 10 rows → rows 1, 3, 6, 8
    expect(values(input)).toEqual([20, 60, 120, 160]);
  });
});

describe('canBindFrameDirectly', () => {
  test('true only for an exact uint8 NHWC tensor of the frame in the model order without normalisation', () => {
    const exact = new LiteTensor([1, 4, 6, 3], { dtype: 'uint8' });
    expect(canBindFrameDirectly(image(6, 4, 'rgb24'), exact)).toBe(true);
    expect(canBindFrameDirectly(image(6, 4, 'bgr24'), exact, { order: 'bgr' })).toBe(true);
    expect(canBindFrameDirectly(image(6, 4, 'bgr24'), exact)).toBe(false);
    expect(canBindFrameDirectly(image(6, 4, 'yuyv422'), exact)).toBe(false);
    expect(canBindFrameDirectly(image(8, 4, 'rgb24'), exact)).toBe(false);
    expect(canBindFrameDirectly(image(6, 4, 'rgb24'), exact, { scale: [0.5] })).toBe(false);
    expect(canBindFrameDirectly(image(6, 4, 'rgb24'), exact, { mean: [1, 0, 0] })).toBe(false);
    expect(canBindFrameDirectly(image(6, 4, 'rgb24'), new LiteTensor([1, 4, 6, 3]))).toBe(false);
    expect(canBindFrameDirectly(image(6, 4, 'rgb24'), new LiteTensor([1, 3, 4, 6], { dtype: 'uint8' }))).toBe(false);
    expect(canBindFrameDirectly(image(6, 4, 'rgb24'), new LiteTensor([1, 4, 6, 2], { dtype: 'uint8' }))).toBe(false);
    expect(canBindFrameDirectly(image(6, 4, 'gray8'), new LiteTensor([1, 1, 4, 6], { dtype: 'uint8' }), { order: 'gray' })).toBe(true);
    const view = new LiteTensor([1, 8, 6, 3], { dtype: 'uint8' }).slice([0, 0], [1, 4]);
    expect(canBindFrameDirectly(image(6, 4, 'rgb24'), view)).toBe(false);
  });

  test('binding by share gives what preprocessing would', () => {
    const frame = randomBytes(6 * 4 * 3, 9);
    const shared = new LiteTensor([1, 4, 6, 3], { dtype: 'uint8' });
    expect(canBindFrameDirectly(image(6, 4, 'rgb24'), shared)).toBe(true);
    shared.setDataByShare(frame, shared.layout);
    const copied = new LiteTensor([1, 4, 6, 3], { dtype: 'uint8' });
    preprocessFrame(frame, image(6, 4, 'rgb24'), copied);
    expect(values(copied)).toEqual(values(shared));
  });

  test('invalid arguments throw', () => {
    const t = new LiteTensor([1, 4, 6, 3], { dtype: 'uint8' });
    expect(() => canBindFrameDirectly(image(6, 4, 'rgba' as never), t)).toThrow(liteError('INVALID_ARGUMENT', /format\.pixel/));
    expect(() => canBindFrameDirectly(image(6, 4, 'rgb24'), {} as never)).toThrow(liteError('INVALID_ARGUMENT', /input/));
    expect(() => canBindFrameDirectly(image(6, 4, 'rgb24'), t, { order: 'rbg' as never })).toThrow(liteError('INVALID_ARGUMENT', /options\.order/));
  });
});

describe('errors', () => {
  const frame = new Uint8Array(64 * 64 * 3);
  const input = new LiteTensor([1, 3, 8, 8]);
  const rgb = image(8, 8, 'rgb24');

  test.each([
    [{ layout: 'chw' }, /options\.layout/],
    [{ order: 'rgba' }, /options\.order/],
    [{ resize: 'cubic' }, /options\.resize/],
    [{ mean: [1, 2] }, /options\.mean/],
    [{ mean: 0.5 }, /options\.mean/],
    [{ scale: [1, Number.NaN, 1] }, /options\.scale/],
    [{ scale: ['1', 1, 1] }, /options\.scale/],
    [{ sacle: [1] }, /unknown option 'sacle'/],
  ])('options %j', (options, message) => {
    expect(() => preprocessFrame(frame, rgb, input, options as never)).toThrow(liteError('INVALID_ARGUMENT', message));
  });

  test('options that are not an object', () => {
    expect(() => preprocessFrame(frame, rgb, input, 'nchw' as never)).toThrow(liteError('INVALID_ARGUMENT', /options must be an object/));
  });

  test('frame and format', () => {
    expect(() => preprocessFrame([1, 2, 3] as never, rgb, input)).toThrow(liteError('INVALID_ARGUMENT', /frame must be a Uint8Array/));
    expect(() => preprocessFrame(frame, { kind: 'samples', channels: 3, length: 8, dtype: 'float32' } as never, input)).toThrow(
      liteError('INVALID_ARGUMENT', /format\.kind/),
    );
    expect(() => preprocessFrame(frame, image(0, 8, 'rgb24'), input)).toThrow(liteError('INVALID_ARGUMENT', /format\.width/));
    expect(() => preprocessFrame(frame, image(8, 2.5, 'rgb24'), input)).toThrow(liteError('INVALID_ARGUMENT', /format\.height/));
    expect(() => preprocessFrame(frame, image(8, 40000, 'gray8'), input)).toThrow(liteError('INVALID_ARGUMENT', /format\.height/));
    expect(() => preprocessFrame(frame, image(7, 8, 'yuyv422'), input)).toThrow(liteError('INVALID_ARGUMENT', /even/));
    expect(() => preprocessFrame(frame, image(7, 8, 'nv12'), input)).toThrow(liteError('INVALID_ARGUMENT', /even/));
    for (const pixel of ['rgb24', 'bgr24', 'gray8', 'yuyv422', 'nv12'] as const) {
      const format = image(10, 5, pixel);
      const short = new Uint8Array(frameBytes(format) - 1);
      expect(() => preprocessFrame(short, format, input)).toThrow(liteError('SHAPE_MISMATCH', /needs \d+ bytes/));
      expect(() => preprocessFrame(new Uint8Array(frameBytes(format)), format, input)).not.toThrow();
    }
  });

  test('tensors', () => {
    expect(() => preprocessFrame(frame, rgb, new Float32Array(192) as never)).toThrow(liteError('INVALID_ARGUMENT', /LiteTensor/));
    expect(() => preprocessFrame(frame, rgb, new LiteTensor([3, 8, 8]))).toThrow(liteError('SHAPE_MISMATCH', /\[1, C, H, W\]/));
    expect(() => preprocessFrame(frame, rgb, new LiteTensor([2, 3, 8, 8]))).toThrow(liteError('SHAPE_MISMATCH'));
    expect(() => preprocessFrame(frame, rgb, new LiteTensor([1, 4, 8, 8]))).toThrow(liteError('SHAPE_MISMATCH', /order 'rgb'/));
    expect(() => preprocessFrame(frame, rgb, new LiteTensor([1, 3, 8, 8]), { order: 'gray' })).toThrow(liteError('SHAPE_MISMATCH'));
    expect(() => preprocessFrame(frame, rgb, new LiteTensor([1, 3, 8, 8]), { layout: 'nhwc' })).toThrow(liteError('SHAPE_MISMATCH'));
    expect(() => preprocessFrame(frame, rgb, new LiteTensor([1, 3, 8, 8], { dtype: 'int32' }))).toThrow(liteError('DTYPE_MISMATCH', /int32/));
    const view = new LiteTensor([1, 3, 16, 8]).slice([0, 0, 0], [1, 3, 16], [1, 1, 2]);
    expect(() => preprocessFrame(frame, rgb, view)).toThrow(liteError('NOT_CONTIGUOUS'));
    const disposed = new LiteTensor([1, 3, 8, 8]);
    disposed.dispose();
    expect(() => preprocessFrame(frame, rgb, disposed)).toThrow(liteError('INVALID_STATE'));
  });

  test('the raw addon turns core errors into LiteError', () => {
    const raw = native();
    const options: NativePreprocessOptions = { layout: 'nchw', order: 'rgb', resize: 'bilinear', mean: [0, 0, 0], scale: [1, 1, 1] };
    expect(() => raw.preprocessImage(frame, { width: 8, height: 8, pixel: 'rgba' }, input.handle, { ...options })).toThrow(
      liteError('INVALID_ARGUMENT', /pixel/),
    );
    expect(() => raw.preprocessImage(frame.subarray(0, 10), { width: 8, height: 8, pixel: 'rgb24' }, input.handle, { ...options })).toThrow(
      liteError('SHAPE_MISMATCH'),
    );
    expect(() => raw.preprocessImage(frame, { width: 8, height: 8, pixel: 'rgb24' }, input.handle, { ...options, mean: [0] })).toThrow(
      liteError('INVALID_ARGUMENT', /options\.mean/),
    );
    expect(raw.canBindDirectly({ width: 8, height: 8, pixel: 'rgb24' }, input.handle, { ...options })).toBe(false);
  });
});
