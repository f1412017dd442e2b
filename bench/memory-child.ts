// Memory of one engine running one model, measured in a process of its own (bench/models.ts spawns it):
//
//   node --expose-gc --import tsx bench/memory-child.ts <edgelite|ort> <model> <threads>
//
// Prints one JSON line (MemoryResult) on stdout. RSS comes from /proc/self/status: VmRSS is the current resident
// set, VmHWM its high-water mark. Before the load, the engine's native library is already loaded, the input is
// built, the garbage collector has run and the heap's free memory is released (LiteGlobal.releaseUnusedMemory, for
// both engines); then VmHWM is reset to the current RSS (writing 5 to
// /proc/self/clear_refs), so the peak read after the first run is the peak of load + first run alone.
import { readFileSync, writeFileSync } from 'node:fs';

import * as ort from 'onnxruntime-node';

import { LiteGlobal, LiteIO, LiteLayout, LiteNetwork, LiteNetworkIO } from '../sdk/src/index.js';
import { realModels } from '../test/fixtures/models.js';

export interface MemoryResult {
  engine: string;
  model: string;
  threads: number;
  /** VmRSS right before the load. */
  rssBeforeBytes: number;
  /** VmRSS after the load (edgelite: with the input layout planned), minus rssBeforeBytes. */
  loadDeltaBytes: number;
  /** VmRSS after the first run, minus rssBeforeBytes: what stays resident while the model is kept loaded. */
  runDeltaBytes: number;
  /** VmHWM after the first run, minus rssBeforeBytes: the peak of load + first run. */
  peakDeltaBytes: number;
  /** RssAnon after the first run minus before (heap: weights, activations, arenas). */
  anonDeltaBytes: number;
  /** RssFile after the first run minus before (file pages: mostly the engine's code as it is first used). */
  fileDeltaBytes: number;
  /** Whether VmHWM could be reset before the load (else the peak is the process's peak: an upper bound). */
  peakReset: boolean;
  loadMs: number;
  firstRunMs: number;
  error?: string;
}

function procStatus(): { rss: number; hwm: number; anon: number; file: number } {
  const text = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM'), anon: field('RssAnon'), file: field('RssFile') };
}

function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const [engine = '', modelName = '', threadsText = '1'] = process.argv.slice(2);
  const threads = Number(threadsText);
  if (engine !== 'edgelite' && engine !== 'ort') throw new Error(`engine must be edgelite or ort, got '${engine}'`);
  if (!Number.isSafeInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got '${threadsText}'`);
  const model = realModels().find((m) => m.name === modelName);
  if (!model) throw new Error(`unknown model '${modelName}' (models: ${realModels().map((m) => m.name).join(', ')})`);
  const input = model.input();
  const result: MemoryResult = {
    engine, model: modelName, threads, rssBeforeBytes: 0, loadDeltaBytes: 0, runDeltaBytes: 0, peakDeltaBytes: 0,
    anonDeltaBytes: 0, fileDeltaBytes: 0, peakReset: false, loadMs: 0, firstRunMs: 0,
  };

  let load: () => Promise<() => Promise<void>>;
  if (engine === 'edgelite') {
    void LiteGlobal.version;                                      // loads the addon
    const inputName = LiteNetwork.getModelIoInfo(model.path).inputs[0]!.name;
    load = async () => {
      const network = new LiteNetwork({
        io: new LiteNetworkIO({ inputs: [new LiteIO(inputName, { layout: new LiteLayout(model.shape, 'float32') })] }),
      });
      network.threadsNumber = threads;
      network.load(model.path);
      network.getInputTensor(0).setDataByShare(input);
      return () => network.forwardAsync();
    };
  } else {
    ort.env.logLevel = 'error';
    load = async () => {
      const session = await ort.InferenceSession.create(model.path, {
        intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
        logSeverityLevel: 3,
      });
      const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, model.shape) };
      return async () => {
        await session.run(feeds);
      };
    };
  }

  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 50));
  // Both engines start from a heap without retained free memory: edgelite releases it after its load and first
  // run (malloc_trim), which would otherwise also return what this process freed before and count against its
  // own growth.
  LiteGlobal.releaseUnusedMemory();
  const before = procStatus();
  result.rssBeforeBytes = before.rss;
  result.peakReset = resetPeak();
  try {
    let started = performance.now();
    const run = await load();
    result.loadMs = performance.now() - started;
    result.loadDeltaBytes = procStatus().rss - before.rss;
    started = performance.now();
    await run();
    result.firstRunMs = performance.now() - started;
    const after = procStatus();
    result.runDeltaBytes = after.rss - before.rss;
    result.peakDeltaBytes = after.hwm - before.rss;
    result.anonDeltaBytes = after.anon - before.anon;
    result.fileDeltaBytes = after.file - before.file;
  } catch (error) {
    result.error = String((error as Error).message ?? error).split('\n')[0];
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`memory-child: ${String((error as Error).message ?? error)}\n`);
    process.exit(2);
  },
);
