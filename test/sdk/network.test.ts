// LiteNetwork on small models made in the test: loading and its errors, IO, async runs, re-planning, memory info.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import {
  encryptModelAes,
  LiteConfig,
  LiteDeviceType,
  LiteError,
  LiteGlobal,
  LiteIO,
  LiteLayout,
  LiteNetwork,
  LiteNetworkIO,
  LiteOptions,
  LiteTensorPhase,
} from '../../sdk/src/index.js';
import { buildModel, type ModelSpec } from '../fixtures/onnx-builder.js';

const liteError = (code: string) => expect.objectContaining({ name: 'LiteError', code });

// y = relu(x + bias), z = x + x: two outputs, a weight, a constant node.
const addRelu: ModelSpec = {
  inputs: [{ name: 'x', type: 'float', dims: ['batch', 4] }],
  outputs: [
    { name: 'y', type: 'float', dims: ['batch', 4] },
    { name: 'z', type: 'float', dims: ['batch', 4] },
  ],
  initializers: [{ name: 'bias', type: 'float', dims: [4], values: [1, -1, 0.5, -0.5] }],
  nodes: [
    { op: 'Add', inputs: ['x', 'bias'], outputs: ['s'] },
    { op: 'Relu', inputs: ['s'], outputs: ['y'] },
    { op: 'Add', inputs: ['x', 'x'], outputs: ['z'] },
  ],
};

function loaded(spec: ModelSpec = addRelu, init?: ConstructorParameters<typeof LiteNetwork>[0]): LiteNetwork {
  const network = new LiteNetwork(init);
  network.load(buildModel(spec));
  return network;
}

describe('load', () => {
  test('from bytes and from a file; names in model order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelite-'));
    const file = join(dir, 'add.onnx');
    writeFileSync(file, buildModel(addRelu));
    for (const source of [buildModel(addRelu), file]) {
      const network = new LiteNetwork();
      network.load(source);
      expect(network.getAllInputName()).toEqual(['x']);
      expect(network.getAllOutputName()).toEqual(['y', 'z']);
      expect(network.getInputName(0)).toBe('x');
      expect(network.getOutputName(1)).toBe('z');
    }
  });

  test('a corrupt, truncated, empty or non-ONNX model is INVALID_MODEL, never a crash', () => {
    const model = buildModel(addRelu);
    expect(() => new LiteNetwork().load(model.subarray(0, model.length - 7))).toThrow(liteError('INVALID_MODEL'));
    expect(() => new LiteNetwork().load(new Uint8Array(0))).toThrow(liteError('INVALID_MODEL'));
    expect(() => new LiteNetwork().load(Buffer.from('this is not a model at all'))).toThrow(liteError('INVALID_MODEL'));
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    expect(() => new LiteNetwork().load(garbage)).toThrow(LiteError);
  });

  test('a missing file is IO_ERROR', () => {
    expect(() => new LiteNetwork().load('/nonexistent/model.onnx')).toThrow(liteError('IO_ERROR'));
  });

  test('unsupported ops are listed at once, with their node names', () => {
    const spec: ModelSpec = {
      inputs: [{ name: 'x', type: 'float', dims: [2] }],
      outputs: [{ name: 'y', type: 'float', dims: [2] }],
      nodes: [
        { op: 'FancyOp', inputs: ['x'], outputs: ['a'], name: 'first_fancy' },
        { op: 'FancyOp', inputs: ['a'], outputs: ['b'], name: 'second_fancy' },
        { op: 'Mystery', inputs: ['b'], outputs: ['c'], name: 'the_mystery' },
        { op: 'Relu', inputs: ['c'], outputs: ['y'] },
      ],
    };
    try {
      new LiteNetwork().load(buildModel(spec));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LiteError);
      expect((error as LiteError).code).toBe('UNSUPPORTED_OP');
      for (const part of ['FancyOp', 'first_fancy', 'second_fancy', 'Mystery', 'the_mystery']) {
        expect((error as LiteError).message).toContain(part);
      }
    }
    const info = LiteNetwork.inspectModel(buildModel(spec));
    expect(info.unsupportedOps).toEqual(['FancyOp', 'Mystery']);
    expect(info.opHistogram).toEqual({ FancyOp: 2, Mystery: 1, Relu: 1 });
  });

  test('an opset outside 7..18 is UNSUPPORTED_OP with what to do', () => {
    expect(() => new LiteNetwork().load(buildModel({ ...addRelu, opset: 21 }))).toThrow(/opset 21/);
  });

  test('a node reading an undefined value is INVALID_MODEL', () => {
    const spec: ModelSpec = { ...addRelu, nodes: [{ op: 'Relu', inputs: ['nowhere'], outputs: ['y'] }] };
    expect(() => new LiteNetwork().load(buildModel(spec))).toThrow(liteError('INVALID_MODEL'));
  });

  test('loading twice is INVALID_STATE; bad arguments are INVALID_ARGUMENT', () => {
    const network = loaded();
    expect(() => network.load(buildModel(addRelu))).toThrow(liteError('INVALID_STATE'));
    expect(() => new LiteNetwork().load(42 as unknown as string)).toThrow(liteError('INVALID_ARGUMENT'));
  });

  test('CUDA networks without a CUDA device are DEVICE_UNAVAILABLE (emulated runs: test/native/cuda_network_emulated_test.cpp)', () => {
    const network = new LiteNetwork({ config: new LiteConfig({ deviceType: LiteDeviceType.LITE_CUDA }) });
    expect(() => network.load(buildModel(addRelu))).toThrow(liteError('DEVICE_UNAVAILABLE'));
  });
});

