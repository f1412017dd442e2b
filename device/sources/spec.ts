// Source specs: `kind:target?key=value&...`, e.g. `testsrc:640x480?fps=15`, `file:/videos/a.mp4?size=320x240`,
// `v4l2:/dev/video0?size=640x480&pixel=yuyv422`, `serial:/dev/ttyUSB0?baud=115200&window=64&channels=3`.
import { LiteError } from '../../sdk/src/errors.js';

export interface SourceSpec {
  kind: string;
  target: string;
  params: URLSearchParams;
}

export function parseSourceSpec(spec: string): SourceSpec {
  const match = /^([a-z0-9]+):([^?]*)(?:\?(.*))?$/.exec(spec);
  if (!match) {
    throw new LiteError('INVALID_ARGUMENT', `source '${spec}' is not KIND:TARGET[?options], e.g. testsrc:640x480, file:video.mp4, v4l2:/dev/video0, serial:/dev/ttyUSB0?baud=115200`);
  }
  return { kind: match[1]!, target: match[2]!, params: new URLSearchParams(match[3] ?? '') };
}

/** "640x480" → [640, 480]; a LiteError naming `what` otherwise. */
export function parseSize(text: string, what: string): [number, number] {
  const match = /^(\d+)x(\d+)$/.exec(text);
  if (!match) throw new LiteError('INVALID_ARGUMENT', `${what} must be WIDTHxHEIGHT (e.g. 640x480), got '${text}'`);
  return [Number(match[1]), Number(match[2])];
}

/** A numeric option within [min, max], or the fallback when absent. */
export function numberParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new LiteError('INVALID_ARGUMENT', `source option ${name} must be a number in ${min}..${max}, got '${text}'`);
  }
  return value;
}

/** Rejects options a source does not know, naming them and the accepted ones. */
export function checkParams(params: URLSearchParams, kind: string, accepted: string[]): void {
  for (const key of params.keys()) {
    if (!accepted.includes(key)) {
      throw new LiteError('INVALID_ARGUMENT', `${kind} source has no option '${key}' (options: ${accepted.join(', ')})`);
    }
  }
}
