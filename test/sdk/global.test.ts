import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, test } from 'vitest';

import { LiteDeviceType, LiteError, LiteGlobal, LiteLogLevel, LiteTensor } from '../../sdk/src/index.js';
import { realModels } from '../fixtures/models.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('the CPU is always there; CUDA/OpenCL counts are numbers', () => {
  expect(LiteGlobal.getDeviceCount(LiteDeviceType.LITE_CPU)).toBe(1);
  expect(LiteGlobal.getDeviceCount(LiteDeviceType.LITE_CUDA)).toBeGreaterThanOrEqual(0);
  expect(LiteGlobal.getDeviceCount(LiteDeviceType.LITE_OPENCL)).toBeGreaterThanOrEqual(0);
  expect(() => LiteGlobal.getDeviceCount(9 as LiteDeviceType)).toThrow(LiteError);
  expect(LiteGlobal.builtBackends).toContain('cpu');
});

test('device descriptions: the CPU always; bad arguments and missing devices are LiteErrors', () => {
  expect(LiteGlobal.getDeviceDescription(LiteDeviceType.LITE_CPU)).toMatch(/^CPU \(\d+ hardware threads\)$/);
  expect(() => LiteGlobal.getDeviceDescription(9 as LiteDeviceType)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  expect(() => LiteGlobal.getDeviceDescription(LiteDeviceType.LITE_CPU, -1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  expect(() => LiteGlobal.getDeviceDescription(LiteDeviceType.LITE_CPU, 1)).toThrow(expect.objectContaining({ code: 'DEVICE_UNAVAILABLE' }));
  for (const type of [LiteDeviceType.LITE_CUDA, LiteDeviceType.LITE_OPENCL]) {
    const count = LiteGlobal.getDeviceCount(type);
    expect(() => LiteGlobal.getDeviceDescription(type, count)).toThrow(expect.objectContaining({ name: 'LiteError', code: 'DEVICE_UNAVAILABLE' }));
    if (count > 0) expect(LiteGlobal.getDeviceDescription(type, count - 1)).toMatch(/^\S.* \(.+\)$/);
  }
});

test('version is the package version', () => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(LiteGlobal.version).toBe(manifest.version);
});

test('log level round-trips and is validated', () => {
  const original = LiteGlobal.getLogLevel();
  LiteGlobal.setLogLevel(LiteLogLevel.LITE_DEBUG);
  expect(LiteGlobal.getLogLevel()).toBe(LiteLogLevel.LITE_DEBUG);
  LiteGlobal.setLogLevel(original);
  expect(() => LiteGlobal.setLogLevel(7 as LiteLogLevel)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
});

test('copy statistics count copies in and out, not sharing', () => {
  LiteGlobal.resetCopyStats();
  expect(LiteGlobal.getCopyStats()).toEqual({ hostToHost: 0, hostToDevice: 0, deviceToHost: 0, deviceToDevice: 0 });
  const t = new LiteTensor([8]);
  t.setDataByCopy(new Float32Array(8));
  expect(LiteGlobal.getCopyStats().hostToHost).toBe(32);
  t.toTypedArray();
  expect(LiteGlobal.getCopyStats().hostToHost).toBe(64);
  const alias = new LiteTensor();
  alias.shareMemoryWith(t);
  alias.setDataByShare(new Float32Array(8));
  t.getDataByShare();
  t.slice([0], [4]);
  expect(LiteGlobal.getCopyStats().hostToHost).toBe(64);
});

test('errors are LiteError instances with a stable code and a message that says what to do', () => {
  try {
    new LiteTensor([2, 3]).reshape([4, -1]);
    expect.unreachable();
  } catch (error) {
    expect(error).toBeInstanceOf(LiteError);
    expect(error).toBeInstanceOf(Error);
    expect((error as LiteError).code).toBe('SHAPE_MISMATCH');
    expect((error as LiteError).message).toMatch(/divisible/);
  }
});

test('releaseUnusedMemory hands the heap a dropped network freed back to the system', () => {
  // In a process of its own, so that RSS is this network's alone: PP-OCR rec (10 MB of weights) loaded and run,
  // dropped and collected, then the allocator's retained heap released.
  const rec = realModels().find((m) => m.name === 'ppocr-rec')!;
  const scratch = mkdtempSync(join(tmpdir(), 'edgelite-release-'));
  try {
    const script = join(scratch, 'release.mts');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
import { LiteGlobal, LiteIO, LiteLayout, LiteNetwork, LiteNetworkIO } from ${JSON.stringify(join(root, 'sdk/src/index.ts'))};
const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
let network: LiteNetwork | undefined = new LiteNetwork({
  io: new LiteNetworkIO({ inputs: [new LiteIO('x', { layout: new LiteLayout(${JSON.stringify(rec.shape)}) })] }),
});
network.load(${JSON.stringify(rec.path)});
await network.forwardAsync();
network.dispose();
network = undefined;
for (let i = 0; i < 3; i++) {
  globalThis.gc!();
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const collected = rss();
LiteGlobal.releaseUnusedMemory();
console.log(JSON.stringify({ collected, released: rss() }));
`,
    );
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { cwd: root, encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const { collected, released } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { collected: number; released: number };
    // About 20 MiB come back here (weights, packed weights, graph); 5 leaves room for the allocator's own choices.
    expect(collected - released).toBeGreaterThan(5);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
