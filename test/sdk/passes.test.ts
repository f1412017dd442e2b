// Graph passes seen from the API: BatchNormalization folded into Conv and activations fused into producers give
// the results of the unoptimised graph (graphOptLevel 0).
import { describe, expect, test } from 'vitest';

import { LiteConfig, LiteLayout, LiteNetwork } from '../../sdk/src/index.js';
import { seededFloats } from '../fixtures/models.js';
import { buildModel, type ModelSpec, type NodeSpec } from '../fixtures/onnx-builder.js';

const C = 3;
const M = 4;

function convBnAct(activation: NodeSpec | undefined): ModelSpec {
  const nodes: NodeSpec[] = [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'BatchNormalization', inputs: ['c', 'scale', 'shift', 'mean', 'var'], outputs: [activation ? 'n' : 'y'], attributes: { epsilon: { float: 1e-3 } } },
  ];
  if (activation) nodes.push(activation);
  const values = (n: number, seed: number, lo: number, hi: number) => Array.from(seededFloats(n, seed, lo, hi));
  return {
    inputs: [{ name: 'x', type: 'float', dims: [1, C, 8, 8] }],
    outputs: [{ name: 'y', type: 'float', dims: [1, M, 8, 8] }],
    initializers: [
      { name: 'w', type: 'float', dims: [M, C, 3, 3], values: values(M * C * 9, 1, -0.5, 0.5) },
      { name: 'b', type: 'float', dims: [M], values: values(M, 2, -0.2, 0.2) },
      { name: 'scale', type: 'float', dims: [M], values: values(M, 3, 0.5, 1.5) },
      { name: 'shift', type: 'float', dims: [M], values: values(M, 4, -0.3, 0.3) },
      { name: 'mean', type: 'float', dims: [M], values: values(M, 5, -0.1, 0.1) },
      { name: 'var', type: 'float', dims: [M], values: values(M, 6, 0.5, 2) },
    ],
    nodes,
  };
}

function run(spec: ModelSpec, graphOptLevel: number): { out: Float32Array; summary: string } {
  const network = new LiteNetwork({ config: new LiteConfig({ options: { graphOptLevel } }) });
  network.load(buildModel(spec));
  network.getInputTensor(0).setDataByCopy(seededFloats(C * 64, 9, -1, 1), new LiteLayout([1, C, 8, 8]));
  network.forward();
  return { out: network.getOutputTensor(0).toTypedArray() as Float32Array, summary: network.getGraphSummary() };
}

describe.each([
  ['no activation', undefined, 'Conv+BatchNormalization: 1'],
  ['Relu', { op: 'Relu', inputs: ['n'], outputs: ['y'] }, 'Conv+BatchNormalization+Relu: 1'],
  ['LeakyRelu', { op: 'LeakyRelu', inputs: ['n'], outputs: ['y'], attributes: { alpha: { float: 0.1 } } }, 'Conv+BatchNormalization+LeakyRelu: 1'],
  ['HardSigmoid', { op: 'HardSigmoid', inputs: ['n'], outputs: ['y'], attributes: { alpha: { float: 0.2 }, beta: { float: 0.5 } } }, 'Conv+BatchNormalization+HardSigmoid: 1'],
  ['Sigmoid', { op: 'Sigmoid', inputs: ['n'], outputs: ['y'] }, 'Conv+BatchNormalization+Sigmoid: 1'],
] as [string, NodeSpec | undefined, string][])('Conv → BatchNormalization → %s', (_, activation, fused) => {
  test('is folded into one node with the same results', () => {
    const spec = convBnAct(activation);
    const plain = run(spec, 0);
    const optimised = run(spec, 2);
    expect(optimised.summary).toContain(fused);
    expect(optimised.summary).toMatch(/nodes after passes: 1 /);
    expect(plain.summary).toMatch(/nodes after passes: [23] /);
    for (let i = 0; i < plain.out.length; i++) expect(optimised.out[i]).toBeCloseTo(plain.out[i]!, 5);
  });
});

test('an activation whose input is also used elsewhere is not fused', () => {
  const spec = convBnAct({ op: 'Relu', inputs: ['n'], outputs: ['y'] });
  spec.outputs.push({ name: 'n', type: 'float', dims: [1, M, 8, 8] });
  const network = new LiteNetwork();
  network.load(buildModel(spec));
  expect(network.getGraphSummary()).toContain('Relu: 1');
});

