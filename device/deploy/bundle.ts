// The release deploy uploads, assembled on this machine: the package tarball (`npm pack`) installed with its
// runtime dependencies into a node_modules folder, packed as one tarball. The device then only needs node and tar:
// Jetsons often have no npm registry (or no npm) and no compiler, and the package brings prebuilt addons.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { LiteError } from '../../sdk/src/errors.js';

const run = promisify(execFile);

export interface PackageInfo {
  tarball: string;
  version: string;
  /** The CLI's path inside the package (package.json `bin.edgelite`). */
  bin: string;
  /** Platforms whose addon the package carries: `linux-arm64`, `linux-x64`. */
  addons: string[];
}

function firstLine(error: unknown): string {
  const e = error as { stderr?: string; message: string };
  return (e.stderr?.trim() || e.message).split('\n').filter((l) => !/^npm (notice|warn)/.test(l)).slice(-3).join('; ');
}

/** `npm pack` of the package at `root` into `dir`; resolves with the tarball's path. */
export async function packPackage(root: string, dir: string): Promise<string> {
  try {
    const { stdout } = await run('npm', ['pack', root, '--silent', '--pack-destination', dir], { maxBuffer: 1 << 20 });
    const name = stdout.trim().split('\n').pop();
    if (!name || !existsSync(join(dir, name))) throw new Error(`npm pack printed no tarball name (${stdout.trim()})`);
    return join(dir, name);
  } catch (error) {
    if (error instanceof LiteError) throw error;
    throw new LiteError('DEPLOY_FAILED', `npm pack of ${root} failed (${firstLine(error)}): build first (npm run build), or pass --package TARBALL`);
  }
}

/** Reads a package tarball's manifest and the addons it carries, without unpacking it. */
export async function inspectPackage(tarball: string): Promise<PackageInfo> {
  if (!existsSync(tarball)) throw new LiteError('IO_ERROR', `package tarball ${tarball} does not exist: make one with npm pack, or leave out --package`);
  let list: string;
  let manifest: { name?: string; version?: string; bin?: Record<string, string> };
  try {
    list = (await run('tar', ['-tzf', tarball], { maxBuffer: 64 << 20 })).stdout;
    manifest = JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'], { maxBuffer: 1 << 20 })).stdout) as typeof manifest;
  } catch (error) {
    throw new LiteError('IO_ERROR', `${tarball} is not an npm package tarball (${firstLine(error)}): make one with npm pack`);
  }
  const bin = manifest.bin?.['edgelite'];
  if (manifest.name !== 'edgelite' || !manifest.version || !bin) {
    throw new LiteError('INVALID_ARGUMENT', `${tarball} is the package '${manifest.name}', not edgelite: pass the tarball npm pack made of edgelite`);
  }
  const addons = [...list.matchAll(/^package\/prebuilds\/([^/]+)\/edgelite\.node$/gm)].map((m) => m[1]!).sort();
  return { tarball, version: manifest.version, bin, addons };
}

/** Node's name for the architecture `uname -m` prints. */
export function nodeArch(uname: string): string {
  const names: Record<string, string> = { x86_64: 'x64', aarch64: 'arm64', arm64: 'arm64', armv7l: 'arm', armv8l: 'arm' };
  return names[uname] ?? uname;
}

/**
 * The release tarball for a device of `arch`: `npm install` of the package (runtime dependencies only, no install
 * scripts, the npm cache first) into a scratch folder, then its node_modules packed. Kept in a cache keyed by the
 * package's hash and the architecture, so deploying the same package again costs nothing here.
 */
export async function bundleRelease(pkg: PackageInfo, arch: string, log: (line: string) => void): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(pkg.tarball)).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), `edgelite-deploy-cache-${process.getuid?.() ?? 'user'}`);
  const bundle = join(cache, `edgelite-${pkg.version}-${hash}-linux-${arch}.tgz`);
  if (existsSync(bundle)) {
    log(`  release bundle: ${bundle} (cached)`);
    return bundle;
  }
  mkdirSync(cache, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'edgelite-bundle-'));
  try {
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'edgelite-release', private: true }));
    // --cpu/--os pick the device's platform for dependencies that ship per-platform optional packages; install
    // scripts are skipped because the device gets prebuilt binaries (edgelite's and serialport's prebuilds).
    await run('npm', ['install', pkg.tarball, '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund',
      '--no-package-lock', '--os=linux', `--cpu=${arch}`], { cwd: scratch, maxBuffer: 16 << 20 });
    const partial = `${bundle}.${process.pid}`;
    await run('tar', ['-czf', partial, '-C', scratch, 'node_modules']);
    renameSync(partial, bundle);
  } catch (error) {
    throw new LiteError('DEPLOY_FAILED', `cannot assemble the release's dependencies with npm install (${firstLine(error)}): ` +
      'this machine needs the npm registry or a warm npm cache (run npm ci here once)');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  log(`  release bundle: ${bundle}`);
  pruneCache(cache);
  return bundle;
}

/** A few MiB per package build: the newest few bundles are kept. */
function pruneCache(cache: string): void {
  try {
    const bundles = readdirSync(cache).filter((f) => f.endsWith('.tgz')).map((f) => join(cache, f));
    const newestFirst = bundles.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    for (const file of newestFirst.slice(4)) rmSync(file, { force: true });
  } catch {
    // Another deploy pruning at the same time: nothing to do.
  }
}
