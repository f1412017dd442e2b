// `edgelite deploy [user@]host[:port] --config pipeline.json`: installs the package, the model and the pipeline
// config on a device over ssh, as a systemd service, and checks that its results reach the broker.
//
// Each step is printed as it runs (--dry-run prints them with their commands and runs nothing). Everything before
// the switch of PREFIX/current happens in a new release folder, removed again on failure, so the installed release
// keeps running untouched; a release that starts but sends no results is rolled back to the previous one.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

import { loadPipelineConfig, PATH_FIELDS, type PipelineConfig } from '../../sdk/src/cli/config.js';
import { LiteError } from '../../sdk/src/errors.js';
import { packageRoot } from '../../sdk/src/native.js';
import { bundleRelease, inspectPackage, nodeArch, packPackage, type PackageInfo } from './bundle.js';
import { waitForResults } from './check.js';
import { InstallLayout, serviceControl, systemdUnit, type StartMode } from './service.js';
import { DryRunRemote, parseTarget, type Remote, shellQuote, SshRemote, type SshTarget } from './ssh.js';

export interface DeployOptions {
  target: SshTarget;
  /** The pipeline configuration file (the one `edgelite run --config` takes). */
  config: string;
  /** The model; default: the config's `model`. */
  model?: string;
  /** Install folder on the device. Default /opt/edgelite. */
  prefix: string;
  /** ssh private key. Default: ssh's own choice (agent, ~/.ssh/id_*). */
  key?: string;
  knownHosts?: string;
  /** systemd unit name (without .service). Default edgelite. */
  service: string;
  /** The package tarball. Default: `npm pack` of this package. */
  package?: string;
  /** node on the device. Default: the one in its PATH. */
  node?: string;
  /** systemd (default); exec for hosts without systemd (nohup and a pid file, no restart); none. */
  start: StartMode;
  userUnit: boolean;
  runAs?: string;
  /** Results to wait for after starting; 0 skips the check. Default 3. */
  checkResults: number;
  /** Seconds to wait for them. Default 30. */
  checkTimeout: number;
  /** The broker as this machine reaches it. Default: the config's, a loopback host replaced by the device's. */
  checkMqtt?: string;
  /** Releases kept on the device, the current one included. Default 3. */
  keep: number;
  dryRun: boolean;
}

export interface DeployResult {
  /** The release folder on the device, now PREFIX/current. */
  release: string;
  /** The release `current` pointed to before, if any. */
  previous?: string;
  unit: string;
}

export const DEPLOY_USAGE = `usage: edgelite deploy [user@]host[:port] --config FILE [options]
  --config FILE        the pipeline configuration (what edgelite run --config takes)
  --model PATH         the model (default: the config's "model")
  --prefix DIR         install folder on the device (default /opt/edgelite)
  --key FILE           ssh private key (default: ssh's own: agent, ~/.ssh/id_*)
  --port N             ssh port (default 22, or :port in the target)
  --known-hosts FILE   ssh known_hosts file (a new host's key is recorded, a changed one refused)
  --service NAME       systemd unit name (default edgelite)
  --package TGZ        the package tarball (default: npm pack of this package, which must carry the device's addon)
  --node PATH          node on the device (default: the one in its PATH)
  --start-with MODE    systemd (default) | exec: for hosts without systemd (nohup, PREFIX/NAME.pid, no restart
                       on failure) | none: install only
  --no-start           same as --start-with none
  --user-unit          a systemd user unit (~/.config/systemd/user; run loginctl enable-linger USER once)
  --run-as USER        User= of the system unit (default root)
  --check-results N    wait for N results on the broker after starting (default 3; 0 skips)
  --check-timeout S    seconds to wait for them (default 30)
  --check-mqtt URL     the broker as this machine reaches it (default: the config's "mqtt")
  --keep N             releases kept on the device (default 3)
  --dry-run            print every step and command; change nothing`;

const SAFE_PATH = /^\/[A-Za-z0-9._+@/-]*$/;
const RELEASE_ID = /^\d{8}-\d{6}-\d{3}$/;

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

