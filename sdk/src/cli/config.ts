// The pipeline configuration file: `edgelite run`'s options as JSON, so the same pipeline runs on the desk
// (`edgelite run --config pipeline.json`) and on a device (`edgelite deploy` installs the file beside the model).
// It lives with `run` because it is run's options in a file; one table below drives both the flags and the file.
//
//   { "model": "face.onnx", "source": "v4l2:/dev/video0?size=640x480", "mqtt": "mqtt://broker:1883",
//     "topic": "cam1", "qos": 1, "threads": 4 }
//
// Every field is optional and means what the flag of the same name means (`mqttVersion` is --mqtt-version).
// Relative paths (model, passwordFile, ca, cert, key) are relative to the file's own folder.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

import { parseSourceSpec } from '../../../device/sources/spec.js';
import { LiteError } from '../errors.js';

/** What a pipeline configuration file holds; each field is the `edgelite run` flag of the same name. */
export interface PipelineConfig {
  /** ONNX model file. */
  model?: string;
  /** Frame source spec: testsrc:WxH, file:PATH, v4l2:/dev/videoN, serial:/dev/ttyX?baud=... */
  source?: string;
  /** Broker URL (mqtt://, mqtts://, ws://, wss://); absent: an in-process broker on loopback. */
  mqtt?: string;
  /** Topic prefix; results go to PREFIX/result. */
  topic?: string;
  /** Stop after N frames. */
  frames?: number;
  fps?: number;
  qos?: 0 | 1 | 2;
  device?: 'cpu' | 'cuda' | 'opencl';
  threads?: number;
  /** Publish JSON instead of the binary ELT1 format. */
  json?: boolean;
  mqttVersion?: 4 | 5;
  username?: string;
  /** The broker password in the file itself; prefer passwordFile. */
  password?: string;
  /** A file holding the broker password (one line). */
  passwordFile?: string;
  ca?: string;
  cert?: string;
  key?: string;
  /** Seconds between live status lines. */
  statusEvery?: number;
  mean?: number;
  scale?: number;
}

export type PipelineField = keyof PipelineConfig;

type FieldType =
  | { kind: 'string' }
  | { kind: 'path' }
  | { kind: 'source' }
  | { kind: 'url' }
  | { kind: 'topic' }
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'choice'; values: readonly string[] };

/** The one list: each option's flag and the values it takes, for the flags and the file alike. */
export const PIPELINE_FIELDS: Record<PipelineField, { flag: string; type: FieldType }> = {
  model: { flag: '--model', type: { kind: 'path' } },
  source: { flag: '--source', type: { kind: 'source' } },
  mqtt: { flag: '--mqtt', type: { kind: 'url' } },
  topic: { flag: '--topic', type: { kind: 'topic' } },
  frames: { flag: '--frames', type: { kind: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER } },
  fps: { flag: '--fps', type: { kind: 'integer', min: 1, max: 1000 } },
  qos: { flag: '--qos', type: { kind: 'integer', min: 0, max: 2 } },
  device: { flag: '--device', type: { kind: 'choice', values: ['cpu', 'cuda', 'opencl'] } },
  threads: { flag: '--threads', type: { kind: 'integer', min: 1, max: 256 } },
  json: { flag: '--json', type: { kind: 'boolean' } },
  mqttVersion: { flag: '--mqtt-version', type: { kind: 'integer', min: 4, max: 5 } },
  username: { flag: '--username', type: { kind: 'string' } },
  password: { flag: '--password', type: { kind: 'string' } },
  passwordFile: { flag: '--password-file', type: { kind: 'path' } },
  ca: { flag: '--ca', type: { kind: 'path' } },
  cert: { flag: '--cert', type: { kind: 'path' } },
  key: { flag: '--key', type: { kind: 'path' } },
  statusEvery: { flag: '--status-every', type: { kind: 'integer', min: 1, max: 3600 } },
  mean: { flag: '--mean', type: { kind: 'number' } },
  scale: { flag: '--scale', type: { kind: 'number' } },
};

/** The fields that name local files (resolved against the config file's folder; uploaded by deploy). */
export const PATH_FIELDS = (Object.keys(PIPELINE_FIELDS) as PipelineField[]).filter((f) => PIPELINE_FIELDS[f].type.kind === 'path');

const MQTT_PROTOCOLS = ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'];
// A pipeline config is a handful of fields; anything bigger is not one.
const MAX_CONFIG_BYTES = 1 << 20;

function expected(type: FieldType): string {
  switch (type.kind) {
    case 'string': return 'a non-empty string';
    case 'path': return 'a file path (a non-empty string)';
    case 'source': return 'a source spec KIND:TARGET[?options] (testsrc:640x480, file:video.mp4, v4l2:/dev/video0, serial:/dev/ttyUSB0?baud=115200)';
    case 'url': return 'a broker URL (mqtt://HOST:PORT, mqtts://, ws://, wss://)';
    case 'topic': return 'a topic prefix without the wildcards + and #';
    case 'integer': return `an integer in ${type.min}..${type.max}`;
    case 'number': return 'a finite number';
    case 'boolean': return 'true or false';
    case 'choice': return `${type.values.slice(0, -1).join(', ')} or ${type.values[type.values.length - 1]}`;
  }
}

