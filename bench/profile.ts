// Per-node profile of the real models: where edgelite's time goes, by op type and by node.
//
//   npx tsx bench/profile.ts [--models a,b] [--threads N] [--runs N] [--top N]
//
// Runs each model `runs` times with enableProfilePerformance, then prints the per-run median time per op type
// (share of the total) and the slowest nodes. The Chrome traces stay in $TMPDIR/edgelite-profile-*.json.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LiteIO, LiteLayout, LiteNetwork, LiteNetworkIO } from '../sdk/src/index.js';
import { realModels } from '../test/fixtures/models.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const wanted = option('models', '').split(',').filter(Boolean);
const threads = Number(option('threads', '1'));
const runs = Number(option('runs', '20'));
const top = Number(option('top', '15'));
const dir = mkdtempSync(join(tmpdir(), 'edgelite-profile-'));

interface TraceEvent { name: string; cat: string; dur: number }

for (const model of realModels().filter((m) => wanted.length === 0 || wanted.includes(m.name))) {
  const inputName = LiteNetwork.getModelIoInfo(model.path).inputs[0]!.name;
  const network = new LiteNetwork({ io: new LiteNetworkIO({ inputs: [new LiteIO(inputName, { layout: new LiteLayout(model.shape) })] }) });
  network.threadsNumber = threads;
  network.load(model.path);
  const data = model.input();
  network.getInputTensor(0).setDataByShare(data);
  for (let i = 0; i < 3; i++) network.forward(), network.wait();
  const trace = join(dir, `${model.name}.json`);
  network.enableProfilePerformance(trace);
  for (let i = 0; i < runs; i++) {
    network.forward();
    network.wait();
  }
  const events = (JSON.parse(readFileSync(trace, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const perRun = events.length / runs;
  const byType = new Map<string, number>();
  const byNode = new Map<string, { op: string; us: number }>();
  for (const e of events) {
    byType.set(e.cat, (byType.get(e.cat) ?? 0) + e.dur / runs);
    const node = byNode.get(e.name) ?? { op: e.cat, us: 0 };
    node.us += e.dur / runs;
    byNode.set(e.name, node);
  }
  const total = [...byType.values()].reduce((a, b) => a + b, 0);
  console.log(`\n${model.name} (${threads} thread(s)): ${perRun} nodes, ${(total / 1000).toFixed(2)} ms per run in nodes`);
  for (const [op, us] of [...byType.entries()].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${op.padEnd(24)} ${(us / 1000).toFixed(3).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%`);
  }
  console.log('  slowest nodes:');
  for (const [name, n] of [...byNode.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, top)) {
    console.log(`    ${name.padEnd(40)} ${n.op.padEnd(18)} ${(n.us / 1000).toFixed(3)} ms`);
  }
}
