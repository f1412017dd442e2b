// The model benchmark: edgelite against onnxruntime-node on the five real models of the test suite.
//
//   npm run bench [-- OPTIONS]          (tsx bench/models.ts [OPTIONS])
//
// Options:
//   --models a,b        models to run (default: all of test/fixtures/models.ts realModels():
//                       blazeface-front-128, blazeface-back-256, ppocr-cls, ppocr-det, ppocr-rec)
//   --threads 1,2       thread counts (default 1,2): edgelite threadsNumber, ORT intraOpNumThreads
//   --seconds N         timed budget per model and thread count, in seconds (default 3)
//   --min-iters N       iterations wanted at least (default 10), as long as the cap allows (see below)
//   --block N           runs of one engine in a row before the other's turn (default 10), with --pause-ms between
//                       turns (default 200). Both engines' thread pools keep spinning for a while after a run (ORT's
//                       intra-op workers for tens of ms): interleaving single runs, the engine that ran second
//                       shared a core with the other's spinning worker at 2 threads (edgelite's det median 47 ms
//                       instead of 18 alone). The first run of each turn counts like the others
//   --device opencl     edgelite runs its networks on OpenCL (the first device: PoCL here) against ORT on the CPU;
//                       the JSON and the text then also have the load time of an OpenCL network with a cold and a
//                       warm program cache, each in a fresh process (bench/cl-load-child.ts)
//   --gap-ms N          idle time before each timed run inside a turn (default 0): frames arriving at intervals,
//                       as an application sees them (pools and caches go cold in between)
//   --quick             1 thread, 1 s budget, 5 iterations wanted: a smoke run
//   --processes N       run the timing in N fresh processes, one after another (default 1), and report per case the
//                       median of the per-process medians and ratios, with the range of the ratios: this VM's
//                       processes differ (ORT at 2 threads is bimodal across processes), so N = 3 is the run to
//                       publish; each process takes the time of a 1-process run's timing
//   --no-memory         skip the memory measurement (the child processes)
//   --out FILE          where the JSON goes (default bench/results/latest.json)
//   --help
//
// What it does, per model and thread count, in this process:
//   1. Load, timed once each: edgelite = new LiteNetwork (the input's concrete layout given as a LiteIO, so the
//      plan is made at load) + threadsNumber + load(path) + setDataByShare(input) (binding the input once);
//      ORT = InferenceSession.create(path, { intraOpNumThreads: n, interOpNumThreads: 1,
//      graphOptimizationLevel: 'all', executionMode: 'sequential' }) + building the input ort.Tensor.
//   2. First run of each, timed (reported apart; it counts as warm-up), and the outputs compared (relative L2
//      error of edgelite's against ORT's, in the JSON; a warning above 1e-4).
//   3. Warm-up: more interleaved runs until min(1 s, budget / 3) has passed since the first runs began.
//   4. Timed runs, in alternating turns of --block runs: edgelite (`await network.forwardAsync()`), then ORT
//      (`await session.run(feeds)`), same input, --pause-ms between turns, each run timed alone with
//      performance.now(). They go on until the budget is spent and --min-iters runs of each were made, but stop at
//      the cap (4 x budget) once 3 ran: a model that takes seconds per run gets few timed runs, never minutes.
//      The iteration count is reported.
//   Reported: the median of each engine, the ratio ORT median / edgelite median (> 1: edgelite is faster), and
//   the geometric mean of the ratios per thread count (models where both engines ran).
// Memory, afterwards, in child processes (bench/memory-child.ts), one per engine, model and thread count, two at a
// time: RSS before the load, after the load, after the first run, and the peak of load + first run.
//
// The addon is copied at the start and every process of the run loads that copy ($EDGELITE_ADDON): the native
// code may be rebuilt meanwhile. Its sha256 is in the machine line. During the timed runs, /proc/stat minus this
// process's own CPU time gives the share of the cores other processes took ("other load"; other containers on the
// VM are invisible to ps); above 25% the table carries a warning.
//
// Output: a live progress line on stderr, the table on stdout, the JSON file (machine info, options, every
// number). This machine is noisy: compare ratios from one run, not absolute times across runs, and use
// --processes 3 for figures to publish (see BENCHMARKS.md).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as ort from 'onnxruntime-node';

import { LiteConfig, LiteDeviceType, LiteGlobal, LiteIO, LiteLayout, LiteNetwork, LiteNetworkIO } from '../sdk/src/index.js';
import { addonCandidates } from '../sdk/src/native.js';
import { realModels, relativeL2, type ModelCase } from '../test/fixtures/models.js';
import type { MemoryResult } from './memory-child.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------------- options

interface Options {
  models: string[];
  threads: number[];
  seconds: number;
  minIters: number;
  /** Idle milliseconds before each timed run, so that the other engine's spinning workers have gone to sleep. */
  gapMs: number;
  /** Runs of one engine per turn, and the pause between turns. */
  block: number;
  pauseMs: number;
  memory: boolean;
  /** Where edgelite runs its networks. */
  device: 'cpu' | 'opencl';
  out: string;
  quick: boolean;
  processes: number;
}

