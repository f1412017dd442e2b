// The main job end to end against a real mosquitto: sources → network → output ring → MQTT → a subscriber that
// decodes every message; a broker restart in the middle of a QoS 1 run; a serial sensor on a socat PTY pair; the
// `edgelite run` and `edgelite sub` commands.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, writeFileSync, writeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { openSource } from '../../device/sources/index.js';
import { encodeSensorMessage } from '../../device/sources/sensor-framing.js';
import { LiteConfig, LiteNetwork } from '../../sdk/src/index.js';
import { decodeResult } from '../../sdk/src/mqtt/codec.js';
import { MqttPublisher } from '../../sdk/src/mqtt/publisher.js';
import { Pipeline, type InferenceResult } from '../../sdk/src/pipeline/pipeline.js';
import { realModels } from '../fixtures/models.js';
import { Mosquitto, mosquittoAvailable } from '../fixtures/mosquitto.js';
import { buildModel } from '../fixtures/onnx-builder.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'dist', 'sdk', 'src', 'cli', 'main.js');
const noBroker = !mosquittoAvailable && process.env.CI !== 'true';
const dir = mkdtempSync(join(tmpdir(), 'edgelite-pipeline-'));

// A small image model: the mean of each channel of an NHWC uint8-derived float image, [1,H,W,3] -> [1,3].
const imageModel = join(dir, 'channel-mean.onnx');
writeFileSync(imageModel, buildModel({
  inputs: [{ name: 'image', type: 'float', dims: [1, 32, 32, 3] }],
  outputs: [{ name: 'mean', type: 'float', dims: [1, 3] }],
  nodes: [{ op: 'ReduceMean', inputs: ['image'], outputs: ['mean'], attributes: { axes: [1, 2], keepdims: 0 } }],
}));
// A sensor model: the mean over a window of 8 samples of 3 channels, [1,8,3] -> [1,3].
const sensorModel = join(dir, 'window-mean.onnx');
writeFileSync(sensorModel, buildModel({
  inputs: [{ name: 'window', type: 'float', dims: [1, 8, 3] }],
  outputs: [{ name: 'mean', type: 'float', dims: [1, 3] }],
  nodes: [{ op: 'ReduceMean', inputs: ['window'], outputs: ['mean'], attributes: { axes: [1], keepdims: 0 } }],
}));

function forcedNetwork(model: string): LiteNetwork {
  const network = new LiteNetwork({ config: new LiteConfig({ options: { forceOutputUseUserSpecifiedMemory: true } }) });
  network.load(model);
  return network;
}

/** A QoS 1 subscriber collecting decoded results by sequence number. */
async function subscribe(url: string, topic: string, options: mqtt.IClientOptions = {}) {
  const received = new Map<number, ReturnType<typeof decodeResult>>();
  const client = mqtt.connect(url, { reconnectPeriod: 200, ...options });
  client.on('message', (_topic, payload) => {
    const result = decodeResult(payload, { copy: true });
    received.set(result.seq, result);
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe(topic, { qos: 1 }, (error) => (error ? reject(error) : resolve())));
  });
  return { received, client };
}

