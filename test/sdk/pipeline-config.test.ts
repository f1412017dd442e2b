// The pipeline configuration file (sdk/src/cli/config.ts) and `edgelite run --config`: every field the flags
// take, errors that name the file and each bad field, paths relative to the file, flags over the file.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { loadPipelineConfig, PIPELINE_FIELDS, pipelineConfigErrors, type PipelineField } from '../../sdk/src/cli/config.js';
import { parseRunArgs } from '../../sdk/src/cli/run.js';
import { LiteError } from '../../sdk/src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'edgelite-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function failure(fn: () => unknown): LiteError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LiteError) return error;
    throw error;
  }
  throw new Error('expected a LiteError');
}

// One valid value per field, as JSON and as the flag's text.
const SAMPLES: Record<PipelineField, unknown> = {
  model: '/models/face.onnx', source: 'testsrc:64x48?fps=5', mqtt: 'mqtts://broker:8883', topic: 'cam1', frames: 10, fps: 15,
  qos: 2, device: 'opencl', threads: 4, json: true, mqttVersion: 5, username: 'u', password: 'p', passwordFile: '/run/secret',
  ca: '/etc/ca.pem', cert: '/etc/cert.pem', key: '/etc/key.pem', statusEvery: 5, mean: 127.5, scale: 0.5,
};

describe('pipeline config file', () => {
  test('a file with every field loads as run\'s options, and every flag sets the same field', () => {
    const { password: _password, ...all } = SAMPLES;   // password and passwordFile are exclusive in one file
    expect(loadPipelineConfig(file('all.json', all))).toEqual(all);
    for (const [field, { flag, type }] of Object.entries(PIPELINE_FIELDS)) {
      const argv = type.kind === 'boolean' ? [flag] : [flag, String(SAMPLES[field as PipelineField])];
      expect(parseRunArgs(argv), flag).toMatchObject({ [field]: SAMPLES[field as PipelineField] });
    }
  });

  test('one bad field: the message names the file, the field, what it takes and what it got', () => {
    const path = file('qos.json', { model: 'm.onnx', qos: 3 });
    const error = failure(() => loadPipelineConfig(path));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(`pipeline config ${path}: field 'qos' must be an integer in 0..2, got 3`);
  });

  test('every bad field is reported, unknown ones with the closest name', () => {
    const errors = pipelineConfigErrors({
      qos: '1', device: 'gpu', threads: 0, mqtt: 'http://broker', source: 'webcam', topic: 'cam/#', json: 'yes',
      thread: 2, mqtt_version: 5, Modle: 'x.onnx', colour: 'red', mean: null,
    });
    expect(errors).toEqual([
      "field 'qos' must be an integer in 0..2, got \"1\" (a string)",
      "field 'device' must be cpu, cuda or opencl, got \"gpu\"",
      "field 'threads' must be an integer in 1..256, got 0",
      "field 'mqtt' must be a broker URL (mqtt://HOST:PORT, mqtts://, ws://, wss://), got \"http://broker\"",
      expect.stringMatching(/^field 'source' must be a source spec KIND:TARGET\[\?options\] .*got "webcam"$/),
      "field 'topic' must be a topic prefix without the wildcards + and #, got \"cam/#\"",
      "field 'json' must be true or false, got \"yes\"",
      expect.stringMatching(/^field 'thread' is not a pipeline option \(did you mean 'threads'\?\); the options are model, source, /),
      expect.stringMatching(/^field 'mqtt_version' is not a pipeline option \(did you mean 'mqttVersion'\?\)/),
      expect.stringMatching(/^field 'Modle' is not a pipeline option \(did you mean 'model'\?\)/),
      expect.stringMatching(/^field 'colour' is not a pipeline option; the options are /),
      "field 'mean' must be a finite number, got null",
    ]);
    const path = file('many.json', { qos: 9, thraeds: 2 });
    expect(failure(() => loadPipelineConfig(path)).message).toMatch(new RegExp(`^pipeline config ${path} has 2 errors:\n  field 'qos'.*\n  field 'thraeds'.*did you mean 'threads'`));
  });

  test('password and passwordFile together are refused', () => {
    expect(pipelineConfigErrors({ password: 'a', passwordFile: 'b' })).toEqual([expect.stringMatching(/'password' and 'passwordFile' are both set/)]);
  });

  test('not JSON, not an object, too big, missing: clear errors', () => {
    const broken = file('broken.json', '{\n  "model": "m.onnx"\n  "qos": 1\n}');
    expect(failure(() => loadPipelineConfig(broken)).message).toMatch(new RegExp(`^pipeline config ${broken}: not valid JSON: .* at line 3 column 3$`));
    expect(failure(() => loadPipelineConfig(file('array.json', [1])))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/top level must be a JSON object/) });
    expect(failure(() => loadPipelineConfig(file('big.json', ' '.repeat((1 << 20) + 1))))).toMatchObject({ message: expect.stringMatching(/larger than 1048576 bytes/) });
    const missing = join(dir, 'missing.json');
    expect(failure(() => loadPipelineConfig(missing))).toMatchObject({ code: 'IO_ERROR', message: `pipeline config ${missing}: cannot read it (ENOENT)` });
  });

  test('relative paths are relative to the file\'s real folder (through a symlinked folder too), absolute ones stay', () => {
    const release = join(dir, 'releases', 'r1');
    mkdirSync(release, { recursive: true });
    writeFileSync(join(release, 'pipeline.json'), JSON.stringify({ model: 'model/m.onnx', ca: '/etc/ssl/ca.pem', cert: '../c.pem' }));
    symlinkSync(join('releases', 'r1'), join(dir, 'current'));
    expect(loadPipelineConfig(join(dir, 'current', 'pipeline.json'))).toEqual({
      model: join(release, 'model', 'm.onnx'), ca: '/etc/ssl/ca.pem', cert: join(dir, 'releases', 'c.pem'),
    });
  });
});