const USAGE = 'usage: npm run bench -- [--models a,b] [--threads 1,2] [--seconds N] [--min-iters N] [--quick] ' +
  '[--processes N] [--no-memory] [--out FILE]';

function parseOptions(argv: string[], allModels: string[]): Options {
  const options: Options = {
    models: allModels, threads: [1, 2], seconds: 3, minIters: 10, gapMs: 0, block: 10, pauseMs: 200, memory: true, device: 'cpu',
    out: join(ROOT, 'bench', 'results', 'latest.json'), quick: false, processes: 1,
  };
  let threadsGiven = false;
  let secondsGiven = false;
  let minItersGiven = false;
  const positive = (name: string, text: string | undefined, integer: boolean): number => {
    const value = Number(text);
    if (text === undefined || !Number.isFinite(value) || value <= 0 || (integer && !Number.isSafeInteger(value))) {
      throw new Error(`${name} needs a positive ${integer ? 'integer' : 'number'}, got '${String(text)}'\n${USAGE}`);
    }
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--models': {
        const names = (value() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = names.filter((n) => !allModels.includes(n));
        if (names.length === 0 || unknown.length > 0) {
          throw new Error(`unknown model(s) '${unknown.join(', ')}': the models are ${allModels.join(', ')}`);
        }
        options.models = names;
        break;
      }
      case '--threads':
        options.threads = (value() ?? '').split(',').map((s) => positive('--threads', s.trim(), true));
        threadsGiven = true;
        break;
      case '--seconds':
        options.seconds = positive('--seconds', value(), false);
        secondsGiven = true;
        break;
      case '--min-iters':
        options.minIters = positive('--min-iters', value(), true);
        minItersGiven = true;
        break;
      case '--block':
        options.block = positive('--block', value(), true);
        break;
      case '--pause-ms':
        options.pauseMs = positive('--pause-ms', value(), false);
        break;
      case '--gap-ms': {
        const text = value();
        options.gapMs = text === '0' ? 0 : positive('--gap-ms', text, false);
        break;
      }
      case '--quick':
        options.quick = true;
        break;
      case '--processes':
        options.processes = positive('--processes', value(), true);
        break;
      case '--device': {
        const text = value();
        if (text !== 'cpu' && text !== 'opencl') throw new Error(`--device takes cpu or opencl, got '${String(text)}'\n${USAGE}`);
        options.device = text;
        break;
      }
      case '--no-memory':
        options.memory = false;
        break;
      case '--out':
        options.out = resolve(value() ?? options.out);
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n(see the comment at the top of bench/models.ts)\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option '${arg}'\n${USAGE}`);
    }
  }
  if (options.quick) {
    if (!threadsGiven) options.threads = [1];
    if (!secondsGiven) options.seconds = 1;
    if (!minItersGiven) options.minIters = 5;
  }
  return options;
}

// ---------------------------------------------------------------------------------------------------- progress

const tty = process.stderr.isTTY === true;
let progressText = '';
let progressShown = false;

function progress(text: string): void {
  progressText = text;
  if (tty) {
    process.stderr.write(`\r\x1b[2K${text}`);
    progressShown = true;
  }
}

/** A line that stays (in a TTY, the progress line is redrawn under it). */
function note(text: string): void {
  if (tty && progressShown) process.stderr.write('\r\x1b[2K');
  process.stderr.write(`${text}\n`);
  if (tty && progressShown) process.stderr.write(progressText);
}

function endProgress(): void {
  if (tty && progressShown) process.stderr.write('\r\x1b[2K');
  progressShown = false;
}

// ---------------------------------------------------------------------------------------------------- statistics

interface Stats {
  iterations: number;
  medianMs: number;
  meanMs: number;
  minMs: number;
  p10Ms: number;
  p90Ms: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function stats(samples: number[]): Stats | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    iterations: samples.length,
    medianMs: quantile(sorted, 0.5),
    meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    minMs: sorted[0]!,
    p10Ms: quantile(sorted, 0.1),
    p90Ms: quantile(sorted, 0.9),
  };
}

const geomean = (values: number[]): number | undefined =>
  values.length === 0 ? undefined : Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);

// ---------------------------------------------------------------------------------------------------- the addon

interface PinnedAddon {
  /** The binary the benchmark was started with (build/Release first, then prebuilds/, or $EDGELITE_ADDON). */
  source: string;
  sourceModified: string;
  sha256: string;
  /** The copy every process of the benchmark loads (through $EDGELITE_ADDON). */
  copy: string;
}

/**
 * A private copy of the addon, loaded by this process and every child (EDGELITE_ADDON): the native code may be
 * rebuilt while the benchmark runs, and processes that load different binaries must not be compared. A binary
 * caught half-written fails to load: copied again after a pause, a few times.
 */
async function pinAddon(dir: string): Promise<PinnedAddon> {
  if (process.env.EDGELITE_BENCH_RUN && process.env.EDGELITE_ADDON) {
    // A timing process of --processes N: the parent pinned it.
    const copy = process.env.EDGELITE_ADDON;
    return { source: copy, sourceModified: statSync(copy).mtime.toISOString(), sha256: sha256(copy), copy };
  }
  const source = addonCandidates().find((candidate) => existsSync(candidate));
  if (!source) {
    void LiteGlobal.version;   // throws ADDON_NOT_FOUND with the paths it tried and how to build
    throw new Error('no edgelite addon');
  }
  const copy = join(dir, 'edgelite.node');
  for (let attempt = 1; ; attempt++) {
    const modified = statSync(source).mtime.toISOString();
    copyFileSync(source, copy);
    try {
      execFileSync(process.execPath, ['-e', `require(${JSON.stringify(copy)})`], { stdio: 'ignore' });
      process.env.EDGELITE_ADDON = copy;
      return { source, sourceModified: modified, sha256: sha256(copy), copy };
    } catch (error) {
      if (attempt >= 10) throw new Error(`the addon ${source} does not load (${errorText(error)}): is it being rebuilt?`);
      progress(`the addon ${source} does not load (being rebuilt?): retrying in 3 s`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 3000));
    }
  }
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

// ---------------------------------------------------------------------------------------------------- contention

// Other processes share this VM's cores, some of them outside this process's view (other containers): the CPU
// time the whole machine spent, minus this process's own, is what the others took from the benchmark.
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

interface CpuSnapshot {
  wallMs: number;
  /** Machine-wide busy CPU seconds (user, nice, system, irq, softirq) and stolen seconds, from /proc/stat. */
  busy: number;
  steal: number;
  /** This process's CPU seconds (every thread: edgelite's pool and ORT's included). */
  own: number;
}

function cpuSnapshot(): CpuSnapshot {
  let busy = Number.NaN;
  let steal = Number.NaN;
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, stolen = 0] = fields;
    busy = (user + nice + system + irq + softirq) / CLK_TCK;
    steal = stolen / CLK_TCK;
  } catch {
    // Not Linux: no contention figures.
  }
  const usage = process.cpuUsage();
  return { wallMs: performance.now(), busy, steal, own: (usage.user + usage.system) / 1e6 };
}

/** The share of the machine's cores (0..1) that other processes used, and that the hypervisor stole, since `from`. */
function contention(from: CpuSnapshot): { others: number; steal: number } {
  const to = cpuSnapshot();
  const capacity = ((to.wallMs - from.wallMs) / 1000) * cpus().length;
  const others = (to.busy - from.busy - (to.own - from.own)) / capacity;
  return { others: Math.max(0, others), steal: (to.steal - from.steal) / capacity };
}

// ---------------------------------------------------------------------------------------------------- engines

interface EngineRun {
  /** One inference, awaited. */
  run: () => Promise<void>;
  /** The outputs of the last run, by name, as float arrays (for the sanity check). */
  outputs: () => Map<string, ArrayLike<number>>;
  release: () => Promise<void>;
}

interface EngineResult {
  error?: string;
  loadMs?: number;
  firstRunMs?: number;
  /** With --processes N: iterations, mean, min, p10 and p90 of the pooled samples; medianMs is the median of the
   * per-process medians (processMediansMs). */
  timing?: Stats;
  samplesMs?: number[];
  processMediansMs?: number[];
  memory?: MemoryResult;
}

const errorText = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0]!;

function loadEdgelite(model: ModelCase, threads: number, input: Float32Array, device: Options['device']): { engine: EngineRun; loadMs: number } {
  // The input name, read before the clock starts: a user of a known model writes it down.
  const inputName = LiteNetwork.getModelIoInfo(model.path).inputs[0]!.name;
  const started = performance.now();
  const network = new LiteNetwork({
    config: new LiteConfig({ deviceType: device === 'opencl' ? LiteDeviceType.LITE_OPENCL : LiteDeviceType.LITE_CPU }),
    io: new LiteNetworkIO({ inputs: [new LiteIO(inputName, { layout: new LiteLayout(model.shape, 'float32') })] }),
  });
  try {
    network.threadsNumber = threads;
    network.load(model.path);
    network.getInputTensor(0).setDataByShare(input);
  } catch (error) {
    network.dispose();
    throw error;
  }
  const loadMs = performance.now() - started;
  return {
    loadMs,
    engine: {
      run: () => network.forwardAsync(),
      outputs: () => new Map(network.getAllOutputName().map((name) => [name, network.getIoTensor(name).toTypedArray() as Float32Array])),
      release: async () => network.dispose(),
    },
  };
}

function ortOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
    logSeverityLevel: 3,
  };
}

async function loadOrt(model: ModelCase, threads: number, input: Float32Array): Promise<{ engine: EngineRun; loadMs: number }> {
  const started = performance.now();
  const session = await ort.InferenceSession.create(model.path, ortOptions(threads));
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, model.shape) };
  const loadMs = performance.now() - started;
  let last: ort.InferenceSession.OnnxValueMapType = {};
  return {
    loadMs,
    engine: {
      run: async () => {
        last = await session.run(feeds);
      },
      outputs: () => new Map(Object.entries(last).map(([name, tensor]) => [name, (tensor as ort.Tensor).data as Float32Array])),
      release: () => session.release(),
    },
  };
}

// ---------------------------------------------------------------------------------------------------- timing

interface CaseResult {
  model: string;
  shape: number[];
  threads: number;
  edgelite: EngineResult;
  ort: EngineResult;
  /** ORT median / edgelite median: > 1 when edgelite is faster. */
  ratio?: number;
  /** Relative L2 error of edgelite's outputs against ORT's after the first run, the worst output. */
  maxRelativeL2?: number;
  /** Seconds the case took (loads, first runs, warm-up, timed runs). */
  wallSeconds: number;
  /** During the timed runs: the share of the machine's cores other processes used, and the share stolen. */
  othersCpuShare?: number;
  stealShare?: number;
  /** With --processes N: each process's ratio (ratio is their median) and their range. */
  processRatios?: number[];
  ratioRange?: [number, number];
}

const FLOOR_ITERS = 3;
const CAP_FACTOR = 4;

async function timeCase(model: ModelCase, threads: number, options: Options, label: string): Promise<CaseResult> {
  const caseStarted = performance.now();
  const result: CaseResult = { model: model.name, shape: model.shape, threads, edgelite: {}, ort: {}, wallSeconds: 0 };
  const input = model.input();
  const engines: { name: 'edgelite' | 'ort'; engine: EngineRun }[] = [];

  progress(`${label} loading`);
  try {
    const loaded = loadEdgelite(model, threads, input, options.device);
    result.edgelite.loadMs = loaded.loadMs;
    engines.push({ name: 'edgelite', engine: loaded.engine });
  } catch (error) {
    result.edgelite.error = `load: ${errorText(error)}`;
    note(`${model.name} ${threads}t: edgelite failed to load: ${errorText(error)}`);
  }
  try {
    const loaded = await loadOrt(model, threads, input);
    result.ort.loadMs = loaded.loadMs;
    engines.push({ name: 'ort', engine: loaded.engine });
  } catch (error) {
    result.ort.error = `load: ${errorText(error)}`;
    note(`${model.name} ${threads}t: ORT failed to load: ${errorText(error)}`);
  }

  // One run of an engine, timed; a failure drops the engine from the rest of the case.
  const runOnce = async (entry: { name: 'edgelite' | 'ort'; engine: EngineRun }): Promise<number | undefined> => {
    if (options.gapMs > 0) await new Promise((resolve) => setTimeout(resolve, options.gapMs));
    const started = performance.now();
    try {
      await entry.engine.run();
    } catch (error) {
      result[entry.name].error = `run: ${errorText(error)}`;
      note(`${model.name} ${threads}t: ${entry.name} failed to run: ${errorText(error)}`);
      engines.splice(engines.indexOf(entry), 1);
      await entry.engine.release().catch(() => undefined);
      return undefined;
    }
    return performance.now() - started;
  };

  const warmStarted = performance.now();
  progress(`${label} first run`);
  for (const entry of [...engines]) {
    const ms = await runOnce(entry);
    if (ms !== undefined) result[entry.name].firstRunMs = ms;
  }
  const edge = engines.find((e) => e.name === 'edgelite');
  const ref = engines.find((e) => e.name === 'ort');
  if (edge && ref) {
    try {
      const want = ref.engine.outputs();
      const got = edge.engine.outputs();
      let worst = 0;
      for (const [name, data] of want) {
        const mine = got.get(name);
        worst = Math.max(worst, mine && mine.length === data.length ? relativeL2(mine, data) : Number.POSITIVE_INFINITY);
      }
      result.maxRelativeL2 = worst;
      if (!(worst <= 1e-4)) note(`${model.name} ${threads}t: edgelite's outputs differ from ORT's (relative L2 ${worst.toExponential(2)})`);
    } catch (error) {
      note(`${model.name} ${threads}t: could not compare outputs: ${errorText(error)}`);
    }
  }

  const warmup = Math.min(1, options.seconds / 3) * 1000;
  while (engines.length > 0 && performance.now() - warmStarted < warmup) {
    progress(`${label} warm-up`);
    for (const entry of [...engines]) await runOnce(entry);
  }

  const samples: Record<'edgelite' | 'ort', number[]> = { edgelite: [], ort: [] };
  const budget = options.seconds * 1000;
  const cap = budget * CAP_FACTOR;
  const cpuBefore = cpuSnapshot();
  const timedStarted = performance.now();
  let iterations = 0;
  let shown = 0;
  const show = (): void => {
    const elapsed = (performance.now() - timedStarted) / 1000;
    progress(`${label} timed: ${iterations} iterations, ${elapsed.toFixed(1)} s`);
  };
  const ticker = tty ? setInterval(show, 500) : undefined;
  try {
    for (;;) {
      const elapsed = performance.now() - timedStarted;
      const enough = elapsed >= budget && iterations >= options.minIters;
      const capped = elapsed >= cap && iterations >= FLOOR_ITERS;
      if (engines.length === 0 || enough || capped) break;
      for (const entry of [...engines]) {
        await new Promise((resolve) => setTimeout(resolve, options.pauseMs));  // the other engine's workers settle
        for (let b = 0; b < options.block && engines.includes(entry); b++) {
          const ms = await runOnce(entry);
          if (ms !== undefined) samples[entry.name].push(ms);
        }
      }
      iterations += options.block;
      if (tty && performance.now() - shown >= 100) {
        show();
        shown = performance.now();
      }
    }
  } finally {
    if (ticker) clearInterval(ticker);
  }
  const shares = contention(cpuBefore);
  if (Number.isFinite(shares.others)) result.othersCpuShare = Math.round(shares.others * 1000) / 1000;
  if (Number.isFinite(shares.steal)) result.stealShare = Math.round(shares.steal * 1000) / 1000;

  for (const entry of engines) await entry.engine.release().catch(() => undefined);
  for (const name of ['edgelite', 'ort'] as const) {
    const s = stats(samples[name]);
    if (s) {
      result[name].timing = s;
      result[name].samplesMs = samples[name].map((v) => Math.round(v * 1000) / 1000);
    }
  }
  if (result.edgelite.timing && result.ort.timing) result.ratio = result.ort.timing.medianMs / result.edgelite.timing.medianMs;
  result.wallSeconds = (performance.now() - caseStarted) / 1000;
  return result;
}

// ---------------------------------------------------------------------------------------------------- memory

function spawnMemoryChild(engine: 'edgelite' | 'ort', model: string, threads: number): Promise<MemoryResult> {
  return new Promise((resolveResult) => {
    const fail = (error: string): MemoryResult => ({
      engine, model, threads, rssBeforeBytes: 0, loadDeltaBytes: 0, runDeltaBytes: 0, peakDeltaBytes: 0,
      anonDeltaBytes: 0, fileDeltaBytes: 0, peakReset: false, loadMs: 0, firstRunMs: 0, error,
    });
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join('bench', 'memory-child.ts'), engine, model, String(threads)], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolveResult(fail(`spawn: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolveResult(JSON.parse(line) as MemoryResult);
      } catch {
        const why = stderr.trim().split('\n').filter(Boolean).pop() ?? '';
        resolveResult(fail(`child exited ${signal ?? String(code)}${why ? `: ${why}` : ''}`));
      }
    });
  });
}