test('Conv → Mul/Add by constants → hard-swish written out (Add/Clip/Mul/Div) becomes one Conv node', () => {
  const values = (n: number, seed: number, lo: number, hi: number) => Array.from(seededFloats(n, seed, lo, hi));
  const spec: ModelSpec = {
    inputs: [{ name: 'x', type: 'float', dims: [1, C, 8, 8] }],
    outputs: [{ name: 'y', type: 'float', dims: [1, M, 8, 8] }],
    initializers: [
      { name: 'w', type: 'float', dims: [M, C, 3, 3], values: values(M * C * 9, 1, -0.5, 0.5) },
      { name: 'b', type: 'float', dims: [M], values: values(M, 2, -0.2, 0.2) },
      { name: 'scale', type: 'float', dims: [1], values: [0.94] },
      { name: 'shift', type: 'float', dims: [M, 1, 1], values: values(M, 3, -1, 1) },
      { name: 'three', type: 'float', dims: [], values: [3] },
      { name: 'zero', type: 'float', dims: [], values: [0] },
      { name: 'six', type: 'float', dims: [], values: [6] },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Mul', inputs: ['scale', 'c'], outputs: ['s'] },
      { op: 'Add', inputs: ['s', 'shift'], outputs: ['t'] },
      { op: 'Add', inputs: ['t', 'three'], outputs: ['a'] },
      { op: 'Clip', inputs: ['a', 'zero', 'six'], outputs: ['k'] },
      { op: 'Mul', inputs: ['t', 'k'], outputs: ['m'] },
      { op: 'Div', inputs: ['m', 'six'], outputs: ['y'] },
    ],
  };
  const plain = run(spec, 0);
  const optimised = run(spec, 2);
  expect(optimised.summary).toMatch(/nodes after passes: 1 /);
  expect(optimised.summary).toContain('Conv+Mul+Add+HardSwish: 1');
  for (let i = 0; i < plain.out.length; i++) expect(optimised.out[i]).toBeCloseTo(plain.out[i]!, 5);
});

// PP-LCNet (PP-OCR rec): an opset-10 Clip (bounds as attributes), x * clip first, then a learnable scalar scale
// and bias after the hard-swish: all of it ends up in the Conv's epilogue.
test('hard-swish with an attribute Clip, then a scalar Mul/Add, becomes one Conv node', () => {
  const values = (n: number, seed: number, lo: number, hi: number) => Array.from(seededFloats(n, seed, lo, hi));
  const spec: ModelSpec = {
    opset: 10,
    inputs: [{ name: 'x', type: 'float', dims: [1, C, 8, 8] }],
    outputs: [{ name: 'y', type: 'float', dims: [1, M, 8, 8] }],
    initializers: [
      { name: 'w', type: 'float', dims: [M, C, 3, 3], values: values(M * C * 9, 1, -0.5, 0.5) },
      { name: 'b', type: 'float', dims: [M], values: values(M, 2, -0.2, 0.2) },
      { name: 'three', type: 'float', dims: [], values: [3] },
      { name: 'six', type: 'float', dims: [], values: [6] },
      { name: 'lab_scale', type: 'float', dims: [1], values: [1.7] },
      { name: 'lab_bias', type: 'float', dims: [1], values: [-0.4] },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Add', inputs: ['c', 'three'], outputs: ['a'] },
      { op: 'Clip', inputs: ['a'], outputs: ['k'], attributes: { min: { float: 0 }, max: { float: 6 } } },
      { op: 'Mul', inputs: ['c', 'k'], outputs: ['m'] },
      { op: 'Div', inputs: ['m', 'six'], outputs: ['h'] },
      { op: 'Mul', inputs: ['lab_scale', 'h'], outputs: ['s'] },
      { op: 'Add', inputs: ['s', 'lab_bias'], outputs: ['y'] },
    ],
  };
  const plain = run(spec, 0);
  const optimised = run(spec, 2);
  expect(plain.summary).toMatch(/nodes after passes: 7 /);
  expect(optimised.summary).toMatch(/nodes after passes: 1 /);
  expect(optimised.summary).toContain('Conv+HardSwish+Mul+Add: 1');
  for (let i = 0; i < plain.out.length; i++) expect(optimised.out[i]).toBeCloseTo(plain.out[i]!, 5);
});

test('two activations in a row: the second is not fused over the first', () => {
  const spec = convBnAct({ op: 'Relu', inputs: ['n'], outputs: ['r'] });
  spec.nodes.push({ op: 'Clip', inputs: ['r'], outputs: ['y'], attributes: { min: { float: -1 }, max: { float: 0.25 } } });
  spec.opset = 10;
  const plain = run(spec, 0);
  const optimised = run(spec, 2);
  expect(optimised.summary).toContain('Conv+BatchNormalization+Relu: 1');
  expect(optimised.summary).toContain('Clip: 1');
  for (let i = 0; i < plain.out.length; i++) expect(optimised.out[i]).toBeCloseTo(plain.out[i]!, 5);
  expect(Math.max(...optimised.out)).toBeLessThanOrEqual(0.25);
});

test('Shape of a tensor whose shape is known at load is folded, and what follows it is planned statically', () => {
  const spec: ModelSpec = {
    inputs: [{ name: 'x', type: 'float', dims: [1, C, 8, 8] }],
    outputs: [{ name: 'y', type: 'float', dims: [1, C * 64] }],
    initializers: [
      { name: 'zero', type: 'int64', dims: [1], values: [0] },
      { name: 'one', type: 'int64', dims: [1], values: [1] },
      { name: 'minus_one', type: 'int64', dims: [1], values: [-1] },
    ],
    nodes: [
      { op: 'Relu', inputs: ['x'], outputs: ['r'] },
      { op: 'Shape', inputs: ['r'], outputs: ['s'] },
      { op: 'Slice', inputs: ['s', 'zero', 'one'], outputs: ['n'] },
      { op: 'Concat', inputs: ['n', 'minus_one'], outputs: ['shape'], attributes: { axis: 0 } },
      { op: 'Reshape', inputs: ['r', 'shape'], outputs: ['y'] },
    ],
  };
  const plain = run(spec, 0);
  const optimised = run(spec, 2);
  expect(optimised.summary).toMatch(/nodes after passes: 2 \(model: 5\), with run-time shapes: 0/);
  expect(Array.from(optimised.out)).toEqual(Array.from(plain.out));
});