describe('edgelite run --config', () => {
  const config = file('run.json', { model: 'm.onnx', topic: 'from-file', qos: 0, threads: 3, json: true, passwordFile: 'secret' });

  test('the file sets the options; flags given too override it, before or after --config', () => {
    expect(parseRunArgs(['--config', config])).toMatchObject({ model: join(dir, 'm.onnx'), topic: 'from-file', qos: 0, threads: 3, json: true });
    const options = parseRunArgs(['--topic', 'from-flag', '--config', config, '--qos', '2']);
    expect(options).toMatchObject({ topic: 'from-flag', qos: 2, threads: 3, model: join(dir, 'm.onnx') });
    const withPassword = parseRunArgs(['--config', config, '--password', 'p']);
    expect(withPassword.password).toBe('p');
    expect(withPassword).not.toHaveProperty('passwordFile');
  });

  test('defaults stay where neither says otherwise', () => {
    expect(parseRunArgs(['--config', file('empty.json', {})])).toEqual({ topic: 'edgelite', qos: 1, device: 'cpu', threads: 2, json: false, mqttVersion: 4, statusEvery: 1 });
  });

  test('bad flags keep their messages; a bad file fails before any flag is looked at', () => {
    expect(failure(() => parseRunArgs(['--qos', '7'])).message).toBe("--qos must be an integer in 0..2, got '7'");
    expect(failure(() => parseRunArgs(['--mean', 'abc'])).message).toBe("--mean must be a finite number, got 'abc'");
    expect(failure(() => parseRunArgs(['--source', 'webcam'])).message).toMatch(/^--source must be a source spec/);
    expect(failure(() => parseRunArgs(['--config'])).message).toMatch(/^--config needs a value/);
    expect(failure(() => parseRunArgs(['--bogus', '--config', file('bad.json', { qos: 5 })])).message).toMatch(/field 'qos'/);
  });
});