async function measureMemory(results: CaseResult[]): Promise<void> {
  const jobs: { result: CaseResult; engine: 'edgelite' | 'ort' }[] = [];
  for (const result of results) {
    for (const engine of ['edgelite', 'ort'] as const) {
      if (!result[engine].error?.startsWith('load:')) jobs.push({ result, engine });
    }
  }
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      progress(`memory: ${done}/${jobs.length} done, running ${job.result.model} ${job.engine} ${job.result.threads}t`);
      const memory = await spawnMemoryChild(job.engine, job.result.model, job.result.threads);
      job.result[job.engine].memory = memory;
      if (memory.error) note(`memory ${job.result.model} ${job.engine} ${job.result.threads}t: ${memory.error}`);
      done++;
    }
  };
  await Promise.all([worker(), worker()]);
}

// ---------------------------------------------------------------------------------------------------- report

function machineInfo(addon: PinnedAddon): Record<string, unknown> {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo)?.[1]?.trim();
  const flags = new Set((field('flags') ?? '').split(/\s+/));
  const git = (args: string[]): string | undefined => {
    try {
      return execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return undefined;
    }
  };
  return {
    cpuModel: field('model name') ?? cpus()[0]?.model ?? 'unknown',
    cpuFamily: field('cpu family'),
    cpuModelNumber: field('model'),
    cpuFlags: ['avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512_vnni', 'avx512_bf16'].filter((f) => flags.has(f)),
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    ort: ort.env.versions.node ?? ort.env.versions.common,
    edgelite: LiteGlobal.version,
    edgeliteBackends: LiteGlobal.builtBackends,
    addon: relative(ROOT, addon.source).startsWith('..') ? addon.source : relative(ROOT, addon.source),
    addonBuilt: addon.sourceModified,
    addonSha256: addon.sha256.slice(0, 16),
    gitCommit: git(['rev-parse', '--short', 'HEAD']),
    gitDirty: (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
  };
}

