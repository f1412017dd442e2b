// Zero-copy inference loop: a camera-sized frame buffer bound to the network input by share, outputs written by
// the kernels into buffers the application preallocated, and the copy statistics proving no IO byte moved.
//
//   npx tsx examples/zero-copy.ts [MODEL.onnx] [--frames N]
//
// The default model is MediaPipe BlazeFace (back camera, 256x256), which `npm test` fetches into .cache/.
import { existsSync } from 'node:fs';

import { LiteConfig, LiteGlobal, LiteNetwork } from 'edgelite';

const args = process.argv.slice(2);
const framesAt = args.indexOf('--frames');
const frames = framesAt >= 0 ? Number(args[framesAt + 1]) : 30;
const modelPath = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--frames')
  ?? '.cache/blazeface/package/ONNX/face_detection_back_256x256_barracuda.onnx';
if (!existsSync(modelPath)) {
  console.error(`model not found: ${modelPath}\npass an ONNX model path, or run \`npm test\` once to fetch BlazeFace`);
  process.exit(1);
}

const network = new LiteNetwork({ config: new LiteConfig({ options: { forceOutputUseUserSpecifiedMemory: true } }) });
network.threadsNumber = 2;
network.load(modelPath);

// The frame buffer the camera writes into, bound once.
const input = network.getInputTensor(0);
const frame = new Float32Array(input.layout.elementCount);
input.setDataByShare(frame);

// One preallocated buffer per output; the kernels write results straight into them.
const results = network.getAllOutputName().map((name) => {
  const tensor = network.getIoTensor(name);
  const buffer = new Float32Array(tensor.layout.elementCount);
  tensor.setDataByShare(buffer);
  return { name, buffer };
});
console.log(`model ${modelPath}: input ${input.layout.toString()}, outputs ${results.map((r) => r.name).join(', ')}`);

LiteGlobal.resetCopyStats();
const latencies: number[] = [];
for (let n = 0; n < frames; n++) {
  // "Capture": a moving pattern written in place into the bound frame.
  for (let i = 0; i < frame.length; i++) frame[i] = Math.sin((i + n * 97) * 0.001);
  const start = performance.now();
  await network.forwardAsync();
  latencies.push(performance.now() - start);
}
latencies.sort((a, b) => a - b);
const stats = LiteGlobal.getCopyStats();
const copied = stats.hostToHost + stats.hostToDevice + stats.deviceToHost + stats.deviceToDevice;
console.log(`${frames} frames: latency p50 ${latencies[Math.floor(frames / 2)]!.toFixed(2)} ms, ` +
  `p99 ${latencies[Math.min(frames - 1, Math.floor(frames * 0.99))]!.toFixed(2)} ms`);
console.log(`first output, first values: ${Array.from(results[0]!.buffer.subarray(0, 4), (v) => v.toFixed(4)).join(' ')}`);
console.log(`IO bytes copied by the runtime: ${copied} (host→host ${stats.hostToHost}, host→device ${stats.hostToDevice}, ` +
  `device→host ${stats.deviceToHost}, device→device ${stats.deviceToDevice})`);
