// `edgelite bench MODEL`: how fast a model loads and runs on a device here: load, first run and N timed runs
// (median, p90, min), with live progress on stderr, the device it ran on and the graph summary's placement line.
import { LiteConfig, LiteDeviceType, LiteError, LiteGlobal, LiteIO, LiteNetwork, LiteNetworkIO } from '../index.js';
import { parseShapeOption } from './info.js';

export const BENCH_USAGE = `usage: edgelite bench MODEL [--device cpu|cuda|opencl] [--threads N] [--runs N] [--shape NAME=DxD...]
  --device   where the network runs (default cpu)
  --threads  CPU threads (default 2)
  --runs     timed runs after the first (default 20)
  --shape    an input's layout, for models with symbolic dims (repeat per input)`;

const DEVICES = { cpu: LiteDeviceType.LITE_CPU, cuda: LiteDeviceType.LITE_CUDA, opencl: LiteDeviceType.LITE_OPENCL } as const;

export interface BenchOptions {
  model: string;
  device: keyof typeof DEVICES;
  threads: number;
  runs: number;
  shapes: LiteIO[];
}

function invalid(message: string): never {
  throw new LiteError('INVALID_ARGUMENT', `${message}\n${BENCH_USAGE}`);
}

function integer(text: string | undefined, flag: string, max: number): number {
  const n = Number(text);
  if (text === undefined || !Number.isSafeInteger(n) || n < 1 || n > max) invalid(`${flag} must be an integer in 1..${max}, got '${text ?? ''}'`);
  return n;
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const [model, ...rest] = argv;
  if (!model || model.startsWith('--')) invalid('bench needs a model file');
  const options: BenchOptions = { model, device: 'cpu', threads: 2, runs: 20, shapes: [] };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    const value = rest[i + 1];
    i++;
    if (flag === '--device') {
      if (value !== 'cpu' && value !== 'cuda' && value !== 'opencl') invalid(`--device must be cpu, cuda or opencl, got '${value ?? ''}'`);
      options.device = value;
    } else if (flag === '--threads') options.threads = integer(value, flag, 64);
    else if (flag === '--runs') options.runs = integer(value, flag, 100_000);
    else if (flag === '--shape') options.shapes.push(parseShapeOption(value ?? ''));
    else invalid(`unknown option '${flag}' for bench`);
  }
  return options;
}

export interface BenchResult {
  loadMs: number;
  firstMs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  placement: string;
  /** LiteGlobal.getDeviceDescription of the device it ran on. */
  device: string;
}

/**
 * Runs the benchmark; `write` gets the result lines, `progress` the live status (overwritten in place on a TTY).
 * A device that is not there is a LiteError 'DEVICE_UNAVAILABLE' before anything is loaded.
 */
export async function runBench(options: BenchOptions, write: (line: string) => void, progress: (line: string) => void): Promise<BenchResult> {
  const deviceType = DEVICES[options.device];
  // First, so that a missing device fails at once with the runtime's message (how to get one), and recorded with
  // the result: a timing means little without the device that produced it.
  const device = LiteGlobal.getDeviceDescription(deviceType);
  const network = new LiteNetwork({ config: new LiteConfig({ deviceType }), io: new LiteNetworkIO({ inputs: options.shapes }) });
  try {
    network.threadsNumber = options.threads;
    progress('loading');
    let t = performance.now();
    network.load(options.model);
    const loadMs = performance.now() - t;
    for (const name of network.getAllInputName()) {
      const tensor = network.getIoTensor(name);
      if (tensor.layout.ndim === 0 || tensor.layout.shapes.includes(0)) {
        throw new LiteError('INVALID_ARGUMENT', `input '${name}' has symbolic dims: give its layout with --shape ${name}=DxD...`);
      }
      // Deterministic, non-trivial input values: zeros would make some kernels take shortcuts.
      const data = tensor.getDataByShare();
      for (let i = 0; i < data.length; i++) (data as unknown as number[])[i] = (typeof data[0] === 'bigint' ? BigInt(i % 7) : (i % 13) / 13) as number;
    }
    progress('first run');
    t = performance.now();
    await network.forwardAsync();
    const firstMs = performance.now() - t;
    const times: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      t = performance.now();
      await network.forwardAsync();
      times.push(performance.now() - t);
      progress(`run ${i + 1}/${options.runs}  last ${times[i]!.toFixed(2)} ms`);
    }
    times.sort((a, b) => a - b);
    const at = (q: number): number => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
    const summary = network.getGraphSummary();
    const placement = /^on \w+: .*$/m.exec(summary)?.[0] ??
      `on cpu: ${/nodes after passes: (\d+)/.exec(summary)?.[1] ?? '?'} nodes`;
    const result = { loadMs, firstMs, medianMs: at(0.5), p90Ms: at(0.9), minMs: times[0]!, placement, device };
    write(`bench ${options.model} on ${options.device}, ${options.threads} thread(s): load ${loadMs.toFixed(1)} ms, ` +
      `first run ${firstMs.toFixed(2)} ms, ${options.runs} runs: median ${result.medianMs.toFixed(2)} ms, ` +
      `p90 ${result.p90Ms.toFixed(2)} ms, min ${result.minMs.toFixed(2)} ms`);
    write(`  device: ${device}`);
    write(`  ${placement}`);
    return result;
  } finally {
    network.dispose();
  }
}

export async function benchCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const tty = process.stderr.isTTY;
  await runBench(parseBenchArgs(argv), (line) => {
    if (tty) process.stderr.write('\r\x1b[K');
    process.stdout.write(`${line}\n`);
  }, (line) => process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`));
  return 0;
}