describe('forward', () => {
  test('computes every output; symbolic dims start as 1', () => {
    const network = loaded();
    const input = network.getIoTensor('x');
    expect(input.layout.shapes).toEqual([1, 4]);
    input.setDataByCopy([1, 2, 3, 4]);
    network.forward();
    network.wait();
    expect(Array.from(network.getIoTensor('y').toTypedArray())).toEqual([2, 1, 3.5, 3.5]);
    expect(Array.from(network.getOutputTensor(1).toTypedArray())).toEqual([2, 4, 6, 8]);
  });

  test('a new input layout re-plans shapes and memory before the run', () => {
    const network = loaded();
    network.getInputTensor(0).setDataByCopy(new Float32Array([1, 2, 3, 4, -1, -2, -3, -4, 0, 0, 0, 0]), new LiteLayout([3, 4]));
    network.forward();
    const y = network.getOutputTensor(0);
    expect(y.layout.shapes).toEqual([3, 4]);
    expect(Array.from(y.toTypedArray())).toEqual([2, 1, 3.5, 3.5, 0, 0, 0, 0, 1, 0, 0.5, 0]);
    network.getInputTensor(0).setDataByCopy(new Float32Array([5, 5, 5, 5]), new LiteLayout([1, 4]));
    network.forward();
    expect(Array.from(network.getOutputTensor(1).toTypedArray())).toEqual([10, 10, 10, 10]);
  });

  test('the IO tensor objects are stable, and a zero-copy input is read in place', () => {
    const network = loaded();
    expect(network.getIoTensor('x')).toBe(network.getInputTensor(0));
    const frame = new Float32Array([0, 0, 0, 0]);
    network.getInputTensor(0).setDataByShare(frame);
    for (const v of [1, 2, 3]) {
      frame.fill(v);
      network.forward();
      expect(network.getOutputTensor(1).toTypedArray()[0]).toBe(2 * v);
    }
  });

  test('forwardAsync does not block, and concurrent calls are queued, never raced', async () => {
    const network = loaded();
    const input = network.getInputTensor(0);
    input.setDataByCopy([1, 1, 1, 1]);
    const first = network.forwardAsync();
    const second = network.forwardAsync();
    expect(() => network.forward()).toThrow(liteError('INVALID_STATE'));
    expect(() => network.dispose()).toThrow(liteError('INVALID_STATE'));
    await Promise.all([first, second]);
    expect(Array.from(network.getOutputTensor(1).toTypedArray())).toEqual([2, 2, 2, 2]);
    network.forward(); // idle again
    network.dispose();
    expect(() => network.getAllInputName()).toThrow(liteError('INVALID_STATE'));
  });

  test('forward before load is INVALID_STATE', () => {
    expect(() => new LiteNetwork().forward()).toThrow(liteError('INVALID_STATE'));
  });
});

describe('IO and options', () => {
  test('getIoTensor by phase; unknown names list the real ones', () => {
    const network = loaded();
    expect(network.getIoTensor('x', LiteTensorPhase.LITE_INPUT).layout.shapes).toEqual([1, 4]);
    expect(() => network.getIoTensor('x', LiteTensorPhase.LITE_OUTPUT)).toThrow(liteError('INVALID_ARGUMENT'));
    expect(() => network.getIoTensor('nope')).toThrow(/x, y, z/);
    expect(() => network.getInputTensor(3)).toThrow(liteError('INVALID_ARGUMENT'));
  });

  test('a LiteIO layout sets the planned input layout', () => {
    const io = new LiteNetworkIO().addInput(new LiteIO('x', { layout: new LiteLayout([2, 4]) }));
    const network = loaded(addRelu, { io });
    expect(network.getInputTensor(0).layout.shapes).toEqual([2, 4]);
    expect(network.getOutputTensor(0).layout.shapes).toEqual([2, 4]);
    const bad = new LiteNetworkIO().addInput('nope', { layout: new LiteLayout([1]) });
    expect(() => loaded(addRelu, { io: bad })).toThrow(liteError('INVALID_ARGUMENT'));
  });

  test('threadsNumber is set before load only', () => {
    const network = new LiteNetwork();
    expect(network.threadsNumber).toBe(1);
    network.threadsNumber = 2;
    expect(network.threadsNumber).toBe(2);
    expect(() => {
      network.threadsNumber = 0;
    }).toThrow(liteError('INVALID_ARGUMENT'));
    network.load(buildModel(addRelu));
    expect(() => {
      network.threadsNumber = 1;
    }).toThrow(liteError('INVALID_STATE'));
  });

  test('LiteOptions has Lite\'s defaults and rejects unknown names', () => {
    const options = new LiteOptions();
    expect(options.varSanityCheckFirstRun).toBe(true);
    expect(options.graphOptLevel).toBe(2);
    expect(options.forceOutputUseUserSpecifiedMemory).toBe(false);
    expect(new LiteConfig({ options: { constShape: true } }).options.constShape).toBe(true);
    expect(() => new LiteOptions({ noSuchOption: true } as Partial<LiteOptions>)).toThrow(liteError('INVALID_ARGUMENT'));
    expect(() => new LiteOptions({ constShape: 1 as unknown as boolean })).toThrow(liteError('INVALID_ARGUMENT'));
  });
});

