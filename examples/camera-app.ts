// A camera app: frames from a V4L2 camera (or a video file, or the test pattern) → a vision model → results over
// MQTT, each carrying its frame's sequence number and capture time.
//
//   npx tsx examples/camera-app.ts --model face.onnx --source v4l2:/dev/video0?size=640x480 --mqtt mqtt://broker:1883
//
// Without --source it uses the built-in test pattern; without --mqtt, an MQTT broker on localhost:1883.
import { openSource } from 'edgelite/device';
import { LiteConfig, LiteNetwork, MqttPublisher, Pipeline } from 'edgelite';

const arg = (name: string, fallback?: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const model = arg('model');
if (!model) {
  console.error('usage: camera-app.ts --model MODEL.onnx [--source SPEC] [--mqtt URL] [--frames N]');
  process.exit(2);
}

// Outputs are written straight into the pipeline's preallocated ring buffers.
const network = new LiteNetwork({ config: new LiteConfig({ options: { forceOutputUseUserSpecifiedMemory: true } }) });
network.threadsNumber = 2;
network.load(model);

const source = await openSource(arg('source', 'testsrc:640x480?fps=15')!);
const publisher = new MqttPublisher({ url: arg('mqtt', 'mqtt://127.0.0.1:1883')!, topic: 'camera', qos: 1 });
const pipeline = new Pipeline({
  network,
  source,
  sink: (result) => publisher.publish(result),
  frames: Number(arg('frames', '100')),
  preprocess: { mean: [127.5, 127.5, 127.5], scale: [1 / 127.5, 1 / 127.5, 1 / 127.5] },
});
process.once('SIGINT', () => pipeline.stop());
const timer = setInterval(() => {
  const s = pipeline.stats;
  console.log(`fps ${s.fps.toFixed(1)}, latency p50 ${s.latencyP50.toFixed(1)} ms, dropped ${s.dropped}, queued ${publisher.stats.queued}`);
}, 1000);
const stats = await pipeline.run();
clearInterval(timer);
await publisher.close();
console.log(`${stats.frames} frames, ${stats.published} results published, ${stats.dropped} dropped`);