test('ConvTranspose → Add (bias) → BatchNormalization → Relu becomes one ConvTranspose node (groups too)', () => {
  const values = (n: number, seed: number, lo: number, hi: number) => Array.from(seededFloats(n, seed, lo, hi));
  for (const group of [1, 2]) {
    const inC = 4;
    const outC = 6;
    const spec: ModelSpec = {
      inputs: [{ name: 'x', type: 'float', dims: [1, C, 8, 8] }],
      outputs: [{ name: 'y', type: 'float', dims: [1, outC, 16, 16] }],
      initializers: [
        { name: 'w0', type: 'float', dims: [inC, C, 1, 1], values: values(inC * C, 11, -0.5, 0.5) },
        { name: 'w', type: 'float', dims: [inC, outC / group, 2, 2], values: values((inC * outC * 4) / group, 1, -0.5, 0.5) },
        { name: 'bias', type: 'float', dims: [1, outC, 1, 1], values: values(outC, 2, -0.2, 0.2) },
        { name: 'scale', type: 'float', dims: [outC], values: values(outC, 3, 0.5, 1.5) },
        { name: 'shift', type: 'float', dims: [outC], values: values(outC, 4, -0.3, 0.3) },
        { name: 'mean', type: 'float', dims: [outC], values: values(outC, 5, -0.1, 0.1) },
        { name: 'var', type: 'float', dims: [outC], values: values(outC, 6, 0.5, 2) },
      ],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w0'], outputs: ['x4'], attributes: { kernel_shape: [1, 1] } },
        { op: 'ConvTranspose', inputs: ['x4', 'w'], outputs: ['t'], attributes: { kernel_shape: [2, 2], strides: [2, 2], group } },
        { op: 'Add', inputs: ['t', 'bias'], outputs: ['a'] },
        { op: 'BatchNormalization', inputs: ['a', 'scale', 'shift', 'mean', 'var'], outputs: ['n'], attributes: { epsilon: { float: 1e-3 } } },
        { op: 'Relu', inputs: ['n'], outputs: ['y'] },
      ],
    };
    const plain = run(spec, 0);
    const optimised = run(spec, 2);
    expect(optimised.summary).toContain('ConvTranspose+Add+BatchNormalization+Relu: 1');
    expect(optimised.summary).toMatch(/nodes after passes: 2 /);
    expect(plain.out.length).toBe(outC * 256);
    for (let i = 0; i < plain.out.length; i++) expect(optimised.out[i]).toBeCloseTo(plain.out[i]!, 5);
  }
});

// BlazeFace's blocks: depthwise → 1x1 conv, plus the block input padded with zero channels (Concat), then Relu.
test('Conv + residual Add (padded with zero channels) + Relu becomes one Conv node', () => {
  const values = (n: number, seed: number, lo: number, hi: number) => Array.from(seededFloats(n, seed, lo, hi));
  const spec: ModelSpec = {
    inputs: [{ name: 'x', type: 'float', dims: [1, C, 8, 8] }],
    outputs: [{ name: 'y', type: 'float', dims: [1, M, 8, 8] }],
    initializers: [
      { name: 'dw', type: 'float', dims: [C, 1, 3, 3], values: values(C * 9, 1, -0.5, 0.5) },
      { name: 'w', type: 'float', dims: [M, C, 1, 1], values: values(M * C, 2, -0.5, 0.5) },
      { name: 'b', type: 'float', dims: [M], values: values(M, 3, -0.2, 0.2) },
      { name: 'zeros', type: 'float', dims: [1, M - C, 8, 8], values: new Array((M - C) * 64).fill(0) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'dw'], outputs: ['d'], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: C } },
      { op: 'Conv', inputs: ['d', 'w', 'b'], outputs: ['c'], attributes: { kernel_shape: [1, 1] } },
      { op: 'Concat', inputs: ['x', 'zeros'], outputs: ['padded'], attributes: { axis: 1 } },
      { op: 'Add', inputs: ['c', 'padded'], outputs: ['s'] },
      { op: 'Relu', inputs: ['s'], outputs: ['y'] },
    ],
  };
  const plain = run(spec, 0);
  const optimised = run(spec, 2);
  expect(plain.summary).toMatch(/nodes after passes: 5 /);
  expect(optimised.summary).toMatch(/nodes after passes: 2 /);
  expect(optimised.summary).toContain('Conv+Add+Relu: 1');
  for (let i = 0; i < plain.out.length; i++) expect(optimised.out[i]).toBeCloseTo(plain.out[i]!, 5);
});