function valid(type: FieldType, value: unknown): boolean {
  switch (type.kind) {
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= type.min && value <= type.max;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'choice':
      return typeof value === 'string' && type.values.includes(value);
    default:
      break;
  }
  if (typeof value !== 'string' || value.length === 0) return false;
  switch (type.kind) {
    case 'source':
      try {
        parseSourceSpec(value);
        return true;
      } catch {
        return false;
      }
    case 'url':
      try {
        return MQTT_PROTOCOLS.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    case 'topic':
      return !/[+#\0]/.test(value);
    default:
      return true;
  }
}

/** A CLI flag's text as the field's value; a LiteError naming the flag, what it takes and what it got. */
export function parseFlagValue(field: PipelineField, text: string): PipelineConfig[PipelineField] {
  const { flag, type } = PIPELINE_FIELDS[field];
  const value = type.kind === 'integer' || type.kind === 'number' ? (text.trim() === '' ? NaN : Number(text)) : text;
  if (!valid(type, value)) throw new LiteError('INVALID_ARGUMENT', `${flag} must be ${expected(type)}, got '${text}'`);
  return value as PipelineConfig[PipelineField];
}

/** Levenshtein distance, case-insensitive: for "did you mean". */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

function closest(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const field of Object.keys(PIPELINE_FIELDS)) {
    const d = distance(name.replace(/[-_]/g, ''), field);
    if (d < bestDistance) [best, bestDistance] = [field, d];
  }
  return best;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Checks a parsed pipeline config and returns one message per problem, each naming its field: unknown fields
 * (with the closest known name), values of the wrong kind or out of range, password and passwordFile together.
 */
export function pipelineConfigErrors(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`the top level must be a JSON object of pipeline options ({ "model": ..., "source": ... }), got ${shown(value)}`];
  }
  const errors: string[] = [];
  const record = value as Record<string, unknown>;
  for (const [name, v] of Object.entries(record)) {
    if (!Object.hasOwn(PIPELINE_FIELDS, name)) {
      const guess = closest(name);
      errors.push(`field '${name}' is not a pipeline option${guess ? ` (did you mean '${guess}'?)` : ''}; ` +
        `the options are ${Object.keys(PIPELINE_FIELDS).join(', ')}`);
      continue;
    }
    const { type } = PIPELINE_FIELDS[name as PipelineField];
    if (!valid(type, v)) {
      const hint = (type.kind === 'integer' || type.kind === 'number') && typeof v === 'string' ? ' (a string)' : '';
      errors.push(`field '${name}' must be ${expected(type)}, got ${shown(v)}${hint}`);
    }
  }
  if (record['password'] !== undefined && record['passwordFile'] !== undefined) {
    errors.push("fields 'password' and 'passwordFile' are both set: keep one (passwordFile keeps the secret out of the config)");
  }
  return errors;
}

/** JSON.parse's "at position N" as "line L column C". */
function jsonErrorText(error: Error, text: string): string {
  const at = /at position (\d+)/.exec(error.message);
  if (!at) return error.message;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${error.message.replace(/ in JSON at position \d+.*$/, '')} at line ${line} column ${column}`;
}

/**
 * Reads and validates a pipeline configuration file. Relative paths come back absolute, resolved against the
 * file's real folder (through symlinks, so a file read as PREFIX/current/pipeline.json names its own release's
 * model). Errors are LiteErrors that name the file and every bad field: INVALID_ARGUMENT, or IO_ERROR when the
 * file cannot be read.
 */
export function loadPipelineConfig(file: string): PipelineConfig {
  let text: string;
  try {
    if (statSync(file).size > MAX_CONFIG_BYTES) {
      throw new LiteError('INVALID_ARGUMENT', `pipeline config ${file}: larger than ${MAX_CONFIG_BYTES} bytes; it is not a pipeline config`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof LiteError) throw error;
    throw new LiteError('IO_ERROR', `pipeline config ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LiteError('INVALID_ARGUMENT', `pipeline config ${file}: not valid JSON: ${jsonErrorText(error as Error, text)}`);
  }
  const errors = pipelineConfigErrors(value);
  if (errors.length === 1) throw new LiteError('INVALID_ARGUMENT', `pipeline config ${file}: ${errors[0]}`);
  if (errors.length > 1) {
    throw new LiteError('INVALID_ARGUMENT', `pipeline config ${file} has ${errors.length} errors:\n  ${errors.join('\n  ')}`);
  }
  const config = { ...(value as PipelineConfig) };
  const folder = dirname(realpathSync(file));
  for (const field of PATH_FIELDS) {
    const path = config[field] as string | undefined;
    if (path !== undefined && !isAbsolute(path)) Object.assign(config, { [field]: resolve(folder, path) });
  }
  return config;
}