export function parseDeployArgs(argv: string[]): DeployOptions {
  let target: SshTarget | undefined;
  let port: number | undefined;
  let config: string | undefined;
  const options: Omit<DeployOptions, 'target' | 'config'> = {
    prefix: '/opt/edgelite', service: 'edgelite', start: 'systemd', userUnit: false, checkResults: 3, checkTimeout: 30, keep: 3, dryRun: false,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new LiteError('INVALID_ARGUMENT', `${flag} needs a value\n${DEPLOY_USAGE}`);
    return v;
  };
  const integer = (text: string, flag: string, min: number, max: number): number => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new LiteError('INVALID_ARGUMENT', `${flag} must be an integer in ${min}..${max}, got '${text}'`);
    return n;
  };
  const absolute = (text: string, flag: string): string => {
    const path = text.length > 1 ? text.replace(/\/+$/, '') : text;
    // These paths go into shell scripts and the unit unquoted-safe; refusing odd characters keeps both simple.
    if (!SAFE_PATH.test(path) || path === '/' || path.split('/').includes('..')) {
      throw new LiteError('INVALID_ARGUMENT', `${flag} must be an absolute path of letters, digits and ._+@/- (not / and no ..), got '${text}'`);
    }
    return path;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    switch (flag) {
      case '--config': config = value(i++, flag); break;
      case '--model': options.model = expandHome(value(i++, flag)); break;
      case '--prefix': options.prefix = absolute(value(i++, flag), flag); break;
      case '--key': options.key = expandHome(value(i++, flag)); break;
      case '--port': port = integer(value(i++, flag), flag, 1, 65535); break;
      case '--known-hosts': options.knownHosts = expandHome(value(i++, flag)); break;
      case '--service': {
        const name = value(i++, flag).replace(/\.service$/, '');
        if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new LiteError('INVALID_ARGUMENT', `--service must be a unit name of letters, digits and _.-, got '${name}'`);
        options.service = name;
        break;
      }
      case '--package': options.package = expandHome(value(i++, flag)); break;
      case '--node': options.node = absolute(value(i++, flag), flag); break;
      case '--start-with': {
        const mode = value(i++, flag);
        if (mode !== 'systemd' && mode !== 'exec' && mode !== 'none') {
          throw new LiteError('INVALID_ARGUMENT', `--start-with must be systemd, exec or none, got '${mode}'`);
        }
        options.start = mode;
        break;
      }
      case '--no-start': options.start = 'none'; break;
      case '--user-unit': options.userUnit = true; break;
      case '--run-as': {
        const user = value(i++, flag);
        if (!/^[a-z_][a-z0-9_-]*$/.test(user)) throw new LiteError('INVALID_ARGUMENT', `--run-as must be a user name, got '${user}'`);
        options.runAs = user;
        break;
      }
      case '--check-results': options.checkResults = integer(value(i++, flag), flag, 0, 10_000); break;
      case '--check-timeout': options.checkTimeout = integer(value(i++, flag), flag, 1, 3600); break;
      case '--check-mqtt': options.checkMqtt = value(i++, flag); break;
      case '--keep': options.keep = integer(value(i++, flag), flag, 1, 100); break;
      case '--dry-run': options.dryRun = true; break;
      default:
        if (flag.startsWith('-') || target) throw new LiteError('INVALID_ARGUMENT', `unknown option '${flag}' for deploy\n${DEPLOY_USAGE}`);
        target = parseTarget(flag);
    }
  }
  if (!target) throw new LiteError('INVALID_ARGUMENT', `deploy needs the device: [user@]host[:port]\n${DEPLOY_USAGE}`);
  if (!config) throw new LiteError('INVALID_ARGUMENT', `deploy needs --config FILE: the pipeline to run on the device\n${DEPLOY_USAGE}`);
  if (port !== undefined) {
    if (target.port !== undefined && target.port !== port) {
      throw new LiteError('INVALID_ARGUMENT', `the target says port ${target.port} and --port says ${port}: give one`);
    }
    target.port = port;
  }
  return { target, config, ...options };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A sortable id from the clock: 20250131-235959-123. */
