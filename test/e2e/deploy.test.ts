// `edgelite deploy` end to end: the packed package, a model and a pipeline config go over a real ssh (Debian's sshd
// on a loopback port, temporary keys) into a temporary prefix; the installed package runs the pipeline from there
// and its results arrive on a real mosquitto; the generated unit passes `systemd-analyze verify`. Then each way a
// deploy can fail (refused port, refused key, missing model, broken config, no addon for the device, a model the
// device cannot load, a release that sends nothing) must fail clearly and leave the installed release running.
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { deploy, parseDeployArgs } from '../../device/deploy/deploy.js';
import { LiteError } from '../../sdk/src/errors.js';
import { decodeResult } from '../../sdk/src/mqtt/codec.js';
import { Mosquitto, mosquittoAvailable, freePort } from '../fixtures/mosquitto.js';
import { buildModel } from '../fixtures/onnx-builder.js';
import { SSHD_PATH, Sshd } from '../fixtures/sshd.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'dist', 'sdk', 'src', 'cli', 'main.js');
const run = promisify(execFile);
// In CI a missing sshd or mosquitto is a failure of the set-up, not a reason to skip.
const missing = !SSHD_PATH ? '/usr/sbin/sshd is missing (apt-get install openssh-server, or npm run bootstrap)'
  : !mosquittoAvailable ? 'mosquitto is missing (apt-get install mosquitto)' : undefined;
const skip = missing !== undefined && process.env.CI !== 'true';
if (skip) console.warn(`deploy tests skipped: ${missing}`);

const SERVICE = 'edgelite-e2e';

