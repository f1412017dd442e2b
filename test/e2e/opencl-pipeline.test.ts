// The pipeline on OpenCL (PoCL here) with device IO: raw frames written by the test source into a pool of OpenCL
// tensors and bound as the input in place, preprocessed frames written straight into the device input; results
// published to a real mosquitto equal what the CPU pipeline computes for the same frames (bound or preprocessed the
// same way on a CPU network), and no copy reaches the input.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { openSource } from '../../device/sources/index.js';
import {
  canBindFrameDirectly,
  deviceFrameAllocator,
  type FrameSource,
  type ImageFormat,
  LiteConfig,
  LiteDeviceType,
  LiteGlobal,
  LiteIO,
  LiteNetwork,
  LiteNetworkIO,
  preprocessFrame,
  type PreprocessOptions,
} from '../../sdk/src/index.js';
import { decodeResult } from '../../sdk/src/mqtt/codec.js';
import { MqttPublisher } from '../../sdk/src/mqtt/publisher.js';
import { Pipeline, type InferenceResult } from '../../sdk/src/pipeline/pipeline.js';
import { Mosquitto, mosquittoAvailable } from '../fixtures/mosquitto.js';
import { buildModel, rawChannelMeanModel } from '../fixtures/onnx-builder.js';

const OPENCL = LiteDeviceType.LITE_OPENCL;
const hasOpenCl = LiteGlobal.getDeviceCount(OPENCL) > 0;
const noBroker = !mosquittoAvailable && process.env.CI !== 'true';
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'dist', 'sdk', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'edgelite-opencl-pipeline-'));
const FRAMES = 8;

// Raw frames: rgb24 pixels bound as a uint8 NHWC input, per-channel means of the pixels, [1,32,32,3] -> [1,3].
const rawModel = join(dir, 'raw-channel-mean.onnx');
writeFileSync(rawModel, buildModel(rawChannelMeanModel));
// Preprocessed frames: float NCHW in [0, 1] through a 3x3 convolution to 2 channels, [1,3,32,32] -> [1,2,32,32].
const convModel = join(dir, 'conv.onnx');
writeFileSync(convModel, buildModel({
  inputs: [{ name: 'image', type: 'float', dims: [1, 3, 32, 32] }],
  outputs: [{ name: 'y', type: 'float', dims: [1, 2, 32, 32] }],
  initializers: [
    { name: 'w', type: 'float', dims: [2, 3, 3, 3], values: Array.from({ length: 54 }, (_, i) => ((i * 7) % 11) / 11 - 0.5) },
    { name: 'b', type: 'float', dims: [2], values: [0.25, -0.25] },
  ],
  nodes: [
    { op: 'Conv', inputs: ['image', 'w', 'b'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1], kernel_shape: [3, 3] } },
    { op: 'Relu', inputs: ['c'], outputs: ['y'] },
  ],
}));

function network(model: string, device: 'cpu' | 'opencl', input: string): LiteNetwork {
  const config = new LiteConfig({
    deviceType: device === 'opencl' ? OPENCL : LiteDeviceType.LITE_CPU,
    options: { forceOutputUseUserSpecifiedMemory: true },
  });
  const io = device === 'opencl' ? new LiteNetworkIO({ inputs: [new LiteIO(input, { isHost: false })] }) : undefined;
  const net = new LiteNetwork({ config, ...(io ? { io } : {}) });
  net.load(model);
  return net;
}

/** The source's frames, copied by sequence number as the pipeline takes them (the CPU reference reruns them). */
function recording(source: FrameSource, frames: Map<number, Uint8Array>): FrameSource {
  return {
    get format() {
      return source.format;
    },
    get dropped() {
      return source.dropped;
    },
    close: () => source.close(),
    async *[Symbol.asyncIterator]() {
      for await (const frame of source) {
        frames.set(frame.seq, frame.data.slice());
        yield frame;
      }
    },
  };
}

/** Runs FRAMES unpaced test-pattern frames through a pipeline; results recorded at the sink by sequence number. */
async function runPipeline(net: LiteNetwork, publisher: MqttPublisher, preprocess: Partial<PreprocessOptions>) {
  const allocate = deviceFrameAllocator(net);
  const frames = new Map<number, Uint8Array>();
  const source = recording(await openSource('testsrc:32x32?fps=0&pool=3', allocate ? { allocate } : {}), frames);
  const results = new Map<number, Float32Array[]>();
  const pipeline = new Pipeline({
    network: net,
    source,
    frames: FRAMES,
    preprocess,
    sink: (result: InferenceResult) => {
      results.set(result.seq, result.tensors.map((t) => Float32Array.from(t.data as Float32Array)));
      return publisher.publish(result);
    },
  });
  const before = LiteGlobal.getCopyStats();
  const stats = await pipeline.run();
  const after = LiteGlobal.getCopyStats();
  const delta = {
    hostToHost: after.hostToHost - before.hostToHost,
    hostToDevice: after.hostToDevice - before.hostToDevice,
    deviceToHost: after.deviceToHost - before.deviceToHost,
    deviceToDevice: after.deviceToDevice - before.deviceToDevice,
  };
  return { stats, results, frames, delta, format: source.format as ImageFormat };
}

