// From a camera frame to a network input: colour conversion, resize and normalisation in one native pass that
// writes straight into the input tensor (native/include/lite/preprocess.h). Options are resolved and checked
// here, where messages can name them; the native kernel re-checks what it relies on.
import { LiteDataType } from '../enums.js';
import { LiteError } from '../errors.js';
import { dtypeName } from '../layout.js';
import { native, type NativeImageSpec, type NativePreprocessOptions } from '../native.js';
import { LiteTensor } from '../tensor.js';
import { frameBytes, type ImageFormat } from './source.js';

/**
 * How a frame becomes a network input. Each output channel c is `(pixel - mean[c]) * scale[c]`, where pixel is
 * 0..255 after colour conversion and resize.
 *
 * Colour: yuyv422 and nv12 are BT.601 limited range, converted with the usual 8-bit integer coefficients
 * (R = (298(Y-16) + 409(V-128) + 128) >> 8, ...; see preprocess.h); chroma is shared by the pixels it covers.
 * 'gray' from RGB is BT.601 luma (as OpenCV's COLOR_RGB2GRAY), from YUV the expanded Y.
 */
export interface PreprocessOptions {
  /**
   * Where the tensor's channel dim is: 'nchw' ([1, C, H, W]) or 'nhwc' ([1, H, W, C]). Default: inferred from
   * the tensor's shape: C channels in dim 1 → 'nchw', else in dim 3 → 'nhwc' (C = 3, or 1 for 'gray').
   */
  layout: 'nchw' | 'nhwc';
  /** The channel order the model expects: 'rgb', 'bgr' (3 channels) or 'gray' (1). Default 'rgb'. */
  order: 'rgb' | 'bgr' | 'gray';
  /**
   * 'bilinear' (default): half-pixel centres with edge clamping, as cv2.resize INTER_LINEAR (no antialiasing
   * when shrinking). 'nearest': the source pixel under each output pixel's centre.
   */
  resize: 'nearest' | 'bilinear';
  /** Subtracted from each channel (in model order): 1 number for all channels, or 3. Default [0, 0, 0]. */
  mean: number[];
  /**
   * Multiplies each channel after the mean: 1 number or 3. Default [1/255, 1/255, 1/255] (pixels to 0..1) for
   * float32 and float16 tensors, [1, 1, 1] (no normalisation) for uint8 tensors, whose values are rounded and
   * saturated to 0..255.
   */
  scale: number[];
}

const PIXELS: readonly ImageFormat['pixel'][] = ['rgb24', 'bgr24', 'gray8', 'yuyv422', 'nv12'];
const LAYOUTS: readonly PreprocessOptions['layout'][] = ['nchw', 'nhwc'];
const ORDERS: readonly PreprocessOptions['order'][] = ['rgb', 'bgr', 'gray'];
const RESIZES: readonly PreprocessOptions['resize'][] = ['nearest', 'bilinear'];
const OPTION_KEYS = ['layout', 'order', 'resize', 'mean', 'scale'];
const OUTPUT_DTYPES = [LiteDataType.LITE_FLOAT, LiteDataType.LITE_HALF, LiteDataType.LITE_UINT8];
/** Widths and heights above this are rejected (native kMaxImageSide). */
const MAX_SIDE = 32768;

function invalid(message: string): never {
  throw new LiteError('INVALID_ARGUMENT', message);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    try {
      return JSON.stringify(value);
    } catch {
      return 'an array';
    }
  }
  return String(value);
}

function checkFormat(format: unknown): NativeImageSpec {
  if (typeof format !== 'object' || format === null) invalid(`format must be an ImageFormat object, got ${show(format)}`);
  const { kind, width, height, pixel } = format as Partial<ImageFormat> & { kind?: unknown };
  if (kind !== 'image') invalid(`format.kind must be 'image' to preprocess a frame, got ${show(kind)}`);
  for (const [name, value] of [['width', width], ['height', height]] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > MAX_SIDE) {
      invalid(`format.${name} must be an integer from 1 to ${MAX_SIDE}, got ${show(value)}`);
    }
  }
  if (!PIXELS.includes(pixel as ImageFormat['pixel'])) {
    invalid(`format.pixel must be one of ${PIXELS.join(', ')}, got ${show(pixel)}`);
  }
  if ((pixel === 'yuyv422' || pixel === 'nv12') && (width as number) % 2 !== 0) {
    invalid(`format.width must be even for ${pixel} (chroma is shared by pixel pairs), got ${show(width)}`);
  }
  return { width: width as number, height: height as number, pixel: pixel as string };
}