/** The device sees the package as npm pack makes it; dist/ must be built from the current sources. */
function checkDistFresh(): void {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const js = join(root, 'dist', relative(root, path)).replace(/\.ts$/, '.js');
        if (!existsSync(js) || statSync(js).mtimeMs < statSync(path).mtimeMs) stale.push(relative(root, path));
      }
    }
  };
  walk(join(root, 'sdk', 'src'));
  walk(join(root, 'device'));
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.slice(0, 3).join(', ')}: run npm run build:ts`);
}

/** Resolves with `count` decoded results from TOPIC/result, or rejects after `ms`. */
async function results(url: string, topic: string, count: number, ms = 15_000): Promise<ReturnType<typeof decodeResult>[]> {
  const client = mqtt.connect(url, { reconnectPeriod: 200 });
  const got: ReturnType<typeof decodeResult>[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${got.length} of ${count} results on ${topic}/result within ${ms} ms`)), ms);
      client.on('connect', () => client.subscribe(`${topic}/result`, { qos: 1 }));
      client.on('message', (_t, payload) => {
        got.push(decodeResult(payload, { copy: true }));
        if (got.length === count) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    await client.endAsync(true);
  }
  return got;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe.skipIf(skip)('edgelite deploy over a real sshd to a temporary prefix', () => {
  let sshd: Sshd;
  let broker: Mosquitto;
  let work: string;
  let prefix: string;
  let goodPackage: string;     // npm pack with this machine's addon as prebuilds/linux-<arch>, as build:prebuilds adds it
  let noAddonPackage: string;  // the same without it
  const pids = new Set<number>();
  const servicePid = (): number => Number(readFileSync(join(prefix, `${SERVICE}.pid`), 'utf8'));
  const current = (): string => readlinkSync(join(prefix, 'current'));
  const releases = (): string[] => readdirSync(join(prefix, 'releases')).sort();
  const config = (name: string, fields: Record<string, unknown>): string => {
    const file = join(work, name);
    writeFileSync(file, JSON.stringify(fields));
    return file;
  };
  /** deploy's options for the test device; `extra` adds or overrides flags. */
  const args = (configFile: string, extra: string[] = [], target = sshd.target): string[] => [
    target, '--config', configFile, '--key', sshd.key, '--known-hosts', sshd.knownHosts, '--prefix', prefix,
    '--service', SERVICE, '--package', goodPackage, '--start-with', 'exec', '--check-timeout', '20', ...extra,
  ];
  const deployIn = async (argv: string[]): Promise<string[]> => {
    const lines: string[] = [];
    try {
      await deploy(parseDeployArgs(argv), (line) => lines.push(line));
    } finally {
      if (existsSync(join(prefix, `${SERVICE}.pid`))) pids.add(servicePid());
    }
    return lines;
  };
  /** The installed release is still the same, and its pipeline still publishes. */
  async function stillRunning(release: string, pid?: number): Promise<void> {
    expect(current()).toBe(release);
    if (pid !== undefined) expect(alive(pid)).toBe(true);
    expect(await results(broker.url, 'good', 2)).toHaveLength(2);
  }

  beforeAll(async () => {
    checkDistFresh();
    [sshd, broker] = await Promise.all([Sshd.start(), Mosquitto.start()]);
    work = mkdtempSync(join(tmpdir(), 'edgelite-deploy-e2e-'));
    prefix = join(work, 'device', 'opt-edgelite');
    mkdirSync(dirname(prefix), { recursive: true });
    // The package: npm pack once, then repacked with and without this machine's addon (whatever prebuilds/ holds here).
    const { stdout } = await run('npm', ['pack', root, '--silent', '--pack-destination', work]);
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', join(work, stdout.trim().split('\n').pop()!), '-C', unpacked]);
    const addonDir = join(unpacked, 'package', 'prebuilds', `linux-${process.arch}`);
    rmSync(addonDir, { recursive: true, force: true });
    noAddonPackage = join(work, 'edgelite-no-addon.tgz');
    execFileSync('tar', ['-czf', noAddonPackage, '-C', unpacked, 'package']);
    mkdirSync(addonDir, { recursive: true });
    writeFileSync(join(addonDir, 'edgelite.node'), readFileSync(join(root, 'build', 'Release', 'edgelite.node')));
    goodPackage = join(work, 'edgelite-with-addon.tgz');
    execFileSync('tar', ['-czf', goodPackage, '-C', unpacked, 'package']);
    // A small image model: the mean of each channel of a 32x32 RGB frame.
    writeFileSync(join(work, 'channel-mean.onnx'), buildModel({
      inputs: [{ name: 'image', type: 'float', dims: [1, 32, 32, 3] }],
      outputs: [{ name: 'mean', type: 'float', dims: [1, 3] }],
      nodes: [{ op: 'ReduceMean', inputs: ['image'], outputs: ['mean'], attributes: { axes: [1, 2], keepdims: 0 } }],
    }));
  }, 60_000);

  afterAll(async () => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await Promise.all([sshd?.dispose(), broker?.dispose()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const goodConfig = (): string => config('good.json', {
    model: 'channel-mean.onnx', source: 'testsrc:32x32?fps=20', mqtt: broker.url, topic: 'good', qos: 1, statusEvery: 60,
  });

  test('--dry-run prints every step with its commands, and connects to nothing', async () => {
    const closed = await freePort();
    const { stdout } = await run(process.execPath, [bin, 'deploy', `${sshd.user}@127.0.0.1:${closed}`, '--config', goodConfig(),
      '--key', sshd.key, '--prefix', prefix, '--package', goodPackage, '--dry-run']);
    for (const step of ['checking the local inputs', 'probing', 'assembling the release', 'uploading to', 'installing and verifying',
      'writing the service unit', 'switching', 'starting the service', 'waiting for 3 results']) {
      expect(stdout).toContain(`==> ${step}`);
    }
    expect(stdout).toMatch(/\$ scp .*-P \d+ .*channel-mean\.onnx /);
    expect(stdout).toMatch(/ExecStart=\S+ \S+\/current\/node_modules\/edgelite\/dist\/sdk\/src\/cli\/main\.js run --config \S+\/current\/pipeline\.json/);
    expect(stdout).toMatch(/ln -sfn releases\/(\S+) \.current-\1 && mv -Tf \.current-\1 current/);
    expect(stdout).toMatch(/systemctl restart edgelite\.service/);
    expect(stdout).toMatch(/dry run done: nothing was changed/);
    expect(existsSync(prefix)).toBe(false);
  });

  let good: string;
  let goodPid: number;

  test('deploys: the installed package runs the pipeline, its results arrive on mosquitto, the unit verifies', async () => {
    const { stdout } = await run(process.execPath, [bin, 'deploy', ...args(goodConfig())], { timeout: 90_000 });
    expect(stdout).toMatch(/x86_64|aarch64/);
    expect(stdout).toMatch(/got good\/result seq \d+ .* mean float32\[1,3\]/);
    expect(stdout).toMatch(/^deployed: /m);
    good = current();
    expect(good).toMatch(/^releases\/\d{8}-\d{6}-\d{3}$/);
    // What the device has: the package with its dependencies, the model, the config pointing at the model.
    const release = join(prefix, good);
    expect(existsSync(join(release, 'node_modules', 'edgelite', 'prebuilds', `linux-${process.arch}`, 'edgelite.node'))).toBe(true);
    expect(existsSync(join(release, 'node_modules', 'mqtt', 'package.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(release, 'pipeline.json'), 'utf8'))).toMatchObject({ model: 'model/channel-mean.onnx', topic: 'good' });
    goodPid = servicePid();
    pids.add(goodPid);
    expect(alive(goodPid)).toBe(true);
    expect(readFileSync(`/proc/${goodPid}/cmdline`, 'utf8').split('\0')).toContain(`${prefix}/current/pipeline.json`);
    // Results decoded by an independent subscriber: the channel means of the test pattern, in [0, 1].
    for (const result of await results(broker.url, 'good', 3)) {
      expect(result.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([['mean', 'float32', [1, 3]]]);
      for (const v of result.tensors[0]!.data as Float32Array) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    // The unit as installed verifies; the same unit with a node that does not exist does not (the check bites).
    const unit = join(prefix, `${SERVICE}.service`);
    const text = readFileSync(unit, 'utf8');
    expect(text).toMatch(/^Restart=on-failure$/m);
    expect(text).toMatch(/^StandardOutput=journal$/m);
    await run('systemd-analyze', ['verify', unit]);
    const broken = join(work, 'broken-node.service');
    writeFileSync(broken, text.replace(/^ExecStart=\S+/m, 'ExecStart=/nonexistent/node'));
    await expect(run('systemd-analyze', ['verify', broken])).rejects.toMatchObject({ stderr: expect.stringMatching(/nonexistent\/node/) });
  }, 90_000);

  test('a refused port: DEPLOY_FAILED saying to check host, port and sshd; the device is untouched', async () => {
    const closed = await freePort();
    const error = await deployIn(args(goodConfig(), [], `${sshd.user}@127.0.0.1:${closed}`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiteError);
    expect(error).toMatchObject({ code: 'DEPLOY_FAILED', message: expect.stringMatching(new RegExp(`port ${closed} refused the connection.*host and port.*sshd runs`)) });
    await stillRunning(good, goodPid);
  });

  test('a refused key: DEPLOY_FAILED naming the key and the ssh-copy-id command', async () => {
    const before = releases();
    const error = await deployIn(args(goodConfig(), ['--key', sshd.strangerKey])).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'DEPLOY_FAILED',
      message: expect.stringContaining(`refused the key ${sshd.strangerKey}`),
    });
    expect((error as Error).message).toContain(`ssh-copy-id -i ${sshd.strangerKey}.pub -p ${sshd.port} ${sshd.user}@127.0.0.1`);
    expect(releases()).toEqual(before);
    await stillRunning(good, goodPid);
  });

  test('a missing model: IO_ERROR naming the path, before anything is sent', async () => {
    const before = releases();
    const missingModel = join(work, 'no-such-model.onnx');
    const error = await deployIn(args(goodConfig(), ['--model', missingModel])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IO_ERROR', message: expect.stringContaining(`the model ${missingModel} does not exist`) });
    expect(releases()).toEqual(before);
    await stillRunning(good, goodPid);
  });

  test('a broken config: INVALID_ARGUMENT naming the file and every bad field', async () => {
    const before = releases();
    const bad = config('bad.json', { model: 'channel-mean.onnx', source: 'testsrc:32x32', mqtt: broker.url, qos: 3, thread: 2 });
    const error = await deployIn(args(bad)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((error as Error).message).toContain(`pipeline config ${bad} has 2 errors`);
    expect((error as Error).message).toContain("field 'qos' must be an integer in 0..2, got 3");
    expect((error as Error).message).toContain("field 'thread' is not a pipeline option (did you mean 'threads'?)");
    expect(releases()).toEqual(before);
    await stillRunning(good, goodPid);
  });

  test('a package without the device\'s addon: DEPLOY_FAILED saying which build to run, before any upload', async () => {
    const before = releases();
    const error = await deployIn(args(goodConfig(), ['--package', noAddonPackage])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DEPLOY_FAILED', message: expect.stringMatching(new RegExp(`no addon for linux-${process.arch}.*npm run build:`)) });
    expect(releases()).toEqual(before);
    await stillRunning(good, goodPid);
  });

  test('a model the device cannot load: the on-device check fails, the new release folder is removed', async () => {
    const before = releases();
    writeFileSync(join(work, 'corrupt.onnx'), Buffer.from('this is not an ONNX model'));
    const error = await deployIn(args(goodConfig(), ['--model', join(work, 'corrupt.onnx')])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DEPLOY_FAILED' });
    expect((error as Error).message).toMatch(/loading the model corrupt\.onnx .*failed on the device/);
    expect((error as Error).message).toMatch(/INVALID_MODEL/);
    expect((error as Error).message).toMatch(/new release folder was removed/);
    expect(releases()).toEqual(before);
    await stillRunning(good, goodPid);
  });

  test('a release that starts but sends no results is rolled back, and the previous one runs again', async () => {
    const before = releases();
    // A valid config whose broker nothing listens on: the pipeline runs, queues, and never reaches mosquitto.
    const deaf = config('deaf.json', { model: 'channel-mean.onnx', source: 'testsrc:32x32?fps=20', mqtt: `mqtt://127.0.0.1:${await freePort()}`, topic: 'good' });
    const error = await deployIn(args(deaf, ['--check-mqtt', broker.url, '--check-timeout', '3'])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DEPLOY_FAILED' });
    expect((error as Error).message).toMatch(/0 of 3 results arrived on mqtt:\/\/127\.0\.0\.1:\d+ topic good\/result within 3 s/);
    expect((error as Error).message).toContain(`rolled back: ${prefix}/current points to ${good} again`);
    expect(releases()).toEqual(before);
    // Restarted from the previous release: a new process, publishing again.
    const restarted = servicePid();
    expect(restarted).not.toBe(goodPid);
    expect(alive(goodPid)).toBe(false);
    goodPid = restarted;
    await stillRunning(good, goodPid);
  }, 60_000);

  test('deploying again switches to the new release, replaces the process and keeps --keep releases', async () => {
    const next = config('next.json', { model: 'channel-mean.onnx', source: 'testsrc:32x32?fps=20', mqtt: broker.url, topic: 'next' });
    const lines = await deployIn(args(next, ['--keep', '1']));
    expect(lines.join('\n')).toMatch(/was releases\/\d{8}-\d{6}-\d{3}/);
    expect(current()).not.toBe(good);
    expect(releases()).toEqual([current().replace('releases/', '')]);
    expect(alive(goodPid)).toBe(false);
    expect(alive(servicePid())).toBe(true);
    expect(await results(broker.url, 'next', 2)).toHaveLength(2);
  }, 60_000);
});
