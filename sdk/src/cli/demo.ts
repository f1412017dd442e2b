// `edgelite demo`: what the runtime can do on this machine, on built-in data. It grows with the project (the
// camera → network → MQTT pipeline replaces it once networks run); today it tours the tensor API.
import { LiteDeviceType, LiteGlobal, LiteLayout, LiteTensor, LiteTensorConcat } from '../index.js';

export function runDemo(write: (line: string) => void): void {
  write(`edgelite ${LiteGlobal.version} — backends built in: ${LiteGlobal.builtBackends.join(', ')}`);
  for (const type of [LiteDeviceType.LITE_CPU, LiteDeviceType.LITE_CUDA, LiteDeviceType.LITE_OPENCL]) {
    write(`  ${LiteDeviceType[type].padEnd(11)} ${LiteGlobal.getDeviceCount(type)} device(s)`);
  }

  // A camera-sized RGB frame owned by the application, bound to a tensor without a copy.
  LiteGlobal.resetCopyStats();
  const [height, width] = [480, 640];
  const frame = new Uint8Array(height * width * 3);
  for (let i = 0; i < frame.length; i++) frame[i] = (i * 7) & 0xff;
  const input = new LiteTensor(new LiteLayout([1, height, width, 3], 'uint8'));
  input.setDataByShare(frame);
  write(`\nbound a ${width}x${height} RGB frame (${frame.byteLength} bytes) by share: ` +
    `copied ${LiteGlobal.getCopyStats().hostToHost} bytes`);
  frame[0] = 255;
  write(`  the application writes pixel 0 = 255; the tensor sees ${input.getDataByShare()[0]}`);

  // A region of interest is a strided view of the same memory; copying it out is counted.
  const roi = input.slice([0, 100, 200, 0], [1, 228, 328, 3]);
  write(`  a 128x128 region of interest is a view (${roi.isContinue ? 'contiguous' : 'strided'}) sharing the frame's memory`);
  const crop = roi.toTypedArray();
  write(`  copying the region out moved ${LiteGlobal.getCopyStats().hostToHost} bytes (= ${crop.byteLength})`);

  // Device memory, when a device is present: a round trip counted by direction.
  for (const type of [LiteDeviceType.LITE_OPENCL, LiteDeviceType.LITE_CUDA]) {
    if (LiteGlobal.getDeviceCount(type) === 0) continue;
    const onDevice = new LiteTensor(input.layout, { deviceType: type });
    onDevice.copyFrom(input);
    const back = LiteTensorConcat([onDevice], 0, LiteDeviceType.LITE_CPU);
    write(`\n${LiteDeviceType[type]}: frame copied to the device and back; equal: ` +
      `${Buffer.compare(Buffer.from(back.getDataByShare().buffer, back.getDataByShare().byteOffset, back.nbytes), Buffer.from(frame)) === 0}`);
  }
  const stats = LiteGlobal.getCopyStats();
  write(`\ncopy statistics (bytes): host→host ${stats.hostToHost}, host→device ${stats.hostToDevice}, ` +
    `device→host ${stats.deviceToHost}, device→device ${stats.deviceToDevice}`);
  write('networks (ONNX models) are the next step of the project: see README.md, "Status".');
}
