// `edgelite info MODEL --device cuda|opencl`: the device line (LiteGlobal.getDeviceDescription) and the placement
// line with its fallback ops on OpenCL (PoCL here); a missing device (CUDA here) is a clean DEVICE_UNAVAILABLE.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { expect, test } from 'vitest';

import { LiteDeviceType, LiteGlobal } from '../../sdk/src/index.js';
import { buildModel } from '../fixtures/onnx-builder.js';

const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist', 'sdk', 'src', 'cli', 'main.js');
const hasOpenCl = LiteGlobal.getDeviceCount(LiteDeviceType.LITE_OPENCL) > 0;
const hasCuda = LiteGlobal.getDeviceCount(LiteDeviceType.LITE_CUDA) > 0;
// Hardmax has no device kernel: it runs on the CPU between two device nodes.
const model = join(mkdtempSync(join(tmpdir(), 'edgelite-info-')), 'fallback.onnx');
writeFileSync(model, buildModel({
  inputs: [{ name: 'x', type: 'float', dims: [1, 3, 8, 8] }],
  outputs: [{ name: 'y', type: 'float', dims: [1, 3, 8, 8] }],
  nodes: [
    { op: 'Relu', inputs: ['x'], outputs: ['r'] },
    { op: 'Hardmax', inputs: ['r'], outputs: ['h'], attributes: { axis: -1 } },
    { op: 'Sigmoid', inputs: ['h'], outputs: ['y'] },
  ],
}));
const info = (args: string[]) => promisify(execFile)(process.execPath, [bin, 'info', model, ...args], { encoding: 'utf8' });

test('edgelite info without --device prints no device line', async () => {
  const { stdout } = await info([]);
  expect(stdout).not.toMatch(/^device/m);
  expect(stdout).not.toMatch(/on cpu: \d+ nodes/);
});

test.skipIf(!hasOpenCl)('edgelite info --device opencl names the device, where the nodes run and what falls back', async () => {
  const { stdout } = await info(['--device', 'opencl']);
  const description = LiteGlobal.getDeviceDescription(LiteDeviceType.LITE_OPENCL);
  expect(description).toMatch(/^\S.* \(OpenCL \d+\.\d+, (unified memory: shares memory with the CPU|discrete: own memory)\)$/);
  expect(stdout).toContain(`\ndevice: ${description}\n`);
  // PoCL is a CPU device: its memory is the host's.
  if (/pthread|cpu/i.test(description)) expect(description).toMatch(/unified memory/);
  expect(stdout).toMatch(/^ {2}on opencl: 2 nodes, on cpu: 1 nodes \(fallback: Hardmax\)$/m);
}, 60000);

test.runIf(hasCuda)('edgelite info --device cuda names the device and where the nodes run', async () => {
  const { stdout } = await info(['--device', 'cuda']);
  expect(stdout).toMatch(/^device: .+ \(compute \d+\.\d+, (integrated: shares memory with the CPU|discrete)\)$/m);
  expect(stdout).toMatch(/^ {2}on cuda: \d+ nodes, on cpu: \d+ nodes/m);
}, 60000);

test('edgelite info --device cuda without a CUDA device fails cleanly with DEVICE_UNAVAILABLE', async ({ skip }) => {
  skip(hasCuda, 'this machine has a CUDA device, so info --device cuda succeeds (checked by the test above)');
  const failed = await info(['--device', 'cuda']).then(
    () => undefined,
    (error: unknown) => error as { code: number; stdout: string; stderr: string },
  );
  expect(failed?.code).toBe(1);
  expect(failed?.stderr).toBe('');
  // The model's own part still prints; then one line saying what is missing and how to get it.
  expect(failed?.stdout).toMatch(/^ops \(3 nodes, 3 types\):$/m);
  expect(failed?.stdout).toMatch(
    /\ndevice unavailable \[DEVICE_UNAVAILABLE\]: (no CUDA device found on this machine|device CUDA is not built into this edgelite binary): .*nvidia-smi.*\n$/,
  );
  expect(failed?.stdout).not.toMatch(/after graph passes/);
}, 60000);

test.runIf(!hasOpenCl)('OpenCL info tests are skipped: no OpenCL device (install pocl-opencl-icd)', () => {
  expect(LiteGlobal.getDeviceCount(LiteDeviceType.LITE_OPENCL)).toBe(0);
});