function releaseId(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').replace('Z', '');
}

/** The broker URL the check uses: a loopback host in the config means the device itself. */
function checkUrl(options: DeployOptions, config: PipelineConfig): string | undefined {
  if (options.checkMqtt) return options.checkMqtt;
  if (!config.mqtt) return undefined;
  const url = new URL(config.mqtt);
  const loopback = ['localhost', '127.0.0.1', '[::1]'];
  if (loopback.includes(url.hostname) && !loopback.includes(options.target.host) && options.target.host !== '::1') {
    url.hostname = options.target.host.includes(':') ? `[${options.target.host}]` : options.target.host;
  }
  return url.toString();
}

/** The error with more said after its message: same code for a LiteError, DEPLOY_FAILED for anything else. */
function extend(error: unknown, more: string): LiteError {
  const code = error instanceof LiteError ? error.code : 'DEPLOY_FAILED';
  return new LiteError(code, `${(error as Error).message}\n${more}`);
}

/** The local files a deploy uploads, and the config as the device sees it (paths relative to the release). */
function releaseFiles(config: PipelineConfig, model: string): { uploads: { local: string; dir: 'model' | 'files' }[]; deviceConfig: PipelineConfig } {
  const deviceConfig: PipelineConfig = { ...config, model: `model/${basename(model)}` };
  const uploads: { local: string; dir: 'model' | 'files' }[] = [{ local: model, dir: 'model' }];
  const names = new Map<string, string>();
  for (const field of PATH_FIELDS) {
    const path = config[field] as string | undefined;
    if (field === 'model' || path === undefined) continue;
    if (!isFile(path)) throw new LiteError('IO_ERROR', `'${field}' of the pipeline config is ${path}, which does not exist`);
    const name = basename(path);
    if (names.has(name)) {
      throw new LiteError('INVALID_ARGUMENT', `'${field}' and '${names.get(name)}' are both files named ${name}; the device keeps them in one folder: rename one`);
    }
    names.set(name, field);
    uploads.push({ local: path, dir: 'files' });
    Object.assign(deviceConfig, { [field]: `files/${name}` });
  }
  return { uploads, deviceConfig };
}

function localPackageInfo(): PackageInfo {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
  return { tarball: '(npm pack)', version: manifest.version, bin: manifest.bin['edgelite']!, addons: [] };
}

interface Probe {
  arch: string;
  uid: string;
  node: string;
  version: string;
  systemd: boolean;
  current: string;
}

function parseProbe(text: string): Probe {
  const map = new Map(text.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]));
  return {
    arch: map.get('arch') ?? '',
    uid: map.get('uid') ?? '',
    node: map.get('node') ?? '',
    version: map.get('version') ?? '',
    systemd: map.get('systemd') === '1',
    current: map.get('current') ?? '',
  };
}

/** Checks what the device has before anything is written there. */
function checkProbe(probe: Probe, options: DeployOptions, pkg: PackageInfo | undefined, dest: string): void {
  if (!probe.node) {
    throw new LiteError('DEPLOY_FAILED', `${dest} has no node in the PATH of a non-interactive ssh session: install Node.js 18 or later ` +
      '(JetPack\'s Ubuntu ships an older one: use NodeSource\'s arm64 packages or the nodejs.org linux-arm64 build; ' +
      'Debian 12: apt install nodejs), or pass --node /path/to/node');
  }
  const major = Number(/^v(\d+)\./.exec(probe.version)?.[1] ?? 0);
  if (major < 18) {
    throw new LiteError('DEPLOY_FAILED', `node on ${dest} (${probe.node}) is ${probe.version || 'not runnable'}; edgelite needs Node.js 18 or later`);
  }
  if (options.start === 'systemd' && !probe.systemd) {
    throw new LiteError('DEPLOY_FAILED', `${dest} does not run systemd (no /run/systemd/system): use --start-with exec there ` +
      '(the service runs under nohup with a pid file, without restart on failure), or --no-start');
  }
  const platform = `linux-${nodeArch(probe.arch)}`;
  if (pkg && !pkg.addons.includes(platform)) {
    const build = platform === 'linux-arm64' ? 'npm run build:arm64' : 'npm run build:prebuilds';
    throw new LiteError('DEPLOY_FAILED', `the package ${pkg.tarball} has no addon for ${platform} (the device's uname -m is ${probe.arch}; ` +
      `the package carries ${pkg.addons.join(', ') || 'none'}): run ${build}, then deploy again (or npm pack and pass --package)`);
  }
}

