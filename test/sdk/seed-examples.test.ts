// Ports of the Python examples of MegEngine Lite's docs (shared/seeds/002_740eeb56173977fb.txt).
import { expect, test } from 'vitest';

import { LiteLayout, LiteTensor } from '../../sdk/src/index.js';

test('test_tensor_set_data', () => {
  const layout = new LiteLayout([2, 16], 'int8');
  const tensor = new LiteTensor(layout);
  expect(tensor.nbytes).toBe(2 * 16);

  const data = Array.from({ length: 32 }, (_, i) => i);
  tensor.setDataByCopy(data);
  let realData = tensor.toTypedArray();
  for (let i = 0; i < 32; i++) expect(realData[Math.floor(i / 16) * 16 + (i % 16)]).toBe(i);

  const arr = new Int8Array(32).fill(1);
  tensor.setDataByCopy(arr);
  realData = tensor.toTypedArray();
  for (let i = 0; i < 32; i++) expect(realData[i]).toBe(1);

  for (let i = 0; i < 32; i++) arr[i] = i;
  tensor.setDataByShare(arr);
  realData = tensor.toTypedArray();
  for (let i = 0; i < 32; i++) expect(realData[i]).toBe(i);

  arr[0 * 16 + 8] = 100;
  arr[1 * 16 + 3] = 20;
  realData = tensor.toTypedArray();
  expect(realData[0 * 16 + 8]).toBe(100);
  expect(realData[1 * 16 + 3]).toBe(20);
});

test('test_tensor_share_memory_with', () => {
  const layout = new LiteLayout([4, 32], 'int16');
  const tensor = new LiteTensor(layout);
  expect(tensor.nbytes).toBe(4 * 32 * 2);

  const arr = new Int16Array(128).fill(1);
  for (let i = 0; i < 128; i++) arr[i] = i;
  tensor.setDataByShare(arr);
  let realData = tensor.toTypedArray();
  for (let i = 0; i < 128; i++) expect(realData[i]).toBe(i);

  const tensor2 = new LiteTensor(layout);
  tensor2.shareMemoryWith(tensor);
  realData = tensor.toTypedArray();
  const realData2 = tensor2.toTypedArray();
  for (let i = 0; i < 128; i++) {
    expect(realData[i]).toBe(i);
    expect(realData2[i]).toBe(i);
  }

  arr[1 * 32 + 18] = 5;
  arr[3 * 32 + 7] = 345;
  realData = tensor2.toTypedArray();
  expect(realData[1 * 32 + 18]).toBe(5);
  expect(realData[3 * 32 + 7]).toBe(345);
});