describe('memory plan', () => {
  // A chain x -> Relu -> Relu -> ... : each intermediate dies at its consumer, so the arena holds two at most and
  // the elementwise steps run in place.
  const chain: ModelSpec = {
    inputs: [{ name: 'x', type: 'float', dims: [1, 256] }],
    outputs: [{ name: 'y', type: 'float', dims: [1, 256] }],
    nodes: [
      { op: 'Add', inputs: ['x', 'x'], outputs: ['a'] },
      { op: 'Relu', inputs: ['a'], outputs: ['b'] },
      { op: 'Relu', inputs: ['b'], outputs: ['c'] },
      { op: 'Add', inputs: ['c', 'c'], outputs: ['d'] },
      { op: 'Relu', inputs: ['d'], outputs: ['y'] },
    ],
  };

  test('is known after load: arena, weights, in-place reuse', () => {
    const network = loaded(chain);
    const info = network.getStaticMemoryAllocInfo();
    expect(info.tensors.map((t) => t.name).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(info.arenaBytes).toBe(1024); // one 1 KiB buffer reused by every step
    expect(info.tensors.filter((t) => t.inPlace).map((t) => t.name).sort()).toEqual(['b', 'c', 'd']);
    expect(info.weightBytes).toBe(0);
    expect(info.ioBytes).toBe(2048);
    network.getInputTensor(0).setDataByCopy(Float32Array.from({ length: 256 }, (_, i) => i - 128));
    network.forward();
    const y = network.getOutputTensor(0).toTypedArray();
    expect(y[0]).toBe(0);
    expect(y[255]).toBe(4 * 127);
  });

  test('weights are counted once', () => {
    expect(loaded().getStaticMemoryAllocInfo().weightBytes).toBe(16);
  });

  test('constant subgraphs are folded at load', () => {
    const spec: ModelSpec = {
      inputs: [{ name: 'x', type: 'float', dims: [2] }],
      outputs: [{ name: 'y', type: 'float', dims: [2] }],
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['c'], attributes: { value: { tensor: { name: 'c', type: 'float', dims: [2], values: [3, -4] } } } },
        { op: 'Relu', inputs: ['c'], outputs: ['r'] },
        { op: 'Add', inputs: ['x', 'r'], outputs: ['y'] },
      ],
    };
    const network = loaded(spec);
    expect(network.getGraphSummary()).toMatch(/nodes after passes: 1 \(model: 3\)/);
    network.getInputTensor(0).setDataByCopy([1, 1]);
    network.forward();
    expect(Array.from(network.getOutputTensor(0).toTypedArray())).toEqual([4, 1]);
  });
});

describe('encrypted models', () => {
  test('a model encrypted with AES loads with bareModelCryptionName and the key', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const encrypted = encryptModelAes(buildModel(addRelu), key);
    expect(() => new LiteNetwork().load(encrypted)).toThrow(liteError('INVALID_MODEL'));
    LiteGlobal.updateDecryptionOrKey('AES_default', undefined, key);
    const network = new LiteNetwork({ config: new LiteConfig({ bareModelCryptionName: 'AES_default' }) });
    network.load(encrypted);
    network.getInputTensor(0).setDataByCopy([1, 2, 3, 4]);
    network.forward();
    expect(Array.from(network.getOutputTensor(1).toTypedArray())).toEqual([2, 4, 6, 8]);
    const unknown = new LiteNetwork({ config: new LiteConfig({ bareModelCryptionName: 'nope' }) });
    expect(() => unknown.load(encrypted)).toThrow(liteError('INVALID_ARGUMENT'));
    LiteGlobal.updateDecryptionOrKey('AES_default', undefined, Uint8Array.from({ length: 32 }, (_, i) => i));
  });
});
