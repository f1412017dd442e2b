// The device end of `edgelite deploy`: scripts and uploads over the system's ssh and scp (key auth, batch mode, no
// prompts), behind a small interface so that --dry-run prints exactly the commands a real run would execute.
// ssh's own failures (exit 255) become DEPLOY_FAILED errors that say what went wrong and what to do.
import { spawn } from 'node:child_process';

import { LiteError } from '../../sdk/src/errors.js';

/** `[user@]host[:port]`; IPv6 addresses in brackets: `root@[fd00::2]:2222`. */
export interface SshTarget {
  user?: string;
  host: string;
  port?: number;
}

export function parseTarget(text: string): SshTarget {
  const match = /^(?:([A-Za-z0-9._][A-Za-z0-9._-]*)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d+))?$/.exec(text);
  if (!match) {
    throw new LiteError('INVALID_ARGUMENT', `deploy target '${text}' is not [user@]host[:port] (e.g. ubuntu@jetson.local, root@192.168.1.20:2222)`);
  }
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new LiteError('INVALID_ARGUMENT', `ssh port must be in 1..65535, got ${port}`);
  return { ...(match[1] ? { user: match[1] } : {}), host: match[2]!.replace(/^\[|\]$/g, ''), ...(port ? { port } : {}) };
}

/** POSIX shell quoting: safe words as they are, anything else in single quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface SshOptions {
  target: SshTarget;
  /** Private key offered (and only it: IdentitiesOnly). Default: ssh's own choice (agent, ~/.ssh/id_*). */
  key?: string;
  /** known_hosts file. Default ssh's. New hosts are recorded; a changed host key is refused. */
  knownHosts?: string;
  /** Seconds to wait for the TCP connection. Default 10. */
  connectTimeout?: number;
}

/** The device, as deploy uses it. */
export interface Remote {
  /** The ssh command line (without the script), for messages and --dry-run. */
  readonly sshCommand: string[];
  /** Runs a POSIX sh script on the device; resolves with its stdout. `what` names the step in errors. */
  run(script: string, what: string): Promise<string>;
  /** Copies local files into an existing folder on the device. */
  upload(files: string[], remoteDir: string, what: string): Promise<void>;
  /** Writes text to a file on the device (through a temporary file and a rename). */
  writeFile(path: string, text: string, what: string): Promise<void>;
}

// An ssh failure's stderr is short; the remote commands' output is only kept for error messages.
const MAX_OUTPUT = 1 << 20;

function common(options: SshOptions): string[] {
  return [
    '-o', 'BatchMode=yes',                  // never prompt: a deploy runs unattended
    '-o', 'StrictHostKeyChecking=accept-new',
    '-o', `ConnectTimeout=${options.connectTimeout ?? 10}`,
    '-o', 'ServerAliveInterval=15',
    '-o', 'LogLevel=ERROR',                 // keeps errors, drops "Permanently added ... to the list of known hosts"
    ...(options.knownHosts ? ['-o', `UserKnownHostsFile=${options.knownHosts}`] : []),
    ...(options.key ? ['-i', options.key, '-o', 'IdentitiesOnly=yes'] : []),
  ];
}

function userAt({ user, host }: SshTarget, bracketIPv6: boolean): string {
  const h = bracketIPv6 && host.includes(':') ? `[${host}]` : host;
  return user ? `${user}@${h}` : h;
}

/** What to do about an ssh failure (exit 255), from ssh's message. */
export function sshFailure(stderr: string, options: SshOptions): LiteError {
  const { target, key } = options;
  const port = target.port ?? 22;
  const where = `${target.host} port ${port}`;
  const said = stderr.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? 'no message';
  const dest = userAt(target, false);
  let message: string;
  if (/Could not resolve hostname/i.test(stderr)) {
    message = `cannot resolve the device's name '${target.host}' (${said}): check the host name, or use its IP address`;
  } else if (/Connection refused/i.test(stderr)) {
    message = `${where} refused the connection (${said}): check the host and port (--port, or user@host:port) ` +
      'and that sshd runs on the device (systemctl status ssh)';
  } else if (/timed out|No route to host|Network is unreachable|Host is down/i.test(stderr)) {
    message = `${where} did not answer (${said}): check that the device is on and on this network (ping ${target.host}), and the port`;
  } else if (/Permission denied \(/i.test(stderr)) {
    const install = `ssh-copy-id -i ${key ? `${key}.pub` : '~/.ssh/id_ed25519.pub'}${port !== 22 ? ` -p ${port}` : ''} ${dest}`;
    message = key
      ? `${dest} refused the key ${key} (${said}): install its public key on the device with \`${install}\` ` +
        `(or append ${key}.pub to ~${target.user ?? ''}/.ssh/authorized_keys there), or pass the --key it accepts`
      : `${dest} refused the keys ssh offered (${said}): pass --key FILE, or install a public key with \`${install}\``;
  } else if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr)) {
    const file = options.knownHosts ? ` -f ${options.knownHosts}` : '';
    message = `the device's host key differs from the one recorded for ${where} (${said}): if the device was reinstalled, ` +
      `forget the old key with \`ssh-keygen -R '${port === 22 ? target.host : `[${target.host}]:${port}`}'${file}\` and deploy again`;
  } else {
    message = `ssh to ${where} failed (${said}): try \`ssh${port !== 22 ? ` -p ${port}` : ''}${key ? ` -i ${key}` : ''} ${dest} true\` to see why`;
  }
  return new LiteError('DEPLOY_FAILED', message);
}