const fmt = (value: number | undefined, digits = 1): string => {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (digits === 1 && Math.abs(value) < 10) return value.toFixed(2);
  return value.toFixed(digits);
};
const mib = (bytes: number | undefined): string => (bytes === undefined ? '—' : (bytes / 2 ** 20).toFixed(1));
const percent = (share: number | undefined): string => (share === undefined ? '—' : `${Math.round(share * 100)}%`);
const ratioText = (ratio: number | undefined): string => (ratio === undefined ? '—' : ratio >= 0.1 ? ratio.toFixed(2) : ratio.toFixed(4));

function table(results: CaseResult[], options: Options, geomeans: Map<number, number | undefined>): string {
  const several = options.processes > 1;
  const header = ['model', 'threads', several ? 'iters (all)' : 'iters', options.device === 'cpu' ? 'edgelite ms' : `edgelite (${options.device}) ms`, 'ORT ms', 'ORT/edgelite',
    ...(several ? ['range'] : []), 'load ms (el / ORT)', 'first run ms (el / ORT)'];
  if (options.memory) header.push('peak RSS Δ MiB (el / ORT)', 'heap Δ MiB (el / ORT)');
  header.push(several ? 'other load (max)' : 'other load');
  const rows = results.map((r) => {
    const cell = (e: EngineResult, value: number | undefined): string => (e.error && value === undefined ? 'failed' : fmt(value));
    const iters = Math.max(r.edgelite.timing?.iterations ?? 0, r.ort.timing?.iterations ?? 0);
    const row = [
      r.model, String(r.threads), String(iters),
      cell(r.edgelite, r.edgelite.timing?.medianMs), cell(r.ort, r.ort.timing?.medianMs), ratioText(r.ratio),
      ...(several ? [r.ratioRange ? `${ratioText(r.ratioRange[0])}–${ratioText(r.ratioRange[1])}` : '—'] : []),
      `${cell(r.edgelite, r.edgelite.loadMs)} / ${cell(r.ort, r.ort.loadMs)}`,
      `${cell(r.edgelite, r.edgelite.firstRunMs)} / ${cell(r.ort, r.ort.firstRunMs)}`,
    ];
    if (options.memory) {
      const mem = (e: EngineResult, bytes: (m: MemoryResult) => number): string =>
        (e.memory && !e.memory.error ? mib(bytes(e.memory)) : e.memory?.error ? 'failed' : '—');
      const peak = (m: MemoryResult): number => m.peakDeltaBytes;
      const anon = (m: MemoryResult): number => m.anonDeltaBytes;
      row.push(`${mem(r.edgelite, peak)} / ${mem(r.ort, peak)}`, `${mem(r.edgelite, anon)} / ${mem(r.ort, anon)}`);
    }
    row.push(percent(r.othersCpuShare));
    return row;
  });
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 1 ? '---' : '--:')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  lines.push('');
  for (const [threads, g] of geomeans) {
    const n = results.filter((r) => r.threads === threads && r.ratio !== undefined).length;
    lines.push(`geometric mean of ORT/edgelite, ${threads} thread${threads > 1 ? 's' : ''}: ${ratioText(g)} (${n} model${n === 1 ? '' : 's'})`);
  }
  const failures = results.flatMap((r) => (['edgelite', 'ort'] as const)
    .filter((e) => r[e].error)
    .map((e) => `${r.model} ${r.threads}t ${e === 'ort' ? 'ORT' : 'edgelite'}: ${r[e].error}`));
  if (failures.length > 0) lines.push('', 'failures:', ...failures.map((f) => `  ${f}`));
  const disturbed = results.filter((r) => (r.othersCpuShare ?? 0) > 0.25);
  if (disturbed.length > 0) {
    lines.push('', `warning: other processes used more than 25% of the cores during ${disturbed.length} of ` +
      `${results.length} cases (${disturbed.map((r) => `${r.model} ${r.threads}t`).join(', ')}): their times are ` +
      'inflated, 2-thread ones most; rerun on a quiet machine');
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------- main

/** Every case, timed in this process. */
async function timeAll(models: ModelCase[], options: Options): Promise<CaseResult[]> {
  // Both engines' one-time set-up (edgelite's addon, ORT's environment) before any load is timed.
  progress('starting the engines');
  void LiteGlobal.version;
  try {
    const session = await ort.InferenceSession.create(realModels()[0]!.path, ortOptions(1));
    await session.release();
  } catch {
    // A failing ORT shows up per model below.
  }

  const results: CaseResult[] = [];
  const total = models.length * options.threads.length;
  for (const threads of options.threads) {
    for (const model of models) {
      const run = process.env.EDGELITE_BENCH_RUN;
      const label = `${run ? `(process ${run}) ` : ''}[${results.length + 1}/${total}] ${model.name} ${threads}t:`;
      const result = await timeCase(model, threads, options, label);
      results.push(result);
      const iters = Math.max(result.edgelite.timing?.iterations ?? 0, result.ort.timing?.iterations ?? 0);
      note(`${label} ${iters} iterations, edgelite ${fmt(result.edgelite.timing?.medianMs)} ms, ORT ` +
        `${fmt(result.ort.timing?.medianMs)} ms, ORT/edgelite ${ratioText(result.ratio)} (${result.wallSeconds.toFixed(1)} s, ` +
        `other processes used ${percent(result.othersCpuShare)} of the cores)`);
    }
  }
  return results;
}

/** The timing of every case, in `options.processes` fresh processes one after another (this script, again). */
async function timeInProcesses(options: Options, dir: string): Promise<CaseResult[][]> {
  const args = process.argv.slice(2);
  const childArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--processes' || arg === '--out') {
      i++;
    } else if (!arg.startsWith('--processes=') && !arg.startsWith('--out=') && arg !== '--no-memory') {
      childArgs.push(arg);
    }
  }
  const runs: CaseResult[][] = [];
  for (let p = 1; p <= options.processes; p++) {
    const out = join(dir, `process-${p}.json`);
    const code = await new Promise<number | null>((resolveCode) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...childArgs, '--no-memory', '--out', out], {
        cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, EDGELITE_BENCH_RUN: `${p}/${options.processes}`, npm_lifecycle_event: '' },
      });
      child.on('error', () => resolveCode(-1));
      child.on('close', (c) => resolveCode(c));
    });
    if (code !== 0) throw new Error(`timing process ${p}/${options.processes} failed (exit ${String(code)})`);
    runs.push((JSON.parse(readFileSync(out, 'utf8')) as { results: CaseResult[] }).results);
  }
  return runs;
}

