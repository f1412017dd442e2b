// `edgelite bench`: load, first run and N timed runs of a small model, with the placement line, on the CPU and
// (where PoCL is installed) on OpenCL; bad options fail with the usage.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { expect, test } from 'vitest';

import { parseBenchArgs } from '../../sdk/src/cli/bench.js';
import { LiteDeviceType, LiteGlobal } from '../../sdk/src/index.js';
import { buildModel } from '../fixtures/onnx-builder.js';

const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist', 'sdk', 'src', 'cli', 'main.js');
const hasOpenCl = LiteGlobal.getDeviceCount(LiteDeviceType.LITE_OPENCL) > 0;
const model = join(mkdtempSync(join(tmpdir(), 'edgelite-bench-')), 'relu.onnx');
// A symbolic batch dim, given with --shape.
writeFileSync(model, buildModel({
  inputs: [{ name: 'x', type: 'float', dims: ['N', 3, 8, 8] }],
  outputs: [{ name: 'y', type: 'float', dims: ['N', 3, 8, 8] }],
  nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Sigmoid', inputs: ['r'], outputs: ['y'] }],
}));
const run = (args: string[]) => promisify(execFile)(process.execPath, [bin, 'bench', ...args], { encoding: 'utf8' });
const RESULT = /^bench .*relu\.onnx on (cpu|opencl), 1 thread\(s\): load [\d.]+ ms, first run [\d.]+ ms, 5 runs: median [\d.]+ ms, p90 [\d.]+ ms, min [\d.]+ ms$/m;

test('bench options: defaults, flags, errors', () => {
  expect(parseBenchArgs([model])).toMatchObject({ model, device: 'cpu', threads: 2, runs: 20, shapes: [] });
  const o = parseBenchArgs([model, '--device', 'opencl', '--threads', '1', '--runs', '3', '--shape', 'x=1x3x8x8']);
  expect(o).toMatchObject({ device: 'opencl', threads: 1, runs: 3 });
  expect(o.shapes[0]!.name).toBe('x');
  expect(() => parseBenchArgs([])).toThrow(/needs a model/);
  expect(() => parseBenchArgs([model, '--runs', '0'])).toThrow(/--runs must be an integer/);
  expect(() => parseBenchArgs([model, '--device', 'tpu'])).toThrow(/--device must be cpu or opencl/);
});

test('edgelite bench on the CPU prints one result line and the placement; progress goes to stderr', async () => {
  const { stdout, stderr } = await run([model, '--threads', '1', '--runs', '5', '--shape', 'x=1x3x8x8']);
  expect(stdout).toMatch(RESULT);
  expect(stdout).toMatch(/^ {2}on cpu: 2 nodes$/m);
  expect(stderr).toMatch(/run 5\/5/);
});

test('edgelite bench with a bad option fails with the usage', async () => {
  await expect(run([model, '--frobnicate', '2'])).rejects.toMatchObject({ stderr: expect.stringMatching(/unknown option '--frobnicate'[\s\S]*usage: edgelite bench/) });
});

test.skipIf(!hasOpenCl)('edgelite bench --device opencl says where the nodes ran', async () => {
  const { stdout } = await run([model, '--device', 'opencl', '--threads', '1', '--runs', '5', '--shape', 'x=1x3x8x8']);
  expect(stdout).toMatch(RESULT);
  expect(stdout).toMatch(/^ {2}on opencl: \d+ nodes, on cpu: \d+ nodes/m);
}, 60000);
