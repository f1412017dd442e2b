// Memory lifetimes across the JS/C++ boundary, proven with the garbage collector (vitest runs with --expose-gc).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, test } from 'vitest';

import { LiteLayout, LiteTensor } from '../../sdk/src/index.js';
import { realModels } from '../fixtures/models.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const gc = (): void => {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc (vitest.config.ts does)');
  globalThis.gc();
};

async function collect(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    gc();
    // Finalizers and FinalizationRegistry callbacks run on later turns of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('setDataByShare keeps the caller array alive while the tensor uses it, and lets it go after', async () => {
  const collected = new Set<string>();
  const registry = new FinalizationRegistry((name: string) => collected.add(name));
  let tensor: LiteTensor | undefined = new LiteTensor(new LiteLayout([1024], 'float32'));
  (() => {
    const data = new Float32Array(1024).fill(3.5);
    registry.register(data, 'shared');
    tensor.setDataByShare(data);
    // A control array with no tensor behind it: proves that collection does happen in this test.
    registry.register(new Float32Array(1024), 'control');
  })();
  await collect();
  expect(collected.has('control')).toBe(true);
  expect(collected.has('shared')).toBe(false);
  // The memory is intact after the collections and after churning the heap.
  Array.from({ length: 50 }, () => new Float32Array(4096).fill(-1));
  await collect();
  expect(tensor.toTypedArray().every((v) => v === 3.5)).toBe(true);

  tensor.dispose();
  tensor = undefined;
  await collect(12);
  expect(collected.has('shared')).toBe(true);
});

test('a tensor sharing memory keeps the caller array alive after the first tensor is gone', async () => {
  const collected = new Set<string>();
  const registry = new FinalizationRegistry((name: string) => collected.add(name));
  const second = new LiteTensor();
  (() => {
    const data = new Int32Array([1, 2, 3, 4]);
    registry.register(data, 'shared');
    const first = new LiteTensor([4], { dtype: 'int32' });
    first.setDataByShare(data);
    second.shareMemoryWith(first);
  })();
  await collect();
  expect(collected.has('shared')).toBe(false);
  expect(Array.from(second.toTypedArray())).toEqual([1, 2, 3, 4]);
});

test('getDataByShare views keep native memory alive after the tensor is gone', async () => {
  const view = (() => {
    const tensor = new LiteTensor([256], { dtype: 'int32' });
    tensor.setDataByCopy(Int32Array.from({ length: 256 }, (_, i) => i * 3));
    const shared = tensor.getDataByShare();
    tensor.dispose();
    return shared;
  })();
  await collect();
  // Reuse freed native memory if it had been freed: new tensors of the same size overwrite it.
  const churn = Array.from({ length: 32 }, () => {
    const t = new LiteTensor([256], { dtype: 'int32' });
    t.setDataByCopy(new Int32Array(256).fill(-9));
    return t;
  });
  expect(churn.length).toBe(32);
  expect(Array.from(view).every((v, i) => v === i * 3)).toBe(true);
  view[0] = 77; // still writable memory
  expect(view[0]).toBe(77);
});

test('a slice view keeps the base memory alive', async () => {
  const slice = (() => {
    const base = new LiteTensor([4, 4]);
    base.setDataByCopy(Float32Array.from({ length: 16 }, (_, i) => i));
    const view = base.slice([2], [4]);
    base.dispose();
    return view;
  })();
  await collect();
  expect(Array.from(slice.getDataByShare())).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
});

test('a Worker terminated while its forwardAsync runs goes away cleanly, and the next one runs', () => {
  // The environment of a terminated Worker frees what settles forwardAsync's promise while the network's thread is
  // still running the forward: that thread must not call into it afterwards (it crashed the process once).
  const det = realModels().find((m) => m.name === 'ppocr-det')!;
  const scratch = mkdtempSync(join(tmpdir(), 'edgelite-worker-'));
  try {
    const worker = join(scratch, 'worker.mjs');
    writeFileSync(
      worker,
      `import { parentPort } from 'node:worker_threads';
import { LiteIO, LiteLayout, LiteNetwork, LiteNetworkIO } from ${JSON.stringify(join(root, 'dist/sdk/src/index.js'))};
const network = new LiteNetwork({ io: new LiteNetworkIO({ inputs: [new LiteIO('x', { layout: new LiteLayout(${JSON.stringify(det.shape)}) })] }) });
network.load(${JSON.stringify(det.path)});
network.forwardAsync().then(() => parentPort.postMessage('settled'));
parentPort.postMessage('started');
`,
    );
    const main = join(scratch, 'main.mjs');
    writeFileSync(
      main,
      `import { Worker } from 'node:worker_threads';
for (let i = 0; i < 3; i++) {
  const w = new Worker(${JSON.stringify(worker)});
  await new Promise((resolve) => w.on('message', (m) => m === 'started' && resolve()));
  await w.terminate();
}
const last = new Worker(${JSON.stringify(worker)});
const settled = await new Promise((resolve) => last.on('message', (m) => m === 'settled' && resolve(true)));
await last.terminate();
console.log(settled ? 'SETTLED' : 'NOT SETTLED');
`,
    );
    const child = spawnSync(process.execPath, [main], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout.trim()).toBe('SETTLED');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
