// Where the pipeline's raw frames live (deviceFrameAllocator) and pinned host tensors, on what runs here: CPU networks,
// OpenCL host inputs (PoCL) and pinned tensors without a CUDA device (ordinary host memory, the flag kept). A CUDA
// network cannot load without a GPU, so its pinned pool is checked through a stand-in for the network's device and
// bound on a CPU network; test/native/cuda_network_emulated_test.cpp runs a CUDA network on a pinned host input.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import { openSource } from '../../device/sources/index.js';
import {
  deviceFrameAllocator,
  LiteConfig,
  LiteDeviceType,
  LiteGlobal,
  LiteNetwork,
  LiteTensor,
  Pipeline,
} from '../../sdk/src/index.js';
import { buildModel, rawChannelMeanModel } from '../fixtures/onnx-builder.js';

const liteError = (code: string) => expect.objectContaining({ name: 'LiteError', code });
const hasOpenCl = LiteGlobal.getDeviceCount(LiteDeviceType.LITE_OPENCL) > 0;
const hasCuda = LiteGlobal.getDeviceCount(LiteDeviceType.LITE_CUDA) > 0;
const FRAME_BYTES = 32 * 32 * 3;

// Raw rgb24 frames bound as a uint8 NHWC input: per-channel means, [1,32,32,3] -> [1,3].
const rawModel = join(mkdtempSync(join(tmpdir(), 'edgelite-device-frames-')), 'raw-channel-mean.onnx');
writeFileSync(rawModel, buildModel(rawChannelMeanModel));

/** The raw-frame model loaded on a device; the pipeline's networks write outputs into its ring (user memory). */
function load(deviceType = LiteDeviceType.LITE_CPU, forPipeline = true): LiteNetwork {
  const options = forPipeline ? { forceOutputUseUserSpecifiedMemory: true } : {};
  const network = new LiteNetwork({ config: new LiteConfig({ deviceType, options }) });
  network.load(rawModel);
  return network;
}

describe('deviceFrameAllocator', () => {
  test('a CPU network keeps JS memory: no allocator', () => {
    expect(deviceFrameAllocator(load())).toBeUndefined();
  });

  test.skipIf(!hasOpenCl)('a host input of an OpenCL network keeps JS memory: no allocator', () => {
    expect(deviceFrameAllocator(load(LiteDeviceType.LITE_OPENCL))).toBeUndefined();
  });

  test('a host input of a CUDA network gets pinned frame buffers, bound by share (CPU network, CUDA stand-in)', async () => {
    const network = load();
    // Only the network's device differs from a CUDA network's: the input is a host input of the same layout.
    const onCuda = {
      config: new LiteConfig({ deviceType: LiteDeviceType.LITE_CUDA }),
      deviceId: 0,
      getInputTensor: (index: number) => network.getInputTensor(index),
    } as unknown as LiteNetwork;
    const allocate = deviceFrameAllocator(onCuda)!;
    expect(allocate).toBeTypeOf('function');
    expect(allocate(FRAME_BYTES).byteLength).toBe(FRAME_BYTES);
    expect(allocate(100)).toEqual(new Uint8Array(100));  // other sizes: JS memory

    const source = await openSource('testsrc:32x32?fps=0&pool=3', { allocate });
    const pipeline = new Pipeline({ network, source, frames: 4, preprocess: { mean: [0], scale: [1] }, sink: async () => {} });
    const stats = await pipeline.run();
    expect(stats.frames).toBe(4);
    expect(stats.zeroCopyFrames).toBe(4);
    // The input was bound to a pool tensor itself (shareMemoryWith), not to a JS view of it.
    expect(network.getInputTensor(0).isPinnedHost).toBe(true);
    network.dispose();
  });
});

describe('pinned host tensors', () => {
  test('are for CPU tensors: another device is INVALID_ARGUMENT, checked before the device is looked for', () => {
    for (const deviceType of [LiteDeviceType.LITE_CUDA, LiteDeviceType.LITE_OPENCL]) {
      expect(() => new LiteTensor([4], { deviceType, isPinnedHost: true })).toThrow(liteError('INVALID_ARGUMENT'));
      expect(() => new LiteTensor([4], { deviceType, isPinnedHost: true })).toThrow(/isPinnedHost is for CPU tensors .*use deviceType LITE_CPU/);
    }
  });

  test(`work like any CPU tensor (${hasCuda ? 'page-locked: a CUDA device is present' : 'ordinary host memory: no CUDA device'})`, async () => {
    const pinned = new LiteTensor([1, 32, 32, 3], { dtype: 'uint8', isPinnedHost: true });
    expect(pinned.isPinnedHost).toBe(true);
    expect(pinned.deviceType).toBe(LiteDeviceType.LITE_CPU);
    const view = pinned.getDataByShare() as Uint8Array;
    for (let i = 0; i < view.length; i++) view[i] = (i * 7) % 251;
    expect(pinned.toTypedArray()).toEqual(view);  // a live view of the tensor's memory

    // Bound as a network input by share: nothing copied, the same results as the same bytes in JS memory.
    const network = load(LiteDeviceType.LITE_CPU, false);
    const input = network.getInputTensor(0);
    LiteGlobal.resetCopyStats();
    input.shareMemoryWith(pinned);
    expect(input.isPinnedHost).toBe(true);
    expect(LiteGlobal.getCopyStats().hostToHost).toBe(0);
    await network.forwardAsync();
    const fromPinned = network.getIoTensor('mean').toTypedArray();
    input.setDataByShare(view.slice(), input.layout);
    await network.forwardAsync();
    expect(network.getIoTensor('mean').toTypedArray()).toEqual(fromPinned);
    network.dispose();
  });
});
