// The five real models run on OpenCL (PoCL on the test machine) against onnxruntime-node (the oracle) and the same
// network on the CPU: relative L2 error at most 1e-4 on every output, most nodes on the device, no copies in a
// forward on a unified-memory device. Without an OpenCL device, loading an OpenCL network is DEVICE_UNAVAILABLE.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, test } from 'vitest';

import { LiteConfig, LiteDeviceType, LiteGlobal, LiteLayout, LiteNetwork } from '../../sdk/src/index.js';
import { realModels, relativeL2 } from '../fixtures/models.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const hasOpenCl = LiteGlobal.getDeviceCount(LiteDeviceType.LITE_OPENCL) > 0;
const scratch = mkdtempSync(join(tmpdir(), 'edgelite-opencl-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function placement(network: LiteNetwork): { device: number; cpu: number; line: string } {
  const line = /on opencl: (\d+) nodes, on cpu: (\d+) nodes.*/.exec(network.getGraphSummary());
  if (!line) throw new Error(`no placement line in the summary:\n${network.getGraphSummary()}`);
  return { device: Number(line[1]), cpu: Number(line[2]), line: line[0] };
}

describe.skipIf(!hasOpenCl).each(realModels())('$name on OpenCL', ({ name, path, shape, input: makeInput }) => {
  test('matches onnxruntime-node and the CPU, mostly on the device, with no copies per forward', async () => {
    const input = makeInput();
    const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const expected = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, shape) });

    const run = async (deviceType: LiteDeviceType): Promise<LiteNetwork> => {
      const network = new LiteNetwork({ config: new LiteConfig({ deviceType }) });
      network.load(path);
      network.getInputTensor(0).setDataByCopy(input, new LiteLayout(shape, 'float32'));
      await network.forwardAsync();
      return network;
    };
    let worst = 0;
    const cpu = await run(LiteDeviceType.LITE_CPU);
    const device = await run(LiteDeviceType.LITE_OPENCL);
    for (const outputName of session.outputNames) {
      const want = expected[outputName]!;
      const got = device.getIoTensor(outputName);
      expect(got.layout.shapes, `shape of ${outputName}`).toEqual(want.dims.map(Number));
      const values = got.toTypedArray() as Float32Array;
      const error = relativeL2(values, want.data as Float32Array);
      worst = Math.max(worst, error);
      expect(error, `${outputName} vs onnxruntime`).toBeLessThanOrEqual(1e-4);
      expect(relativeL2(values, cpu.getIoTensor(outputName).toTypedArray() as Float32Array), `${outputName} vs the CPU`).toBeLessThanOrEqual(1e-4);
    }
    const { device: onDevice, cpu: onCpu, line } = placement(device);
    console.log(`${name}: ${line}; worst relative L2 vs onnxruntime ${worst.toExponential(2)}`);
    expect(onDevice, line).toBeGreaterThan(3 * onCpu);

    // PoCL shares the host's memory: the arena and the IO tensors are used in place, nothing is copied.
    const before = LiteGlobal.getCopyStats();
    await device.forwardAsync();
    const after = LiteGlobal.getCopyStats();
    expect(after.hostToDevice - before.hostToDevice).toBe(0);
    expect(after.deviceToHost - before.deviceToHost).toBe(0);
    expect(after.deviceToDevice - before.deviceToDevice).toBe(0);

    // The profile says where each node ran.
    const profile = join(scratch, `${name}.json`);
    device.enableProfilePerformance(profile);
    await device.forwardAsync();
    const events = (JSON.parse(readFileSync(profile, 'utf8')) as { traceEvents: { cat: string }[] }).traceEvents;
    expect(events.filter((e) => e.cat.endsWith('@opencl')).length).toBe(onDevice);
    expect(events.filter((e) => e.cat.endsWith('@cpu')).length).toBe(onCpu);
    await session.release();
  });
});

test('without an OpenCL device, an OpenCL network is DEVICE_UNAVAILABLE and there are no OpenCL devices', () => {
  const model = realModels().find((m) => m.name === 'ppocr-cls')!;
  const script = join(scratch, 'no-device.mts');
  writeFileSync(
    script,
    `import { LiteConfig, LiteDeviceType, LiteGlobal, LiteNetwork } from ${JSON.stringify(join(root, 'sdk/src/index.ts'))};
const count = LiteGlobal.getDeviceCount(LiteDeviceType.LITE_OPENCL);
let code = 'LOADED', message = '';
try {
  new LiteNetwork({ config: new LiteConfig({ deviceType: LiteDeviceType.LITE_OPENCL }) }).load(${JSON.stringify(model.path)});
} catch (e) {
  code = e.code;
  message = e.message;
}
console.log(JSON.stringify({ count, code, message }));
`,
  );
  // An empty vendors folder: the ICD loader finds no driver.
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, OCL_ICD_VENDORS: join(scratch, 'no-vendors') },
  });
  expect(child.status, child.stderr).toBe(0);
  const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { count: number; code: string; message: string };
  expect(result.count).toBe(0);
  expect(result.code).toBe('DEVICE_UNAVAILABLE');
  expect(result.message).toMatch(/pocl-opencl-icd/);
});
