// What deploy installs on the device and how the service is started: the folder layout under the prefix, the
// systemd unit, and the scripts that start and stop the service (systemd, or nohup and a pid file where the host
// has no systemd). The command the service runs is written once here and used by every start mode.
import { shellQuote } from './ssh.js';

/**
 *   PREFIX/releases/ID/    one release: node_modules/ (edgelite and its dependencies), pipeline.json, model/, files/
 *   PREFIX/current         symlink to releases/ID, switched atomically (rename) once a release is verified
 *   PREFIX/NAME.service    the unit (installed into systemd's folder in systemd mode)
 *   PREFIX/NAME.pid, .log  exec mode only
 */
export class InstallLayout {
  constructor(readonly prefix: string, readonly service: string, readonly bin: string) {}
  get releases(): string { return `${this.prefix}/releases`; }
  get current(): string { return `${this.prefix}/current`; }
  release(id: string): string { return `${this.releases}/${id}`; }
  /** The CLI inside a release folder (or `current`). */
  main(release: string): string { return `${release}/node_modules/edgelite/${this.bin.replace(/^\.\//, '')}`; }
  get unitFile(): string { return `${this.prefix}/${this.service}.service`; }
  get pidFile(): string { return `${this.prefix}/${this.service}.pid`; }
  get logFile(): string { return `${this.prefix}/${this.service}.log`; }

  /** What the service runs: always through `current`, so a switch plus a restart changes the release. */
  command(node: string): string[] {
    return [node, this.main(this.current), 'run', '--config', `${this.current}/pipeline.json`];
  }
}

/** systemd's quoting of one ExecStart word ($ and % are expansions there). */
function systemdWord(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(escaped) ? escaped : `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export interface UnitOptions {
  layout: InstallLayout;
  node: string;
  /** A user unit (systemctl --user): WantedBy=default.target, no User=. */
  userUnit?: boolean;
  /** User= for a system unit. Default root. */
  runAs?: string;
}

/** The systemd unit: restart on failure, output to the journal, started once the network is up. */
export function systemdUnit({ layout, node, userUnit = false, runAs }: UnitOptions): string {
  return [
    '# Written by `edgelite deploy`; deploy again to change it.',
    '[Unit]',
    `Description=edgelite pipeline (${layout.current}/pipeline.json)`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    ...(runAs && !userUnit ? [`User=${runAs}`] : []),
    `WorkingDirectory=${layout.current}`,
    'Environment=NODE_ENV=production',
    `ExecStart=${layout.command(node).map(systemdWord).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=2',
    'StandardOutput=journal',
    'StandardError=journal',
    '',
    '[Install]',
    `WantedBy=${userUnit ? 'default.target' : 'multi-user.target'}`,
    '',
  ].join('\n');
}

export type StartMode = 'systemd' | 'exec' | 'none';

/** Scripts (POSIX sh, run on the device) that put the unit in place and (re)start or stop the service. */
export interface ServiceControl {
  /** Installs PREFIX/NAME.service where the start mode needs it; empty when nothing is needed. */
  install: string;
  /** Stops the running service, if any, and starts it from `current`; fails when it dies at once. */
  restart: string;
  stop: string;
  /** Where its output goes, for messages. */
  logs: string;
}

export function serviceControl(mode: StartMode, layout: InstallLayout, node: string, options: { userUnit?: boolean; sudo?: boolean } = {}): ServiceControl {
  const q = shellQuote;
  if (mode === 'systemd') {
    const user = options.userUnit ? ' --user' : '';
    // A system unit needs root; a non-root deploy user goes through sudo without a password prompt.
    const sudo = options.sudo && !options.userUnit ? 'sudo -n ' : '';
    const systemctl = `${sudo}systemctl${user}`;
    const name = `${layout.service}.service`;
    const dir = options.userUnit ? '"$HOME/.config/systemd/user"' : '/etc/systemd/system';
    return {
      install: `${sudo}mkdir -p ${dir} && ${sudo}cp ${q(layout.unitFile)} ${dir}/${name} && ${systemctl} daemon-reload && ${systemctl} enable --quiet ${name}`,
      restart: [
        `${systemctl} restart ${name}`,
        // Restart=on-failure hides a crash at start as "activating": look once it had time to fail.
        'sleep 2',
        `${systemctl} is-active --quiet ${name} || { journalctl${user} -u ${name} -n 20 --no-pager >&2; exit 1; }`,
      ].join('\n'),
      stop: `${systemctl} stop ${name}`,
      logs: `journalctl${user} -u ${name}`,
    };
  }
  if (mode === 'none') {
    return { install: '', restart: '', stop: '', logs: `(not started: run ${layout.command(node).join(' ')})` };
  }
  // exec: for hosts without systemd (containers, the tests). The service runs detached (setsid, nohup) with its pid
  // in PREFIX/NAME.pid and its output appended to PREFIX/NAME.log; nothing restarts it when it fails.
  const pid = q(layout.pidFile);
  const stop = [
    // Only a process that is ours: a pid file can outlive its process, and pids are reused.
    `alive() { [ -r /proc/$1/stat ] && [ "$(sed 's/.*) //' /proc/$1/stat | cut -c1)" != Z ]; }`,
    `if [ -f ${pid} ]; then`,
    `  p=$(cat ${pid})`,
    `  if [ -n "$p" ] && alive "$p" && tr '\\0' ' ' < /proc/$p/cmdline | grep -qF -- ${q(layout.prefix + '/')}; then`,
    '    kill "$p"; n=0',
    // SIGTERM drains results to the broker, for up to 10 s when it is away (MqttPublisher.close).
    '    while alive "$p" && [ $n -lt 150 ]; do sleep 0.1; n=$((n + 1)); done',
    '    alive "$p" && kill -9 "$p"',
    '  fi',
    `  rm -f ${pid}`,
    'fi',
  ].join('\n');
  const start = [
    `cd ${q(layout.current)} || exit 1`,
    `NODE_ENV=production setsid nohup ${layout.command(node).map(q).join(' ')} >>${q(layout.logFile)} 2>&1 </dev/null &`,
    `echo $! > ${pid}`,
    'sleep 1',
    `alive $! || { echo "the service exited at once; the end of ${layout.logFile}:" >&2; tail -n 20 ${q(layout.logFile)} >&2; exit 1; }`,
  ].join('\n');
  return { install: '', restart: `${stop}\n${start}`, stop, logs: layout.logFile };
}