const median = (values: number[]): number | undefined => {
  if (values.length === 0) return undefined;
  return quantile([...values].sort((a, b) => a - b), 0.5);
};

/** One result per case from several processes' results: medians of the per-process figures, pooled samples. */
function aggregate(runs: CaseResult[][]): CaseResult[] {
  return runs[0]!.map((first, index) => {
    const cases = runs.map((run) => run[index]!);
    const engine = (name: 'edgelite' | 'ort'): EngineResult => {
      const all = cases.map((c) => c[name]);
      const defined = (values: (number | undefined)[]): number[] => values.filter((v): v is number => v !== undefined);
      const result: EngineResult = {};
      const error = all.find((e) => e.error)?.error;
      if (error) result.error = error;
      result.loadMs = median(defined(all.map((e) => e.loadMs)));
      result.firstRunMs = median(defined(all.map((e) => e.firstRunMs)));
      const processMedians = defined(all.map((e) => e.timing?.medianMs));
      const pooled = all.flatMap((e) => e.samplesMs ?? []);
      const pooledStats = stats(pooled);
      if (pooledStats && processMedians.length > 0) {
        result.timing = { ...pooledStats, medianMs: median(processMedians)! };
        result.processMediansMs = processMedians;
      }
      return result;
    };
    const ratios = cases.map((c) => c.ratio).filter((r): r is number => r !== undefined);
    const others = cases.map((c) => c.othersCpuShare).filter((v): v is number => v !== undefined);
    const steal = cases.map((c) => c.stealShare).filter((v): v is number => v !== undefined);
    const result: CaseResult = {
      model: first.model, shape: first.shape, threads: first.threads, edgelite: engine('edgelite'), ort: engine('ort'),
      wallSeconds: cases.reduce((a, c) => a + c.wallSeconds, 0),
    };
    if (ratios.length > 0) {
      result.ratio = median(ratios);
      result.ratioRange = [Math.min(...ratios), Math.max(...ratios)];
      result.processRatios = ratios;
    }
    const l2 = cases.map((c) => c.maxRelativeL2).filter((v): v is number => v !== undefined);
    if (l2.length > 0) result.maxRelativeL2 = Math.max(...l2);
    if (others.length > 0) result.othersCpuShare = Math.max(...others);
    if (steal.length > 0) result.stealShare = Math.max(...steal);
    return result;
  });
}

