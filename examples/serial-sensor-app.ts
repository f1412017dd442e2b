// A serial-sensor app: binary sensor messages (device/sources/sensor-framing.ts) from a serial port are gathered
// into windows of N samples, each window is the input tensor of a model (e.g. an activity classifier), and the
// results go out over MQTT. The source reconnects when the port goes away (USB unplugged).
//
//   npx tsx examples/serial-sensor-app.ts --model har.onnx --port /dev/ttyUSB0 --window 64 --channels 6 \
//       --mqtt mqtt://broker:1883
import { openSource } from 'edgelite/device';
import { LiteConfig, LiteNetwork, MqttPublisher, Pipeline } from 'edgelite';

const arg = (name: string, fallback?: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const model = arg('model');
const port = arg('port');
if (!model || !port) {
  console.error('usage: serial-sensor-app.ts --model MODEL.onnx --port /dev/ttyX [--baud 115200] [--window 64] [--hop 32] ' +
    '[--channels 3] [--mqtt URL] [--json]');
  process.exit(2);
}

const network = new LiteNetwork({ config: new LiteConfig({ options: { forceOutputUseUserSpecifiedMemory: true } }) });
network.load(model);
const window = arg('window', '64')!;
const spec = `serial:${port}?baud=${arg('baud', '115200')}&window=${window}&hop=${arg('hop', window)}&channels=${arg('channels', '3')}`;
const source = await openSource(spec);
const publisher = new MqttPublisher({
  url: arg('mqtt', 'mqtt://127.0.0.1:1883')!,
  topic: 'sensor',
  qos: 1,
  json: process.argv.includes('--json'),  // small outputs read nicely as JSON
});
const pipeline = new Pipeline({ network, source, sink: (result) => publisher.publish(result) });
process.once('SIGINT', () => pipeline.stop());
const stats = await pipeline.run();
await publisher.close();
console.log(`${stats.frames} windows, ${stats.published} results published, ${stats.dropped} dropped or corrupt`);
