// Device IO on OpenCL (PoCL here), as in the seed's device-IO example (shared/seeds/000, 002 test_network_device_IO):
// OpenCL tensors are host-visible on unified-memory devices and exposed to JS as ArrayBuffers, copies between them and
// CPU tensors are counted by direction, and networks use device tensors bound to `isHost: false` IO in place, with
// the copy statistics asserted to stay at zero across forwards.
import { existsSync } from 'node:fs';

import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';

import {
  LiteConfig,
  LiteDeviceType,
  LiteGlobal,
  LiteIO,
  LiteLayout,
  LiteNetwork,
  LiteNetworkIO,
  LiteTensor,
  type LiteCopyStats,
} from '../../sdk/src/index.js';
import { realModels, relativeL2, seededFloats } from '../fixtures/models.js';
import { buildModel } from '../fixtures/onnx-builder.js';

ort.env.logLevel = 'error';
const hasOpenCl = LiteGlobal.getDeviceCount(LiteDeviceType.LITE_OPENCL) > 0;
const liteError = (code: string) => expect.objectContaining({ name: 'LiteError', code });
const totalCopies = (s: LiteCopyStats): number => s.hostToHost + s.hostToDevice + s.deviceToHost + s.deviceToDevice;
const OPENCL = LiteDeviceType.LITE_OPENCL;
const SHAPE = [1, 3, 16, 16];

// x -> Conv(3x3, pad 1) -> Relu = y -> Sigmoid = s: every node runs on OpenCL, so the device kernels read the input
// and write both outputs (the device-IO tensors themselves, not wrapped copies of them).
const model = buildModel({
  inputs: [{ name: 'x', type: 'float', dims: SHAPE }],
  outputs: [
    { name: 'y', type: 'float', dims: [1, 4, 16, 16] },
    { name: 's', type: 'float', dims: [1, 4, 16, 16] },
  ],
  initializers: [
    { name: 'w', type: 'float', dims: [4, 3, 3, 3], values: Array.from(seededFloats(108, 1, -0.5, 0.5)) },
    { name: 'b', type: 'float', dims: [4], values: [0.1, -0.2, 0.3, 0] },
  ],
  nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1], kernel_shape: [3, 3] } },
    { op: 'Relu', inputs: ['c'], outputs: ['y'] },
    { op: 'Sigmoid', inputs: ['y'], outputs: ['s'] },
  ],
});

function deviceIo(outputs: boolean): LiteNetworkIO {
  const io = new LiteNetworkIO();
  io.addInput(new LiteIO('x', { isHost: false }));
  if (outputs) {
    io.addOutput(new LiteIO('y', { isHost: false }));
    io.addOutput(new LiteIO('s', { isHost: false }));
  }
  return io;
}

async function onCpu(input: Float32Array): Promise<Record<string, Float32Array>> {
  const network = new LiteNetwork();
  network.load(model);
  network.getIoTensor('x').setDataByCopy(input);
  await network.forwardAsync();
  return { y: network.getIoTensor('y').toTypedArray() as Float32Array, s: network.getIoTensor('s').toTypedArray() as Float32Array };
}

describe('OpenCL tensors without a device', () => {
  test('a device that does not exist is DEVICE_UNAVAILABLE', () => {
    expect(() => new LiteTensor([4], { deviceType: OPENCL, deviceId: 99 })).toThrow(liteError('DEVICE_UNAVAILABLE'));
  });
});