async function main(): Promise<void> {
  const all = realModels();
  const options = parseOptions(process.argv.slice(2), all.map((m) => m.name));
  const models = options.models.map((name) => all.find((m) => m.name === name)!);
  ort.env.logLevel = 'error';
  const args = process.argv.slice(2).join(' ');
  const command = process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${args ? ` -- ${args}` : ''}`
    : `tsx ${relative(ROOT, fileURLToPath(import.meta.url))}${args ? ` ${args}` : ''}`;
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'edgelite-bench-'));
  try {
    await run(options, models, dir, command, started);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Load time of an OpenCL network in a fresh process, first with empty program caches (edgelite's and PoCL's),
 * then again with the caches the first one filled. */
async function measureProgramCache(model: ModelCase, dir: string): Promise<{ coldMs?: number; warmMs?: number; error?: string }> {
  progress('OpenCL program cache: cold and warm loads');
  const cacheDir = join(dir, 'cl-cache');
  mkdirSync(cacheDir, { recursive: true });
  const env = { ...process.env, EDGELITE_CACHE_DIR: cacheDir, POCL_CACHE_DIR: join(cacheDir, 'pocl') };
  const child = (): Promise<number> => new Promise((resolveLoad, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'cl-load-child.ts'), model.name], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    proc.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    proc.on('close', (code) => {
      const ms = Number(/loadMs=([0-9.]+)/.exec(out)?.[1]);
      if (code === 0 && Number.isFinite(ms)) resolveLoad(ms);
      else reject(new Error(`cl-load-child exited ${String(code)}: ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
  try {
    const coldMs = await child();
    const warmMs = await child();
    return { coldMs, warmMs };
  } catch (error) {
    return { error: errorText(error) };
  }
}

