// Zero-copy IO and the rest of the Lite network surface, on real models against onnxruntime-node. Includes ports of
// the Python examples of MegEngine Lite's docs (shared/seeds/002 test_network_basic and test_network_device_IO,
// and the zero-copy example of shared/seeds/000) on the CPU device.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, test } from 'vitest';

import {
  LiteConfig,
  LiteDeviceType,
  LiteGlobal,
  LiteIO,
  LiteIOType,
  LiteLayout,
  LiteNetwork,
  LiteNetworkIO,
  LiteTensor,
  type LiteCopyStats,
} from '../../sdk/src/index.js';
import { realModels, relativeL2, seededFloats } from '../fixtures/models.js';
import { buildModel } from '../fixtures/onnx-builder.js';

ort.env.logLevel = 'error';
const liteError = (code: string) => expect.objectContaining({ name: 'LiteError', code });
const blaze = realModels().find((m) => m.name === 'blazeface-front-128')!;
let inputName = '';
let session: ort.InferenceSession;

async function reference(input: Float32Array): Promise<Record<string, Float32Array>> {
  const results = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, blaze.shape) });
  return Object.fromEntries(session.outputNames.map((n) => [n, results[n]!.data as Float32Array]));
}

const totalCopies = (s: LiteCopyStats): number => s.hostToHost + s.hostToDevice + s.deviceToHost + s.deviceToDevice;

beforeAll(async () => {
  session = await ort.InferenceSession.create(blaze.path, { intraOpNumThreads: 1 });
  inputName = session.inputNames[0]!;
});

describe('seed examples (CPU)', () => {
  test('test_network_basic: copy input, forward three times, read the first output', async () => {
    const inputData = seededFloats(128 * 128 * 3, 11, -1, 1);
    const network = new LiteNetwork();
    network.load(blaze.path);
    const inputTensor = network.getIoTensor(inputName);
    inputTensor.setDataByCopy(inputData);
    for (let i = 0; i < 3; i++) {
      network.forward();
      network.wait();
    }
    const outputNames = network.getAllOutputName();
    const outputData = network.getIoTensor(outputNames[0]!).toTypedArray() as Float32Array;
    expect(relativeL2(outputData, (await reference(inputData))[outputNames[0]!]!)).toBeLessThanOrEqual(1e-4);
  });

  test('test_network_device_IO: an isHost:false input shares a device tensor (host memory on the CPU)', async () => {
    const inputData = seededFloats(128 * 128 * 3, 12, -1, 1);
    const ios = new LiteNetworkIO();
    ios.addInput(new LiteIO(inputName, { isHost: false }));
    const network = new LiteNetwork({ config: new LiteConfig({ deviceType: LiteDeviceType.LITE_CPU }), io: ios });
    network.load(blaze.path);
    const devInputTensor = network.getIoTensor(inputName);
    const devInputData = new LiteTensor(devInputTensor.layout, { deviceType: LiteDeviceType.LITE_CPU });
    devInputData.setDataByCopy(inputData);
    devInputTensor.shareMemoryWith(devInputData);
    LiteGlobal.resetCopyStats();
    for (let i = 0; i < 3; i++) {
      network.forward();
      network.wait();
    }
    expect(totalCopies(LiteGlobal.getCopyStats())).toBe(0);
    const name = network.getAllOutputName()[0]!;
    const output = network.getIoTensor(name).toTypedArray() as Float32Array;
    expect(relativeL2(output, (await reference(inputData))[name]!)).toBeLessThanOrEqual(1e-4);
  });

  test('zero copy: setDataByShare input and outputs, force outputs into user memory', async () => {
    const network = new LiteNetwork({ config: new LiteConfig({ options: { forceOutputUseUserSpecifiedMemory: true } }) });
    network.load(blaze.path);
    const input = new Float32Array(128 * 128 * 3);
    network.getIoTensor(inputName).setDataByShare(input);
    const outputs = network.getAllOutputName().map((name) => {
      const tensor = network.getIoTensor(name);
      const memory = new Float32Array(tensor.layout.elementCount);
      tensor.setDataByShare(memory);
      return { name, memory };
    });
    LiteGlobal.resetCopyStats();
    // The caller changes its input array in place between runs; every run sees the new data.
    for (const seed of [21, 22, 23]) {
      input.set(seededFloats(input.length, seed, -1, 1));
      await network.forwardAsync();
      const want = await reference(input);
      for (const { name, memory } of outputs) {
        expect(relativeL2(memory, want[name]!), name).toBeLessThanOrEqual(1e-4);
        expect(network.getIoTensor(name).getDataByShare().buffer).toBe(memory.buffer);
      }
    }
    expect(LiteGlobal.getCopyStats()).toEqual({ hostToHost: 0, hostToDevice: 0, deviceToHost: 0, deviceToDevice: 0 });
    // Only network inputs and outputs may be fetched in this mode.
    expect(() => network.getIoTensor('StatefulPartitionedCall/functional_1/conv2d/BiasAdd')).toThrow(liteError('INVALID_ARGUMENT'));
    // New user memory for an output is used from the next run on.
    const first = outputs[0]!;
    const replacement = new Float32Array(first.memory.length);
    network.getIoTensor(first.name).setDataByShare(replacement);
    await network.forwardAsync();
    expect(relativeL2(replacement, first.memory)).toBe(0);
    // Memory too small for an output is refused, not silently replaced.
    expect(() => network.getIoTensor(first.name).setDataByShare(new Float32Array(3), new LiteLayout([1, 3]))).not.toThrow();
    await expect(network.forwardAsync()).rejects.toThrow(liteError('SHAPE_MISMATCH'));
  });
});