function execute(command: string, args: string[], input: string | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString('utf8')).slice(-MAX_OUTPUT);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-MAX_OUTPUT);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(new LiteError('DEPLOY_FAILED', error.code === 'ENOENT'
        ? `${command} is not installed on this machine: apt-get install openssh-client`
        : `cannot start ${command}: ${error.message}`));
    });
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** The real device: the system's ssh and scp. */
export class SshRemote implements Remote {
  readonly sshCommand: string[];
  readonly #options: SshOptions;

  constructor(options: SshOptions) {
    this.#options = options;
    const port = options.target.port;
    this.sshCommand = ['ssh', ...common(options), ...(port ? ['-p', String(port)] : []), userAt(options.target, false)];
  }

  async #ssh(script: string, what: string, input?: string): Promise<string> {
    // The login shell may not be sh (fish, csh): the script always runs in sh.
    const [command, ...args] = this.sshCommand;
    const { code, stdout, stderr } = await execute(command!, [...args, `sh -c ${shellQuote(script)}`], input);
    if (code === 255) throw sshFailure(stderr, this.#options);
    if (code !== 0) {
      const output = (stderr.trim() || stdout.trim()).split('\n').slice(-12).join('\n    ');
      throw new LiteError('DEPLOY_FAILED', `${what} failed on the device (exit ${code}):\n    ${output || 'no output'}`);
    }
    return stdout;
  }

  run(script: string, what: string): Promise<string> {
    return this.#ssh(script, what);
  }

  async writeFile(path: string, text: string, what: string): Promise<void> {
    const tmp = `${path}.tmp-${process.pid}`;
    await this.#ssh(`cat > ${shellQuote(tmp)} && mv -f ${shellQuote(tmp)} ${shellQuote(path)}`, what, text);
  }

  async upload(files: string[], remoteDir: string, what: string): Promise<void> {
    const port = this.#options.target.port;
    const args = ['-q', ...common(this.#options), ...(port ? ['-P', String(port)] : []), ...files,
      `${userAt(this.#options.target, true)}:${remoteDir}/`];
    const { code, stderr } = await execute('scp', args, undefined);
    if (code === 0) return;
    if (/Permission denied \(|Connection refused|Could not resolve|timed out|Host key verification/i.test(stderr)) {
      throw sshFailure(stderr, this.#options);
    }
    throw new LiteError('DEPLOY_FAILED', `${what} failed (scp exit ${code}): ${stderr.trim().split('\n').slice(-4).join('; ') || 'no message'}` +
      ' — check the free space on the device (df -h) and that the folder is writable');
  }
}

/** --dry-run: prints what SshRemote would run, runs nothing, answers every script with no output. */
export class DryRunRemote implements Remote {
  readonly sshCommand: string[];
  readonly #options: SshOptions;
  readonly #write: (line: string) => void;

  constructor(options: SshOptions, write: (line: string) => void) {
    this.#options = options;
    this.#write = write;
    this.sshCommand = new SshRemote(options).sshCommand;
  }

  async run(script: string): Promise<string> {
    for (const line of script.split('\n')) this.#write(`    [device] ${line}`);
    return '';
  }

  async writeFile(path: string, text: string): Promise<void> {
    this.#write(`    [device] write ${path}:`);
    for (const line of text.replace(/\n$/, '').split('\n')) this.#write(`      | ${line}`);
  }

  async upload(files: string[], remoteDir: string): Promise<void> {
    const port = this.#options.target.port;
    this.#write(`    $ scp -q ${common(this.#options).map(shellQuote).join(' ')}${port ? ` -P ${port}` : ''} ` +
      `${files.map(shellQuote).join(' ')} ${shellQuote(`${userAt(this.#options.target, true)}:${remoteDir}/`)}`);
  }
}