async function run(options: Options, models: ModelCase[], dir: string, command: string, started: number): Promise<void> {
  const date = new Date().toISOString();
  const addon = await pinAddon(dir);
  const machine = machineInfo(addon);
  const loadStart = loadavg().map((v) => Math.round(v * 100) / 100);

  let results: CaseResult[];
  let runs: CaseResult[][] | undefined;
  if (options.processes > 1) {
    runs = await timeInProcesses(options, dir);
    results = aggregate(runs);
  } else {
    results = await timeAll(models, options);
  }
  const timingSeconds = (performance.now() - started) / 1000;
  if (options.memory) await measureMemory(results);
  const programCache = options.device === 'opencl' ? await measureProgramCache(models[0]!, dir) : undefined;
  endProgress();

  const geomeans = new Map<number, number | undefined>();
  for (const threads of options.threads) {
    geomeans.set(threads, geomean(results.filter((r) => r.threads === threads && r.ratio !== undefined).map((r) => r.ratio!)));
  }
  const totalSeconds = (performance.now() - started) / 1000;
  // Other processes on this 2-core machine skew the times (the ratios less so): the load average shows them.
  const loadEnd = loadavg().map((v) => Math.round(v * 100) / 100);
  const machineLine = `${String(machine.cpuModel)} (family ${String(machine.cpuFamily)} model ${String(machine.cpuModelNumber)}), ` +
    `${String(machine.cores)} cores, ${String(machine.memoryGiB)} GiB, Linux ${String(machine.kernel)}, Node ${process.version}, ` +
    `onnxruntime-node ${String(machine.ort)}, edgelite ${String(machine.edgelite)} (${String(machine.gitCommit)}${machine.gitDirty ? '+dirty' : ''}, ` +
    `addon sha256 ${String(machine.addonSha256).slice(0, 8)} built ${String(machine.addonBuilt)})`;

  const report = {
    date,
    command,
    machine,
    machineLine,
    options: { models: options.models, threads: options.threads, seconds: options.seconds, minIters: options.minIters, gapMs: options.gapMs, block: options.block, pauseMs: options.pauseMs,
      floorIters: FLOOR_ITERS, capSeconds: options.seconds * CAP_FACTOR, memory: options.memory, quick: options.quick,
      processes: options.processes },
    ortSessionOptions: { interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' },
    results,
    processRuns: runs?.map((run) => run.map((c) => ({
      ...c, edgelite: { ...c.edgelite, samplesMs: undefined }, ort: { ...c.ort, samplesMs: undefined },
    }))),
    geomeanRatio: Object.fromEntries([...geomeans].map(([t, g]) => [`${t}`, g ?? null])),
    device: options.device,
    programCache,
    loadAverage: { start: loadStart, end: loadEnd },
    timingSeconds,
    totalSeconds,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);

  const cacheLine = programCache
    ? `OpenCL program cache (${models[0]!.name}, fresh processes): load ${fmt(programCache.coldMs)} ms cold, ` +
      `${fmt(programCache.warmMs)} ms warm\n`
    : '';
  process.stdout.write(`${date}\n${machineLine}\ncommand: ${command}\n\n${table(results, options, geomeans)}\n\n${cacheLine}` +
    `timed runs: median ms per inference${options.processes > 1 ? ` (the median of ${options.processes} processes' ` +
      'medians; ORT/edgelite: the median of their ratios, range: their lowest and highest)' : ''}; ` +
    `ORT/edgelite > 1: edgelite is faster; other load: the share of the ` +
    `machine's cores that other processes used during the timed runs. ` +
    `${totalSeconds.toFixed(0)} s in all (timing ${timingSeconds.toFixed(0)} s); load average ` +
    `${loadStart.join(' ')} at the start, ${loadEnd.join(' ')} at the end. JSON: ${options.out.startsWith(`${process.cwd()}/`) ? relative(process.cwd(), options.out) : options.out}\n`);
}

main().catch((error: unknown) => {
  endProgress();
  process.stderr.write(`bench: ${String((error as Error)?.message ?? error)}\n`);
  process.exit(1);
});
