// The package as a user gets it: `import { LiteTensor } from 'edgelite'` from another folder, and the CLI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};
const app = mkdtempSync(join(tmpdir(), 'edgelite-app-'));
afterAll(() => rmSync(app, { recursive: true, force: true }));

test('another folder that depends on edgelite imports it (ESM, with types)', () => {
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', dependencies: { edgelite: `file:${root}` } }));
  // What npm does for a file: dependency: a link in node_modules.
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(root, join(app, 'node_modules', 'edgelite'));
  writeFileSync(
    join(app, 'main.mjs'),
    `import { LiteTensor, LiteLayout, LiteGlobal } from 'edgelite';
const t = new LiteTensor(new LiteLayout([2, 2], 'int32'));
t.setDataByCopy([1, 2, 3, 4]);
console.log(JSON.stringify({ data: Array.from(t.toTypedArray()), version: LiteGlobal.version }));`,
  );
  const out = JSON.parse(execFileSync(process.execPath, ['main.mjs'], { cwd: app, encoding: 'utf8' })) as {
    data: number[];
    version: string;
  };
  expect(out).toEqual({ data: [1, 2, 3, 4], version: manifest.version });
  // The type declarations the package points at exist and declare the API.
  const types = readFileSync(join(root, 'dist', 'sdk', 'src', 'index.d.ts'), 'utf8');
  expect(types).toMatch(/LiteTensor/);
});

test('the edgelite bin prints the version', () => {
  const bin = join(root, manifest.bin['edgelite']!);
  expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim()).toBe(manifest.version);
  expect(execFileSync(process.execPath, [bin, 'devices'], { encoding: 'utf8' })).toMatch(/LITE_CPU: 1 device/);
});

test('a missing addon is a LiteError that says how to build one', () => {
  const script = `import('edgelite').then(({ LiteTensor }) => { try { new LiteTensor([1]); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); } });`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, EDGELITE_ADDON: '/nonexistent/edgelite.node' },
  });
  const error = JSON.parse(out) as { code: string; message: string };
  expect(error.code).toBe('ADDON_NOT_FOUND');
  expect(error.message).toMatch(/npm run bootstrap|build:native/);
});

test('edgelite tour binds a frame with zero copies and round-trips it through each device', () => {
  const bin = join(root, manifest.bin['edgelite']!);
  const out = execFileSync(process.execPath, [bin, 'tour'], { encoding: 'utf8' });
  expect(out).toMatch(/by share: copied 0 bytes/);
  expect(out).toMatch(/the tensor sees 255/);
  expect(out).toMatch(/moved 49152 bytes \(= 49152\)/);
  expect(out).not.toMatch(/equal: false/);
});

test('edgelite info prints IO, ops, fused nodes and planned memory, and names unsupported ops', async () => {
  const { realModels } = await import('../fixtures/models.js');
  const cls = realModels().find((m) => m.name === 'ppocr-cls')!;
  const bin = join(root, manifest.bin['edgelite']!);
  const out = execFileSync(process.execPath, [bin, 'info', cls.path, '--shape', 'x=1x3x48x192'], { encoding: 'utf8' });
  expect(out).toMatch(/x: float\[p2o\.DynamicDimension\.0, 3, /);
  expect(out).toMatch(/Conv\s+53/);
  expect(out).toMatch(/Conv\+BatchNormalization/);
  expect(out).toMatch(/activation arena \d+\.\d+ MiB/);
  const { buildModel } = await import('../fixtures/onnx-builder.js');
  const file = join(app, 'fancy.onnx');
  writeFileSync(file, buildModel({
    inputs: [{ name: 'x', type: 'float', dims: [1] }],
    outputs: [{ name: 'y', type: 'float', dims: [1] }],
    nodes: [{ op: 'FancyOp', inputs: ['x'], outputs: ['y'] }],
  }));
  let failed: { status: number; stdout: string } | undefined;
  try {
    execFileSync(process.execPath, [bin, 'info', file], { encoding: 'utf8' });
  } catch (error) {
    failed = error as { status: number; stdout: string };
  }
  expect(failed?.status).toBe(1);
  expect(failed?.stdout).toMatch(/unsupported ops: FancyOp/);
});