describe('IO configuration', () => {
  test('outputs whose shape is known only at run time are refused in forced-output mode', () => {
    const model = buildModel({
      inputs: [{ name: 'x', type: 'float', dims: [4] }],
      outputs: [{ name: 'y', type: 'int64', dims: [1, 'n'] }],
      nodes: [{ op: 'NonZero', inputs: ['x'], outputs: ['y'] }],
    });
    const forced = new LiteNetwork({ config: new LiteConfig({ options: { forceOutputUseUserSpecifiedMemory: true } }) });
    expect(() => forced.load(model)).toThrow(liteError('NOT_SUPPORTED'));
    const normal = new LiteNetwork();
    normal.load(model);
    normal.getInputTensor(0).setDataByCopy([0, 3, 0, 5]);
    normal.forward();
    expect(Array.from(normal.getOutputTensor(0).toTypedArray() as BigInt64Array)).toEqual([1n, 3n]);
  });

  test('listed outputs restrict what is computed; LITE_IO_SHAPE outputs give a shape without compute', async () => {
    const [first, second] = [session.outputNames[0]!, session.outputNames[1]!];
    const network = new LiteNetwork({
      io: new LiteNetworkIO()
        .addOutput(first)
        .addOutput(second, { ioType: LiteIOType.LITE_IO_SHAPE }),
    });
    network.load(blaze.path);
    expect(network.getAllOutputName()).toEqual([first, second]);
    const full = new LiteNetwork();
    full.load(blaze.path);
    const nodes = (n: LiteNetwork) => Number(/nodes after passes: (\d+)/.exec(n.getGraphSummary())![1]);
    expect(nodes(network)).toBeLessThan(nodes(full));
    expect(network.getIoTensor(second).layout.shapes).toEqual(full.getIoTensor(second).layout.shapes);
    const input = seededFloats(128 * 128 * 3, 8, -1, 1);
    network.getInputTensor(0).setDataByCopy(input);
    network.forward();
    const want = (await reference(input))[first]!;
    expect(relativeL2(network.getIoTensor(first).toTypedArray() as Float32Array, want)).toBeLessThanOrEqual(1e-4);
  });

  test('an intermediate tensor can be fetched by name (it becomes an output)', () => {
    const network = new LiteNetwork();
    network.load(buildModel({
      inputs: [{ name: 'x', type: 'float', dims: [3] }],
      outputs: [{ name: 'y', type: 'float', dims: [3] }],
      nodes: [
        { op: 'Add', inputs: ['x', 'x'], outputs: ['doubled'] },
        { op: 'Relu', inputs: ['doubled'], outputs: ['y'] },
      ],
    }));
    const doubled = network.getIoTensor('doubled');
    network.getInputTensor(0).setDataByCopy([1, -2, 3]);
    network.forward();
    expect(Array.from(doubled.toTypedArray())).toEqual([2, -4, 6]);
    expect(Array.from(network.getOutputTensor(0).toTypedArray())).toEqual([2, 0, 6]);
  });

  test('getModelIoInfo reads layouts without loading', () => {
    const io = LiteNetwork.getModelIoInfo(blaze.path);
    expect(io.inputs.map((i) => [i.name, i.layout?.shapes])).toEqual([[inputName, blaze.shape]]);
    expect(io.outputs.map((o) => o.name)).toEqual(session.outputNames);
    const cls = realModels().find((m) => m.name === 'ppocr-cls')!;
    expect(LiteNetwork.getModelIoInfo(cls.path).inputs[0]!.layout!.shapes).toEqual([0, 3, 0, 0]);
  });
});