async function until(what: string, condition: () => boolean, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Copies of what the network produced, recorded at the sink before publishing. */
function recordingSink(publisher: MqttPublisher, expected: Map<number, Float32Array[]>) {
  return (result: InferenceResult): Promise<void> => {
    expected.set(result.seq, result.tensors.map((t) => Float32Array.from(t.data as Float32Array)));
    return publisher.publish(result);
  };
}

describe.skipIf(noBroker)('pipeline with a real mosquitto', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await Mosquitto.start();
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  test('every frame\'s outputs arrive and decode to the network\'s outputs (BlazeFace, preprocessed frames)', async () => {
    const blaze = realModels().find((m) => m.name === 'blazeface-front-128')!;
    const network = forcedNetwork(blaze.path);
    const { received, client } = await subscribe(broker.url, 'blaze/result');
    const publisher = new MqttPublisher({ url: broker.url, topic: 'blaze', qos: 1 });
    const expected = new Map<number, Float32Array[]>();
    const pipeline = new Pipeline({
      network,
      source: await openSource('testsrc:160x120?fps=0'),
      sink: recordingSink(publisher, expected),
      frames: 6,
      preprocess: { mean: [127.5, 127.5, 127.5], scale: [1 / 127.5, 1 / 127.5, 1 / 127.5] },
    });
    const stats = await pipeline.run();
    await publisher.close();
    expect(stats.frames).toBe(6);
    await until('6 messages', () => received.size === 6);
    for (const [seq, tensors] of expected) {
      const message = received.get(seq)!;
      expect(message.tensors.map((t) => t.name)).toEqual(network.getAllOutputName());
      message.tensors.forEach((t, i) => expect(Array.from(t.data as Float32Array)).toEqual(Array.from(tensors[i]!)));
    }
    await client.endAsync();
  });

  test('QoS 1: a broker restart in the middle of a run loses no frame', async () => {
    const network = forcedNetwork(imageModel);
    const { received, client } = await subscribe(broker.url, 'restart/result', { clean: false, clientId: 'edgelite-restart-sub' });
    const publisher = new MqttPublisher({ url: broker.url, topic: 'restart', qos: 1, reconnectPeriodMs: 200 });
    const expected = new Map<number, Float32Array[]>();
    const pipeline = new Pipeline({ network, source: await openSource('testsrc:32x32?fps=40&pool=8'), sink: recordingSink(publisher, expected), frames: 60 });
    const running = pipeline.run();
    await until('10 results', () => received.size >= 10);
    await broker.stop();
    await sleep(1000);
    await broker.start();
    const stats = await running;
    await publisher.close({ timeoutMs: 15000 });
    expect(stats.frames).toBe(60);
    expect(stats.sinkErrors).toBe(0);
    expect(publisher.stats.reconnects).toBeGreaterThanOrEqual(1);
    await until('every result after the restart', () => [...expected.keys()].every((seq) => received.has(seq)));
    for (const [seq, tensors] of expected) {
      expect(Array.from(received.get(seq)!.tensors[0]!.data as Float32Array)).toEqual(Array.from(tensors[0]!));
    }
    await client.endAsync();
  });

  test('a serial sensor on a socat PTY pair drives the network end to end', async () => {
    const ptyDir = mkdtempSync(join(tmpdir(), 'edgelite-pty-'));
    const [a, b] = [join(ptyDir, 'a'), join(ptyDir, 'b')];
    const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
    try {
      await until('socat links', () => existsSync(a) && existsSync(b), 5000);
      await sleep(100);
      const network = forcedNetwork(sensorModel);
      const { received, client } = await subscribe(broker.url, 'sensor/result');
      const publisher = new MqttPublisher({ url: broker.url, topic: 'sensor', qos: 1 });
      const source = await openSource(`serial:${a}?baud=115200&window=8&channels=3`);
      const pipeline = new Pipeline({ network, source, sink: (r) => publisher.publish(r), frames: 3 });
      const running = pipeline.run();
      // Three windows of eight samples; sample i of window w is [w, i, w * i].
      const fd = openSync(b, constants.O_WRONLY | constants.O_NOCTTY);
      for (let w = 0; w < 3; w++) {
        const bytes = Buffer.concat(Array.from({ length: 8 }, (_, i) => Buffer.from(encodeSensorMessage([w, i, w * i], 'float32'))));
        writeSync(fd, bytes);
        await sleep(50);
      }
      closeSync(fd);
      await running;
      await publisher.close();
      await until('3 sensor results', () => received.size === 3);
      for (let w = 0; w < 3; w++) {
        const mean = Array.from(received.get(w)!.tensors[0]!.data as Float32Array);
        expect(mean[0]).toBeCloseTo(w, 5);
        expect(mean[1]).toBeCloseTo(3.5, 5);
        expect(mean[2]).toBeCloseTo(w * 3.5, 5);
      }
      await client.endAsync();
    } finally {
      socat.kill('SIGTERM');
    }
  });

  test('edgelite run publishes --frames results and exits 0; edgelite sub prints them decoded', async () => {
    const sub = promisify(execFile)(process.execPath, [bin, 'sub', broker.url, 'cli/#', '--count', '5'], { encoding: 'utf8' });
    await sleep(500);
    const run = await promisify(execFile)(process.execPath, [bin, 'run', '--model', imageModel, '--source', 'testsrc:32x32?fps=60',
      '--mqtt', broker.url, '--topic', 'cli', '--frames', '5', '--qos', '1'], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/done: 5 frames/);
    expect(run.stdout).toMatch(/published 5/);
    const { stdout } = await sub;
    expect(stdout.trim().split('\n')).toHaveLength(5);
    expect(stdout).toMatch(/cli\/result seq \d+ captured .* mean float32\[1,3\]/);
  });
});

test('edgelite run without --mqtt starts an in-process broker and tells how to subscribe', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'run', '--model', imageModel, '--source', 'testsrc:32x32?fps=60',
    '--frames', '3', '--echo', '1'], { encoding: 'utf8' });
  expect(stdout).toMatch(/in-process broker/);
  expect(stdout).toMatch(/subscribe with: npx edgelite sub mqtt:\/\/127\.0\.0\.1:\d+/);
  expect(stdout).toMatch(/subscriber got edgelite\/result seq/);
  expect(stdout).toMatch(/done: 3 frames/);
});

test('edgelite run with bad options fails clearly', async () => {
  await expect(promisify(execFile)(process.execPath, [bin, 'run', '--qos', '7'], { encoding: 'utf8' })).rejects.toMatchObject({
    stderr: expect.stringMatching(/--qos must be an integer in 0\.\.2/),
  });
  await expect(promisify(execFile)(process.execPath, [bin, 'run', '--model', imageModel, '--source', 'webcam:1'], { encoding: 'utf8' }))
    .rejects.toMatchObject({ stderr: expect.stringMatching(/unknown source kind 'webcam'/) });
});

test('Ctrl-C (SIGINT) stops edgelite run: it drains what is in flight and exits 0', async () => {
  const child = spawn(process.execPath, [bin, 'run', '--model', imageModel, '--source', 'testsrc:32x32?fps=30'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  await until('the run to start', () => stdout.includes('subscribe with'), 10000);
  await sleep(500);
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(0);
  expect(stdout).toMatch(/stopping: draining results/);
  expect(stdout).toMatch(/done: \d+ frames in [\d.]+ s, published \d+/);
});