/** What the CPU pipeline computes for one frame: the same binding (raw) or preprocessing, on a CPU network. */
async function onCpu(net: LiteNetwork, frame: Uint8Array, format: ImageFormat, raw: boolean, preprocess: Partial<PreprocessOptions>) {
  const input = net.getInputTensor(0);
  if (raw) {
    expect(canBindFrameDirectly(format, input, preprocess)).toBe(true);
    input.setDataByShare(frame, input.layout);
  } else {
    preprocessFrame(frame, format, input, preprocess);
  }
  await net.forwardAsync();
  return net.getAllOutputName().map((name) => net.getIoTensor(name).toTypedArray() as Float32Array);
}

function expectClose(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  expect(worst).toBeLessThanOrEqual(1e-5);
}

describe.skipIf(!hasOpenCl)('pipeline on OpenCL without a broker', () => {
  test('a CPU network keeps JS memory: no device allocator', () => {
    expect(deviceFrameAllocator(network(rawModel, 'cpu', 'pixels'))).toBeUndefined();
  });

  test('the source pool of a raw-frame OpenCL input is OpenCL memory; other sizes stay JS memory', () => {
    const allocate = deviceFrameAllocator(network(rawModel, 'opencl', 'pixels'))!;
    expect(allocate).toBeTypeOf('function');
    expect(allocate(32 * 32 * 3).byteLength).toBe(32 * 32 * 3);
    expect(allocate(100).byteLength).toBe(100);
  });
});

describe.skipIf(!hasOpenCl || noBroker)('pipeline on OpenCL with a real mosquitto', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await Mosquitto.start();
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  for (const [kind, model, input, preprocess] of [
    ['raw frames bound in place', rawModel, 'pixels', { mean: [0], scale: [1] }],
    ['frames preprocessed into the device input', convModel, 'image', {}],
  ] as const) {
    test(`${kind}: published results equal the CPU pipeline's, no copy reaches the input`, async () => {
      const topic = `ocl-${input}`;
      const received = new Map<number, ReturnType<typeof decodeResult>>();
      const client = mqtt.connect(broker.url);
      client.on('message', (_t, payload) => {
        const result = decodeResult(payload, { copy: true });
        received.set(result.seq, result);
      });
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => client.subscribe(`${topic}/#`, { qos: 1 }, (e) => (e ? reject(e) : resolve())));
      });
      const publisher = new MqttPublisher({ url: broker.url, topic, qos: 1 });

      const device = await runPipeline(network(model, 'opencl', input), publisher, preprocess);
      await publisher.close();
      const cpu = new LiteNetwork();
      cpu.load(model);

      expect(device.stats.frames).toBe(FRAMES);
      expect(device.stats.zeroCopyFrames).toBe(FRAMES);
      // Nothing copied into or between device buffers over the whole run: the kernels read each frame in place.
      expect(device.delta.hostToDevice).toBe(0);
      expect(device.delta.deviceToDevice).toBe(0);
      expect(device.delta.hostToHost).toBe(0);
      expect(device.results.size).toBe(FRAMES);
      for (const [seq, tensors] of device.results) {
        const want = await onCpu(cpu, device.frames.get(seq)!, device.format, input === 'pixels', preprocess);
        tensors.forEach((t, i) => expectClose(t, want[i]!));
      }

      const deadline = Date.now() + 15000;
      while (received.size < FRAMES && Date.now() < deadline) await sleep(20);
      expect(received.size).toBe(FRAMES);
      for (const [seq, message] of received) {
        message.tensors.forEach((t, i) => expect(Array.from(t.data as Float32Array)).toEqual(Array.from(device.results.get(seq)![i]!)));
      }
      await client.endAsync();
    });
  }
});

test.skipIf(!hasOpenCl)('edgelite run --device opencl --frames 10 binds every frame with zero copy', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'run', '--device', 'opencl', '--frames', '10'], {
    encoding: 'utf8',
    timeout: 60000,
  });
  expect(stdout).toMatch(/done: 10 frames .* 10 frames bound with zero copy/);
}, 90000);

test.runIf(!hasOpenCl)('OpenCL pipeline tests are skipped: no OpenCL device (install pocl-opencl-icd)', () => {
  expect(LiteGlobal.getDeviceCount(OPENCL)).toBe(0);
});