describe.skipIf(!hasOpenCl)('OpenCL tensors', () => {
  test('are host-visible: their memory is an ArrayBuffer, written in place; copyFrom is counted by direction', () => {
    const device = new LiteTensor(new LiteLayout([2, 3, 5], 'float32'), { deviceType: OPENCL });
    expect(device.deviceType).toBe(OPENCL);
    const view = device.getDataByShare() as Float32Array;
    expect(view).toBeInstanceOf(Float32Array);
    expect(view.length).toBe(30);
    view.set(seededFloats(30, 3, -1, 1));

    LiteGlobal.resetCopyStats();
    const host = new LiteTensor([2, 3, 5]);
    host.copyFrom(device);
    expect(LiteGlobal.getCopyStats()).toEqual({ hostToHost: 0, hostToDevice: 0, deviceToHost: 120, deviceToDevice: 0 });
    expect(host.getDataByShare()).toEqual(view);

    const second = new LiteTensor([2, 3, 5], { deviceType: OPENCL });
    second.copyFrom(host);
    const third = new LiteTensor([2, 3, 5], { deviceType: OPENCL });
    third.copyFrom(second);
    expect(LiteGlobal.getCopyStats()).toEqual({ hostToHost: 0, hostToDevice: 120, deviceToHost: 120, deviceToDevice: 120 });
    expect(third.getDataByShare()).toEqual(view);
    // toTypedArray is a copy out of device memory, counted; the view is not.
    third.toTypedArray();
    expect(LiteGlobal.getCopyStats().deviceToHost).toBe(240);
  });

  test('the ArrayBuffer keeps the device memory alive after the tensor is gone', () => {
    let tensor: LiteTensor | undefined = new LiteTensor([1024], { deviceType: OPENCL });
    const view = tensor.getDataByShare() as Float32Array;
    tensor.dispose();
    tensor = undefined;
    (globalThis as { gc?: () => void }).gc?.();
    view.fill(7);
    expect(view[1023]).toBe(7);
  });

  test('setDataByShare is for CPU tensors; a CPU tensor cannot alias OpenCL memory', () => {
    const device = new LiteTensor([4], { deviceType: OPENCL });
    expect(() => device.setDataByShare(new Float32Array(4))).toThrow(liteError('NOT_SUPPORTED'));
    expect(() => new LiteTensor([4]).shareMemoryWith(device)).toThrow(liteError('INVALID_ARGUMENT'));
  });
});

