// The five real models of the suite on the CPU, against onnxruntime-node (the oracle): relative L2 error at most
// 1e-4 on every output.
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';

import { LiteLayout, LiteNetwork } from '../../sdk/src/index.js';
import { realModels, relativeL2 } from '../fixtures/models.js';

const models = realModels();

describe.each(models)('$name', ({ path, shape, input: makeInput }) => {
  test('matches onnxruntime-node', async () => {
    const input = makeInput();

    const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const inputName = session.inputNames[0]!;
    const expected = await session.run({ [inputName]: new ort.Tensor('float32', input, shape) });

    const network = new LiteNetwork();
    network.threadsNumber = 2;
    network.load(path);
    expect(network.getAllInputName()).toEqual(session.inputNames);
    expect(network.getAllOutputName()).toEqual(session.outputNames);
    network.getInputTensor(0).setDataByCopy(input, new LiteLayout(shape, 'float32'));
    await network.forwardAsync();

    for (const name of session.outputNames) {
      const want = expected[name]!;
      const got = network.getIoTensor(name);
      expect(got.layout.shapes, `shape of ${name}`).toEqual(want.dims.map(Number));
      const error = relativeL2(got.toTypedArray() as Float32Array, want.data as Float32Array);
      expect(error, `relative L2 error of ${name}`).toBeLessThanOrEqual(1e-4);
    }
    await session.release();
  });
});

test('forwardAsync leaves the event loop free while a large model runs', async () => {
  const det = models.find((m) => m.name === 'ppocr-det')!;
  const network = new LiteNetwork();
  network.load(det.path);
  network.getInputTensor(0).setDataByCopy(det.input(), new LiteLayout(det.shape, 'float32'));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const started = performance.now();
  // Runs back to back for at least 300 ms on the worker thread; the 5 ms timer keeps firing meanwhile.
  while (performance.now() - started < 300) await network.forwardAsync();
  const elapsed = performance.now() - started;
  clearInterval(timer);
  expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
});