describe('network surface', () => {
  const model = buildModel({
    inputs: [{ name: 'x', type: 'float', dims: [1, 4] }],
    outputs: [{ name: 'y', type: 'float', dims: [1, 4] }],
    initializers: [{ name: 'w', type: 'float', dims: [4, 4], values: Array.from(seededFloats(16, 3, -1, 1)) }],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'] },
      { op: 'Relu', inputs: ['m'], outputs: ['y'] },
    ],
  });

  test('start and finish callbacks receive the IO tensors, for sync and async runs', async () => {
    const network = new LiteNetwork();
    network.load(model);
    const seen: string[] = [];
    network.setStartCallback((inputs) => seen.push(`start:${Object.keys(inputs).join(',')}:${inputs['x']!.toTypedArray()[0]}`));
    network.setFinishCallback((outputs) => seen.push(`finish:${Object.keys(outputs).join(',')}`));
    network.getInputTensor(0).setDataByCopy([1, 2, 3, 4]);
    network.forward();
    await network.forwardAsync();
    expect(seen).toEqual(['start:x:1', 'finish:y', 'start:x:1', 'finish:y']);
  });

  test('asyncWithCallback makes forward asynchronous', async () => {
    const network = new LiteNetwork();
    network.load(model);
    network.getInputTensor(0).setDataByCopy([1, 1, 1, 1]);
    const done = new Promise<unknown>((resolve) => network.asyncWithCallback(resolve));
    network.forward();
    expect(() => network.wait()).toThrow(liteError('INVALID_STATE'));
    expect(await done).toBeUndefined();
    expect(network.getOutputTensor(0).toTypedArray().length).toBe(4);
  });

  test('shareWeightsWith: one copy of the weights, same results', () => {
    const src = new LiteNetwork();
    src.load(blaze.path);
    const dst = new LiteNetwork();
    dst.shareWeightsWith(src);
    const srcInfo = src.getStaticMemoryAllocInfo();
    const dstInfo = dst.getStaticMemoryAllocInfo();
    expect(dstInfo.sharedWeightBytes).toBe(dstInfo.weightBytes);
    expect(dstInfo.weightBytes).toBeLessThanOrEqual(srcInfo.weightBytes); // identical constants are shared too
    expect(dstInfo.weightBytes).toBeGreaterThan(srcInfo.weightBytes * 0.8);
    const input = seededFloats(128 * 128 * 3, 5, -1, 1);
    for (const n of [src, dst]) {
      n.getInputTensor(0).setDataByCopy(input);
      n.forward();
    }
    expect(Array.from(dst.getOutputTensor(0).toTypedArray())).toEqual(Array.from(src.getOutputTensor(0).toTypedArray()));
    expect(() => dst.shareWeightsWith(src)).toThrow(liteError('INVALID_STATE'));
  });

  test('shareRuntimeMemory: one arena, both networks still right', async () => {
    const a = new LiteNetwork();
    a.load(blaze.path);
    const b = new LiteNetwork();
    b.load(model);
    b.shareRuntimeMemory(a);
    expect(a.getStaticMemoryAllocInfo().arenaShared).toBe(true);
    const input = seededFloats(128 * 128 * 3, 6, -1, 1);
    a.getInputTensor(0).setDataByCopy(input);
    b.getInputTensor(0).setDataByCopy([1, 2, 3, 4]);
    await Promise.all([a.forwardAsync(), b.forwardAsync()]);
    const want = await reference(input);
    const name = session.outputNames[0]!;
    expect(relativeL2(a.getIoTensor(name).toTypedArray() as Float32Array, want[name]!)).toBeLessThanOrEqual(1e-4);
    expect(Array.from(b.getOutputTensor(0).toTypedArray()).every((v) => v >= 0)).toBe(true);
  });

  test('cpu inplace mode, device and stream ids are set before load', () => {
    const network = new LiteNetwork();
    network.enableCpuInplaceMode();
    network.deviceId = 0;
    network.streamId = 3;
    expect(network.isCpuInplaceMode()).toBe(true);
    expect(network.streamId).toBe(3);
    network.load(model);
    expect(() => network.enableCpuInplaceMode()).toThrow(liteError('INVALID_STATE'));
    expect(() => {
      network.streamId = 1;
    }).toThrow(liteError('INVALID_STATE'));
    expect(() => {
      network.deviceId = -1;
    }).toThrow(liteError('INVALID_ARGUMENT'));
  });

  test('enableProfilePerformance writes a Chrome trace with one event per node and run', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'edgelite-profile-')), 'profile.json');
    const network = new LiteNetwork();
    network.load(blaze.path);
    network.enableProfilePerformance(path);
    network.forward();
    network.forward();
    const trace = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: { ph: string; name: string; cat: string; dur: number }[] };
    const nodes = Number(/nodes after passes: (\d+)/.exec(network.getGraphSummary())![1]);
    expect(trace.traceEvents.length).toBe(2 * nodes);
    expect(trace.traceEvents.every((e) => e.ph === 'X' && e.dur >= 0)).toBe(true);
    expect(trace.traceEvents.some((e) => e.cat.startsWith('Conv'))).toBe(true);
    expect(() => network.enableProfilePerformance('/nonexistent/dir/p.json')).toThrow(liteError('IO_ERROR'));
  });
});