function checkChoice<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (!allowed.includes(value as T)) {
    invalid(`options.${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

function checkPerChannel(value: unknown, name: string): number[] {
  const values = Array.isArray(value) ? (value as unknown[]) : undefined;
  const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
  if (!values || (values.length !== 1 && values.length !== 3) || !values.every(finite)) {
    invalid(`options.${name} must be an array of 1 or 3 finite numbers, got ${show(value)}`);
  }
  const numbers = values as number[];
  return numbers.length === 1 ? [numbers[0]!, numbers[0]!, numbers[0]!] : [...numbers];
}

/** The tensor's shape and dtype after checking what any preprocessing needs: [1, d1, d2, d3] of an output dtype. */
function checkInput(input: unknown): { shape: number[]; dtype: LiteDataType } {
  if (!(input instanceof LiteTensor)) invalid(`input must be a LiteTensor, got ${show(input)}`);
  const { shape, dtype } = input.handle.layout();
  if (shape.length !== 4 || shape[0] !== 1) {
    throw new LiteError(
      'SHAPE_MISMATCH',
      `the input tensor has shape [${shape.join(', ')}]; preprocessing writes one image, [1, C, H, W] or [1, H, W, C]`,
    );
  }
  if (!OUTPUT_DTYPES.includes(dtype)) {
    throw new LiteError(
      'DTYPE_MISMATCH',
      `the input tensor is ${dtypeName(dtype)}; preprocessing writes float32, float16 or uint8`,
    );
  }
  return { shape, dtype };
}

/**
 * Defaults, then checks, then interpretation. Returns undefined when no layout puts the channels where the tensor
 * has them (the caller decides whether that is an error).
 */
function resolveOptions(
  options: unknown,
  shape: number[],
  dtype: LiteDataType,
): { resolved: NativePreprocessOptions } | { channels: number; order: string } {
  // 1. defaults
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    invalid(`options must be an object, got ${show(options)}`);
  }
  const given = options as Partial<Record<string, unknown>>;
  for (const key of Object.keys(given)) {
    if (!OPTION_KEYS.includes(key)) invalid(`unknown option '${key}': the options are ${OPTION_KEYS.join(', ')}`);
  }
  const normalise = dtype !== LiteDataType.LITE_UINT8;
  // 2. validate
  const order = checkChoice(given['order'] ?? 'rgb', ORDERS, 'order');
  const resize = checkChoice(given['resize'] ?? 'bilinear', RESIZES, 'resize');
  const mean = checkPerChannel(given['mean'] ?? [0], 'mean');
  const scale = checkPerChannel(given['scale'] ?? [normalise ? 1 / 255 : 1], 'scale');
  const layoutGiven = given['layout'] === undefined ? undefined : checkChoice(given['layout'], LAYOUTS, 'layout');
  // 3. interpret: the layout from where the tensor has the model's channel count.
  const channels = order === 'gray' ? 1 : 3;
  const layout = layoutGiven ?? (shape[1] === channels ? 'nchw' : shape[3] === channels ? 'nhwc' : undefined);
  if (!layout) return { channels, order };
  return { resolved: { layout, order, resize, mean, scale } };
}

/**
 * Converts, resizes and normalises one image frame into `input` (a network input tensor in host memory, shaped
 * [1, C, H, W] or [1, H, W, C], float32, float16 or uint8), in one native pass with no intermediate image.
 * `frame` holds at least `frameBytes(format)` bytes. See {@link PreprocessOptions} for the options and defaults.
 *
 * Errors (LiteError): INVALID_ARGUMENT naming the argument or option (or when the tensor's memory is the frame's,
 * after binding it by share); SHAPE_MISMATCH for a short frame or a tensor
 * whose shape has no place for the model's channels; DTYPE_MISMATCH for other dtypes; NOT_CONTIGUOUS for a strided
 * view; NOT_SUPPORTED when the tensor's memory is not host memory.
 */
export function preprocessFrame(
  frame: Uint8Array,
  format: ImageFormat,
  input: LiteTensor,
  options: Partial<PreprocessOptions> = {},
): void {
  if (!(frame instanceof Uint8Array)) invalid(`frame must be a Uint8Array (or Buffer), got ${show(frame)}`);
  const spec = checkFormat(format);
  const needed = frameBytes(format);
  if (frame.byteLength < needed) {
    throw new LiteError(
      'SHAPE_MISMATCH',
      `a ${spec.pixel} frame of ${spec.width}x${spec.height} needs ${needed} bytes, the frame has ${frame.byteLength}: ` +
        'check the format',
    );
  }
  const { shape, dtype } = checkInput(input);
  const result = resolveOptions(options, shape, dtype);
  if (!('resolved' in result)) {
    throw new LiteError(
      'SHAPE_MISMATCH',
      `the input tensor has shape [${shape.join(', ')}], with no ${result.channels} channel(s) for order '${result.order}' ` +
        "in dim 1 (NCHW) or dim 3 (NHWC): check options.order, or set options.layout",
    );
  }
  native().preprocessImage(frame, spec, input.handle, result.resolved);
}

/**
 * True when `input` can use a frame of `format` as it is (`input.setDataByShare(frame.data, input.layout)`, zero
 * copy) instead of {@link preprocessFrame}: rgb24 for an 'rgb' model or bgr24 for 'bgr' (gray8 for 'gray'), a CPU
 * tensor that is not a view, uint8 NHWC of exactly the frame's size, and no normalisation (mean 0, scale 1).
 * Invalid arguments throw as in preprocessFrame; a tensor that does not fit gives false.
 */
export function canBindFrameDirectly(
  format: ImageFormat,
  input: LiteTensor,
  options: Partial<PreprocessOptions> = {},
): boolean {
  const spec = checkFormat(format);
  if (!(input instanceof LiteTensor)) invalid(`input must be a LiteTensor, got ${show(input)}`);
  const { shape, dtype } = input.handle.layout();
  if (shape.length !== 4 || dtype !== LiteDataType.LITE_UINT8) return false;
  const result = resolveOptions(options, shape, dtype);
  return 'resolved' in result && native().canBindDirectly(spec, input.handle, result.resolved);
}
