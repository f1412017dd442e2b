// Opens a frame source from its spec string: the device adapters behind the SDK's FrameSource interface.
//   testsrc:WxH[?fps=&pool=&pixel=]                      built-in moving test pattern (no dependencies)
//   file:PATH[?size=WxH&fps=&loop=1&realtime=0&pixel=]  a video or image file, decoded by ffmpeg
//   v4l2:/dev/videoN[?size=WxH&fps=&pixel=]              a V4L2 camera, captured by ffmpeg
//   serial:/dev/ttyX?baud=&window=&hop=&channels=         binary sensor messages (device/sources/sensor-framing.ts)
import { LiteError } from '../../sdk/src/errors.js';
import type { FrameSource, ImageFormat } from '../../sdk/src/pipeline/source.js';
import { FfmpegSource } from './ffmpeg.js';
import { openSerialSource } from './serial.js';
import { checkParams, numberParam, parseSize, parseSourceSpec } from './spec.js';
import { TestSource } from './testsrc.js';

export interface OpenSourceOptions {
  /** Frames per second when the spec does not say. */
  fps?: number;
  /** Allocates the frame pool's buffers (e.g. the SDK's deviceFrameAllocator: OpenCL memory); default JS memory. */
  allocate?: (bytes: number) => Uint8Array;
}

const PIXELS: ImageFormat['pixel'][] = ['rgb24', 'bgr24', 'gray8', 'yuyv422', 'nv12'];

function pixelParam(params: URLSearchParams): ImageFormat['pixel'] | undefined {
  const pixel = params.get('pixel');
  if (pixel === null) return undefined;
  if (!PIXELS.includes(pixel as ImageFormat['pixel'])) {
    throw new LiteError('INVALID_ARGUMENT', `pixel must be one of ${PIXELS.join(', ')}, got '${pixel}'`);
  }
  return pixel as ImageFormat['pixel'];
}

export async function openSource(spec: string, options: OpenSourceOptions = {}): Promise<FrameSource> {
  const { kind, target, params } = parseSourceSpec(spec);
  switch (kind) {
    case 'testsrc': {
      checkParams(params, kind, ['fps', 'pool', 'pixel']);
      const [width, height] = parseSize(target || '640x480', 'testsrc size');
      const pixel = pixelParam(params) ?? 'rgb24';
      if (pixel !== 'rgb24' && pixel !== 'bgr24' && pixel !== 'gray8') {
        throw new LiteError('INVALID_ARGUMENT', `testsrc draws rgb24, bgr24 or gray8, not ${pixel}`);
      }
      return new TestSource({
        width,
        height,
        pixel,
        fps: numberParam(params, 'fps', options.fps ?? 30, 0, 1000),
        pool: numberParam(params, 'pool', 4, 1, 64),
        ...(options.allocate ? { allocate: options.allocate } : {}),
      });
    }
    case 'file':
    case 'v4l2': {
      checkParams(params, kind, ['size', 'fps', 'loop', 'realtime', 'pixel', 'pool']);
      if (!target) throw new LiteError('INVALID_ARGUMENT', `${kind} source needs a path, e.g. ${kind === 'file' ? 'file:video.mp4' : 'v4l2:/dev/video0'}`);
      const size = params.get('size');
      const [width, height] = size ? parseSize(size, `${kind} size`) : [undefined, undefined];
      const fps = params.has('fps') ? numberParam(params, 'fps', 30, 1, 1000) : options.fps;
      return new FfmpegSource({
        input: kind,
        path: target,
        ...(width !== undefined && height !== undefined ? { width, height } : {}),
        ...(fps !== undefined ? { fps } : {}),
        ...(pixelParam(params) ? { pixel: pixelParam(params)! } : {}),
        loop: params.get('loop') === '1',
        realtime: params.get('realtime') !== '0',
        pool: numberParam(params, 'pool', 4, 1, 64),
        ...(options.allocate ? { allocate: options.allocate } : {}),
      });
    }
    case 'serial':
      return openSerialSource(spec);
    default:
      throw new LiteError('INVALID_ARGUMENT', `unknown source kind '${kind}': use testsrc, file, v4l2 or serial`);
  }
}
