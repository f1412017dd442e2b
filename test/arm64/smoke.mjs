// The arm64 smoke suite, run by Debian's arm64 Node.js under qemu (device/cross/run-arm64-node.sh) from an unpacked
// `npm pack` tarball: the loader must pick prebuilds/linux-arm64, the tensor API must work, a real model must match
// the x86 onnxruntime reference, and the pipeline must publish frames to the in-process broker.
// Usage: run-arm64-node.sh test/arm64/smoke.mjs PACKAGE_DIR REFERENCE_DIR
// Prints one line per check and a final "N passed, N failed"; exits 1 on any failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [packageDir, referenceDir] = process.argv.slice(2);
const sdk = await import(join(packageDir, 'dist/sdk/src/index.js'));
const { LiteGlobal, LiteLayout, LiteNetwork, LiteTensor, LiteConfig, MqttPublisher, Pipeline, decodeResult } = sdk;
const { openSource } = await import(join(packageDir, 'dist/device/sources/index.js'));
const { startEmbeddedBroker } = await import(join(packageDir, 'dist/sdk/src/cli/broker.js'));
const mqtt = (await import('mqtt')).default;

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}: ${error.stack ?? error}`);
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

await check(`runs on ${process.arch} (Node ${process.version}) with the prebuilt linux-arm64 addon`, () => {
  assert(process.arch === 'arm64', `arch is ${process.arch}`);
  assert(LiteGlobal.version.length > 0, 'no version');
  assert(LiteGlobal.getDeviceCount(0) === 1, 'no CPU device');
});

await check('tensor API: copy, share, slice, copy statistics', () => {
  const t = new LiteTensor(new LiteLayout([2, 4], 'int32'));
  t.setDataByCopy([0, 1, 2, 3, 4, 5, 6, 7]);
  const view = t.slice([0, 1], [2, 4], [1, 2]);
  assert(JSON.stringify(Array.from(view.toTypedArray())) === '[1,3,5,7]', 'slice');
  const shared = new Int32Array(8);
  t.setDataByShare(shared);
  shared[3] = 42;
  assert(t.toTypedArray()[3] === 42, 'share');
  LiteGlobal.resetCopyStats();
  new LiteTensor().copyFrom(t);
  assert(LiteGlobal.getCopyStats().hostToHost === 32, 'copy stats');
});

await check('BlazeFace front matches the x86 onnxruntime reference (relative L2 <= 1e-4)', async () => {
  const read = (name) => readFileSync(join(referenceDir, name));
  const network = new LiteNetwork();
  network.threadsNumber = 2;
  network.load(read('model.path').toString());
  const input = read('input.bin');
  network.getInputTensor(0).setDataByCopy(new Float32Array(input.buffer, input.byteOffset, input.length / 4));
  await network.forwardAsync();
  const names = read('outputs.txt').toString().split('\n');
  names.forEach((name, i) => {
    const want = read(`output_${i}.bin`);
    const expected = new Float32Array(want.buffer, want.byteOffset, want.length / 4);
    const got = network.getIoTensor(name).toTypedArray();
    let d = 0;
    let r = 0;
    for (let k = 0; k < expected.length; k++) {
      d += (got[k] - expected[k]) ** 2;
      r += expected[k] ** 2;
    }
    const error = Math.sqrt(d / r);
    assert(error <= 1e-4, `${name}: relative L2 ${error}`);
  });
});

await check('pipeline: test pattern → network → in-process broker → subscriber', async () => {
  const broker = await startEmbeddedBroker();
  const model = readFileSync(join(referenceDir, 'model.path')).toString();
  const network = new LiteNetwork({ config: new LiteConfig({ options: { forceOutputUseUserSpecifiedMemory: true } }) });
  network.load(model);
  const seen = new Set();
  const subscriber = mqtt.connect(broker.url);
  subscriber.on('message', (_t, payload) => seen.add(decodeResult(payload).seq));
  await new Promise((resolve) => subscriber.once('connect', () => subscriber.subscribe('arm64/#', { qos: 1 }, resolve)));
  const publisher = new MqttPublisher({ url: broker.url, topic: 'arm64', qos: 1 });
  const pipeline = new Pipeline({ network, source: await openSource('testsrc:128x128?fps=0'), sink: (r) => publisher.publish(r), frames: 3 });
  const stats = await pipeline.run();
  await publisher.close();
  for (let i = 0; i < 100 && seen.size < 3; i++) await new Promise((r) => setTimeout(r, 50));
  await subscriber.endAsync();
  await broker.close();
  assert(stats.frames === 3 && seen.size === 3, `frames ${stats.frames}, received ${seen.size}`);
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