describe.skipIf(!hasOpenCl)('device IO on an OpenCL network', () => {
  test('a frame written into a shared OpenCL tensor is the input; outputs stay on the device; no copies', async () => {
    const network = new LiteNetwork({ config: new LiteConfig({ deviceType: OPENCL }), io: deviceIo(true) });
    network.load(model);
    expect(network.getGraphSummary()).toMatch(/on opencl: \d+ nodes, on cpu: 0 nodes/);
    const input = network.getIoTensor('x');
    expect(input.deviceType).toBe(OPENCL);
    expect(network.getIoTensor('y').deviceType).toBe(OPENCL);

    // The source's frame buffer: an OpenCL tensor whose memory JS writes directly.
    const frame = new LiteTensor(input.layout, { deviceType: OPENCL });
    const pixels = frame.getDataByShare() as Float32Array;
    input.shareMemoryWith(frame);
    expect(input.sharesMemoryWith(frame)).toBe(true);

    LiteGlobal.resetCopyStats();
    for (const seed of [31, 32, 33]) {
      pixels.set(seededFloats(pixels.length, seed, -1, 1));
      await network.forwardAsync();
      const want = await onCpu(pixels.slice());
      for (const name of ['y', 's']) {
        const got = network.getIoTensor(name).getDataByShare() as Float32Array;
        expect(relativeL2(got, want[name]!), name).toBeLessThanOrEqual(1e-5);
      }
    }
    // onCpu's own copies are host-to-host (setDataByCopy, toTypedArray); the device network added nothing.
    const stats = LiteGlobal.getCopyStats();
    expect(stats.hostToDevice + stats.deviceToHost + stats.deviceToDevice).toBe(0);
  });

  test('the seed example: forced outputs into OpenCL tensors and into JS memory, three forwards, zero copies', async () => {
    const config = new LiteConfig({ deviceType: OPENCL, options: { forceOutputUseUserSpecifiedMemory: true } });
    const io = deviceIo(false);
    io.addOutput(new LiteIO('y', { isHost: false }));
    io.addOutput(new LiteIO('s'));
    const network = new LiteNetwork({ config, io });
    network.load(model);
    const devInput = new LiteTensor(network.getIoTensor('x').layout, { deviceType: OPENCL });
    const inputData = seededFloats(3 * 16 * 16, 41, -1, 1);
    devInput.copyFrom(LiteTensorFrom(inputData));
    network.getIoTensor('x').shareMemoryWith(devInput);
    const y = new LiteTensor(network.getIoTensor('y').layout, { deviceType: OPENCL });
    network.getIoTensor('y').shareMemoryWith(y);
    const s = new Float32Array(4 * 16 * 16);  // a host output given as JS memory
    network.getIoTensor('s').setDataByShare(s);

    LiteGlobal.resetCopyStats();
    for (let i = 0; i < 3; i++) {
      network.forward();
      network.wait();
    }
    expect(totalCopies(LiteGlobal.getCopyStats())).toBe(0);
    const want = await onCpu(inputData);
    expect(relativeL2(y.getDataByShare() as Float32Array, want.y!)).toBeLessThanOrEqual(1e-5);
    expect(relativeL2(s, want.s!)).toBeLessThanOrEqual(1e-5);
    expect(network.getIoTensor('y').sharesMemoryWith(y)).toBe(true);
  });

  test('binding memory of the wrong device is refused: copy it with copyFrom (counted)', () => {
    const network = new LiteNetwork({ config: new LiteConfig({ deviceType: OPENCL }), io: deviceIo(false) });
    network.load(model);
    // A device-IO input takes device tensors only; a host IO (here: any IO of a CPU network) host tensors only.
    expect(() => network.getIoTensor('x').shareMemoryWith(new LiteTensor(SHAPE))).toThrow(liteError('INVALID_ARGUMENT'));
    expect(() => network.getIoTensor('x').setDataByShare(new Float32Array(768))).toThrow(liteError('NOT_SUPPORTED'));
    const cpu = new LiteNetwork();
    cpu.load(model);
    const device = new LiteTensor(SHAPE, { deviceType: OPENCL });
    expect(() => cpu.getIoTensor('x').shareMemoryWith(device)).toThrow(liteError('INVALID_ARGUMENT'));
    LiteGlobal.resetCopyStats();
    cpu.getIoTensor('x').copyFrom(device);
    expect(LiteGlobal.getCopyStats().deviceToHost).toBe(768 * 4);
  });

  const blaze = realModels().find((m) => m.name === 'blazeface-front-128');
  test.skipIf(!blaze || !existsSync(blaze.path))('test_network_device_IO on OpenCL (blazeface): three forwards, zero copies', async () => {
    const session = await ort.InferenceSession.create(blaze!.path, { intraOpNumThreads: 1 });
    const inputName = session.inputNames[0]!;
    const inputData = blaze!.input();
    const expected = await session.run({ [inputName]: new ort.Tensor('float32', inputData, blaze!.shape) });
    const ios = new LiteNetworkIO();
    ios.addInput(new LiteIO(inputName, { isHost: false }));
    const network = new LiteNetwork({ config: new LiteConfig({ deviceType: OPENCL }), io: ios });
    network.load(blaze!.path);
    const devInputTensor = network.getIoTensor(inputName);
    const devInputData = new LiteTensor(devInputTensor.layout, { deviceType: OPENCL });
    (devInputData.getDataByShare() as Float32Array).set(inputData);
    devInputTensor.shareMemoryWith(devInputData);
    LiteGlobal.resetCopyStats();
    for (let i = 0; i < 3; i++) {
      network.forward();
      network.wait();
    }
    expect(totalCopies(LiteGlobal.getCopyStats())).toBe(0);
    for (const name of session.outputNames) {
      const got = network.getIoTensor(name).getDataByShare() as Float32Array;
      expect(relativeL2(got, expected[name]!.data as Float32Array), name).toBeLessThanOrEqual(1e-4);
    }
  });
});

function LiteTensorFrom(data: Float32Array): LiteTensor {
  const tensor = new LiteTensor(SHAPE);
  tensor.setDataByCopy(data);
  return tensor;
}
