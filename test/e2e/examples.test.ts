// The examples run as a user runs them (they import 'edgelite', resolved to this package).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { expect, test } from 'vitest';

import { realModels } from '../fixtures/models.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('examples/zero-copy.ts runs a loop with no IO bytes copied', () => {
  const model = realModels().find((m) => m.name === 'blazeface-front-128')!;
  const out = execFileSync('npx', ['--no-install', 'tsx', 'examples/zero-copy.ts', model.path, '--frames', '5'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(out).toMatch(/5 frames: latency p50 \d+\.\d+ ms/);
  expect(out).toMatch(/IO bytes copied by the runtime: 0 /);
});

test('examples/camera-app.ts runs the pipeline to a broker', async () => {
  const { startEmbeddedBroker } = await import('../../sdk/src/cli/broker.js');
  const broker = await startEmbeddedBroker();
  try {
    const model = realModels().find((m) => m.name === 'blazeface-front-128')!;
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'tsx', 'examples/camera-app.ts', '--model', model.path,
      '--source', 'testsrc:160x120?fps=30', '--mqtt', broker.url, '--frames', '4'], { cwd: root, encoding: 'utf8' });
    expect(stdout).toMatch(/4 frames, 4 results published/);
  } finally {
    await broker.close();
  }
});