export async function deploy(options: DeployOptions, write: (line: string) => void): Promise<DeployResult> {
  const { dryRun } = options;
  const q = shellQuote;
  const step = (title: string): void => write(`==> ${title}`);
  const dest = `${options.target.user ? `${options.target.user}@` : ''}${options.target.host}${options.target.port ? `:${options.target.port}` : ''}`;
  const scratch = mkdtempSync(join(tmpdir(), 'edgelite-deploy-'));
  try {
    // 1. Local inputs: nothing is sent before all of them are right.
    step('checking the local inputs');
    const config = loadPipelineConfig(options.config);
    const model = options.model ? resolve(options.model) : config.model;
    if (!model) {
      throw new LiteError('INVALID_ARGUMENT', `deploy needs a model: set "model" in ${options.config} or pass --model PATH`);
    }
    if (!isFile(model)) {
      throw new LiteError('IO_ERROR', `the model ${model} does not exist` +
        `${options.model ? ' (--model)' : ` (field 'model' of ${options.config}, relative to its folder)`}: check the path`);
    }
    if (options.key && !isFile(options.key)) {
      throw new LiteError('IO_ERROR', `the ssh key ${options.key} does not exist: pass the private key file (ssh-keygen -t ed25519 makes one)`);
    }
    const { uploads, deviceConfig } = releaseFiles(config, model);
    let pkg: PackageInfo | undefined;
    if (options.package) {
      pkg = await inspectPackage(resolve(options.package));
    } else if (dryRun) {
      write(`    $ npm pack ${q(packageRoot())} --pack-destination ${q(scratch)}`);
    } else {
      pkg = await inspectPackage(await packPackage(packageRoot(), scratch));
    }
    const info = pkg ?? localPackageInfo();
    write(`  config ${options.config}, model ${model}, package edgelite ${info.version}` +
      (pkg ? ` (addons: ${pkg.addons.join(', ') || 'none'})` : ''));
    if (config.frames !== undefined) {
      write(`  note: the config sets frames: ${config.frames}: the service exits after them (a clean exit is not restarted)`);
    }

    // 2. What the device has. Read-only.
    const sshOptions = {
      target: options.target,
      ...(options.key ? { key: options.key } : {}),
      ...(options.knownHosts ? { knownHosts: options.knownHosts } : {}),
    };
    const remote: Remote = dryRun ? new DryRunRemote(sshOptions, write) : new SshRemote(sshOptions);
    const layout = new InstallLayout(options.prefix, options.service, info.bin);
    step(`probing ${dest}`);
    if (dryRun) write(`    $ ${remote.sshCommand.map(q).join(' ')} sh -c SCRIPT   (each [device] script below)`);
    const probeText = await remote.run([
      'echo "arch=$(uname -m)"',
      'echo "uid=$(id -u)"',
      `node=${options.node ? q(options.node) : '$(command -v node || true)'}`,
      'echo "node=$node"',
      '[ -x "$node" ] && echo "version=$("$node" --version 2>/dev/null)"',
      'if [ -d /run/systemd/system ]; then echo systemd=1; else echo systemd=0; fi',
      `echo "current=$(readlink ${q(layout.current)} 2>/dev/null)"`,
    ].join('\n'), 'probing the device');
    const probe = dryRun
      ? { arch: '', uid: '', node: options.node ?? '/usr/bin/node', version: '', systemd: true, current: '' }
      : parseProbe(probeText);
    if (!dryRun) {
      checkProbe(probe, options, pkg, dest);
      write(`  ${probe.arch} (linux-${nodeArch(probe.arch)}), node ${probe.version} at ${probe.node}` +
        `${probe.systemd ? ', systemd' : ', no systemd'}; current release: ${probe.current || 'none'}`);
    } else {
      write(`  (dry run: the device is not probed; node is taken to be ${probe.node})`);
    }
    const node = probe.node;
    const previous = probe.current || undefined;

    // 3. The release, assembled here for the device's architecture.
    step('assembling the release');
    let bundle = join(scratch, `edgelite-${info.version}-release.tgz`);
    if (dryRun) {
      write(`    $ npm install PACKAGE.tgz --omit=dev --ignore-scripts --prefer-offline --os=linux --cpu=ARCH   (in ${scratch})`);
      write(`    $ tar -czf ${bundle} node_modules`);
    } else {
      bundle = await bundleRelease(pkg!, nodeArch(probe.arch), write);
    }
    const deviceConfigText = `${JSON.stringify(deviceConfig, null, 2)}\n`;
    const unit = systemdUnit({ layout, node, userUnit: options.userUnit, ...(options.runAs ? { runAs: options.runAs } : {}) });
    const control = serviceControl(options.start, layout, node, { userUnit: options.userUnit, sudo: probe.uid !== '0' && !dryRun });

    // 4–6. Upload, install and verify in a new release folder; on any failure it is removed and `current` is untouched.
    const id = releaseId();
    const release = layout.release(id);
    step(`uploading to ${dest}:${release}`);
    try {
      await remote.run(`mkdir -p ${q(layout.releases)} && mkdir ${q(release)} ${q(`${release}/model`)} ${q(`${release}/files`)}`, 'creating the release folder');
    } catch (error) {
      if (!/Permission denied|Read-only file system/.test((error as Error).message)) throw error;
      throw extend(error, `the deploy user cannot write ${options.prefix}: create it once with \`sudo install -d -o USER ${options.prefix}\`, ` +
        'or pass a --prefix in the user\'s home');
    }
    try {
      await remote.upload([bundle], release, 'uploading the release');
      for (const dir of ['model', 'files'] as const) {
        const files = uploads.filter((u) => u.dir === dir).map((u) => u.local);
        if (files.length > 0) await remote.upload(files, `${release}/${dir}`, `uploading the ${dir === 'model' ? 'model' : 'TLS and password files'}`);
      }
      await remote.writeFile(`${release}/pipeline.json`, deviceConfigText, 'writing the pipeline config');

      step('installing and verifying on the device');
      const name = basename(bundle);
      await remote.run(`cd ${q(release)} && tar -xzf ${q(name)} && rm -f ${q(name)}`, 'unpacking the release');
      const version = (await remote.run(`${q(node)} ${q(layout.main(release))} --version`, 'running the installed edgelite')).trim();
      if (!dryRun && version !== info.version) {
        throw new LiteError('DEPLOY_FAILED', `the installed edgelite says it is version '${version}', expected ${info.version}`);
      }
      const modelInfo = await remote.run(`${q(node)} ${q(layout.main(release))} info ${q(`${release}/${deviceConfig.model}`)}`,
        `loading the model ${basename(model)} with the device's runtime (edgelite info)`);
      if (!dryRun) write(`  edgelite ${version} runs there and loads the model: ${modelInfo.split('\n').find((l) => l.includes('ONNX IR'))?.trim() ?? 'ok'}`);

      step(`writing the service unit ${layout.unitFile}${options.start === 'systemd' ? ' and installing it into systemd' : ''}`);
      await remote.writeFile(layout.unitFile, unit, 'writing the unit');
      if (control.install) await remote.run(control.install, 'installing the unit into systemd');
    } catch (error) {
      if (dryRun) throw error;
      await remote.run(`rm -rf ${q(release)}`, 'removing the failed release').catch(() => undefined);
      throw extend(error, `nothing was switched: the new release folder was removed and ${layout.current} still points to ${previous ?? 'nothing (no earlier release)'}`);
    }

    // 7–9. Switch (an atomic rename of a new symlink over the old), start, check; roll back on failure.
    step(`switching ${layout.current} to releases/${id}`);
    // The temporary link is named after this release, so two deploys to one prefix never share it.
    const switchTo = (target: string): string =>
      `cd ${q(options.prefix)} && ln -sfn ${q(target)} .current-${id} && mv -Tf .current-${id} current`;
    try {
      await remote.run(switchTo(`releases/${id}`), 'switching current');
    } catch (error) {
      if (dryRun) throw error;
      await remote.run(`rm -rf ${q(release)} ${q(`${options.prefix}/.current-${id}`)}`, 'removing the failed release').catch(() => undefined);
      throw extend(error, `${layout.current} was not switched (it needs GNU mv -T); the new release folder was removed`);
    }
    try {
      if (options.start !== 'none') {
        step(`starting the service (${options.start === 'systemd' ? `systemd unit ${options.service}.service` : 'exec: nohup, pid file'})`);
        await remote.run(control.restart, 'starting the service');
        write(`  its output: ${control.logs}`);
        const url = options.checkResults > 0 ? checkUrl(options, config) : undefined;
        const topic = config.topic ?? 'edgelite';
        if (options.checkResults > 0 && !url) {
          write('  results not checked: the config has no "mqtt", so the pipeline publishes to an in-process broker on the device\'s ' +
            'loopback (pass --check-mqtt URL if it is reachable from here)');
        } else if (url) {
          step(`waiting for ${options.checkResults} results on ${url} topic ${topic}/result (up to ${options.checkTimeout} s)`);
          if (!dryRun) {
            const got = await waitForResults({ url, topic, count: options.checkResults, timeoutMs: options.checkTimeout * 1000, config }, write);
            if (got.received < options.checkResults) {
              throw new LiteError('DEPLOY_FAILED', `${got.received} of ${options.checkResults} results arrived on ${url} topic ${topic}/result ` +
                `within ${options.checkTimeout} s${got.error ? ` (this machine's connection to the broker: ${got.error})` : ''}`);
            }
          }
        }
      }
    } catch (error) {
      if (dryRun) throw error;
      if (!previous) {
        await remote.run(control.stop, 'stopping the service').catch(() => undefined);
        throw extend(error, `there is no earlier release to roll back to: the service was stopped and releases/${id} kept for inspection; its output: ${control.logs}`);
      }
      step(`rolling back: ${layout.current} back to ${previous}`);
      try {
        await remote.run(switchTo(previous), 'switching current back');
        await remote.run(control.restart, 'restarting the previous release');
        await remote.run(`rm -rf ${q(release)}`, 'removing the failed release');
      } catch (rollbackError) {
        throw extend(error, `the rollback to ${previous} failed too (${(rollbackError as Error).message}): look at the device`);
      }
      throw extend(error, `rolled back: ${layout.current} points to ${previous} again and the service runs from it; ` +
        `the new release was removed. The failed start's output: ${control.logs}`);
    }

    // 10. Old releases: the newest `keep`, the current one always among them.
    step(`keeping the ${options.keep} newest releases`);
    const listing = await remote.run(`ls -1 ${q(layout.releases)}`, 'listing the releases');
    const stale = listing.split('\n').filter((n) => RELEASE_ID.test(n) && n !== id).sort().reverse().slice(options.keep - 1);
    if (stale.length > 0) await remote.run(`cd ${q(layout.releases)} && rm -rf ${stale.map(q).join(' ')}`, 'removing old releases');
    write(`${dryRun ? 'dry run done: nothing was changed' : 'deployed'}: edgelite ${info.version} to ${dest}:${release} ` +
      `(${layout.current} → releases/${id}${previous ? `, was ${previous}` : ''})`);
    return { release, ...(previous ? { previous } : {}), unit };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export async function deployCommand(argv: string[], write: (line: string) => void): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    write(DEPLOY_USAGE);
    return 0;
  }
  await deploy(parseDeployArgs(argv), write);
  return 0;
}
