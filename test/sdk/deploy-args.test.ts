// `edgelite deploy`'s arguments and the unit it writes, without a device (test/e2e/deploy.test.ts has the device).
import { spawnSync } from 'node:child_process';

import { describe, expect, test } from 'vitest';

import { parseDeployArgs } from '../../device/deploy/deploy.js';
import { InstallLayout, serviceControl, systemdUnit } from '../../device/deploy/service.js';
import { parseTarget, shellQuote, sshFailure } from '../../device/deploy/ssh.js';

describe('deploy arguments', () => {
  test('targets: user, host, port, IPv6 in brackets', () => {
    expect(parseTarget('ubuntu@jetson.local')).toEqual({ user: 'ubuntu', host: 'jetson.local' });
    expect(parseTarget('root@192.168.1.20:2222')).toEqual({ user: 'root', host: '192.168.1.20', port: 2222 });
    expect(parseTarget('[fd00::2]:22')).toEqual({ host: 'fd00::2', port: 22 });
    expect(() => parseTarget('user@host:port')).toThrow(/not \[user@\]host\[:port\]/);
    expect(() => parseTarget('a@b:70000')).toThrow(/1\.\.65535/);
  });

  test('defaults, and the options that shape the install', () => {
    expect(parseDeployArgs(['nano@jetson', '--config', 'p.json'])).toEqual({
      target: { user: 'nano', host: 'jetson' }, config: 'p.json', prefix: '/opt/edgelite', service: 'edgelite', start: 'systemd',
      userUnit: false, checkResults: 3, checkTimeout: 30, keep: 3, dryRun: false,
    });
    expect(parseDeployArgs(['j', '--config', 'p.json', '--port', '2200', '--prefix', '/srv/cam/', '--service', 'cam1.service', '--no-start']))
      .toMatchObject({ target: { host: 'j', port: 2200 }, prefix: '/srv/cam', service: 'cam1', start: 'none' });
  });

  test('bad arguments say what is wrong', () => {
    expect(() => parseDeployArgs(['--config', 'p.json'])).toThrow(/needs the device/);
    expect(() => parseDeployArgs(['j'])).toThrow(/needs --config/);
    expect(() => parseDeployArgs(['j:22', '--port', '23', '--config', 'p.json'])).toThrow(/port 22 and --port says 23/);
    expect(() => parseDeployArgs(['j', '--config', 'p.json', '--prefix', 'opt/x'])).toThrow(/--prefix must be an absolute path/);
    expect(() => parseDeployArgs(['j', '--config', 'p.json', '--prefix', '/opt/../etc'])).toThrow(/--prefix must be/);
    expect(() => parseDeployArgs(['j', '--config', 'p.json', '--prefix', '/opt/my edgelite'])).toThrow(/--prefix must be/);
    expect(() => parseDeployArgs(['j', '--config', 'p.json', '--start-with', 'docker'])).toThrow(/systemd, exec or none/);
    expect(() => parseDeployArgs(['j', 'k', '--config', 'p.json'])).toThrow(/unknown option 'k'/);
  });
});

describe('what deploy writes and says', () => {
  test('the unit runs `edgelite run --config` from PREFIX/current, restarts on failure, logs to the journal', () => {
    const unit = systemdUnit({ layout: new InstallLayout('/opt/edgelite', 'cam1', './dist/sdk/src/cli/main.js'), node: '/usr/bin/node', runAs: 'nvidia' });
    expect(unit).toContain('ExecStart=/usr/bin/node /opt/edgelite/current/node_modules/edgelite/dist/sdk/src/cli/main.js run --config /opt/edgelite/current/pipeline.json\n');
    for (const line of ['Restart=on-failure', 'RestartSec=2', 'StandardOutput=journal', 'StandardError=journal', 'User=nvidia',
      'WorkingDirectory=/opt/edgelite/current', 'Environment=NODE_ENV=production', 'After=network-online.target',
      'Wants=network-online.target', 'WantedBy=multi-user.target']) {
      expect(unit.split('\n')).toContain(line);
    }
    const user = systemdUnit({ layout: new InstallLayout('/home/u/e', 'e', 'main.js'), node: '/usr/bin/node', userUnit: true, runAs: 'x' });
    expect(user).toContain('WantedBy=default.target');
    expect(user).not.toContain('User=');
  });

  test('the start and stop scripts of every mode are valid sh (systemd\'s are not run by the e2e test: no systemd there)', () => {
    const layout = new InstallLayout('/opt/edgelite', 'cam1', 'main.js');
    for (const [mode, options] of [['systemd', {}], ['systemd', { sudo: true }], ['systemd', { userUnit: true }], ['exec', {}]] as const) {
      const control = serviceControl(mode, layout, '/usr/bin/node', options);
      for (const script of [control.install, control.restart, control.stop]) {
        const check = spawnSync('sh', ['-n', '-c', script], { encoding: 'utf8' });
        expect(check.stderr, `${mode} ${JSON.stringify(options)}: ${script}`).toBe('');
        expect(check.status).toBe(0);
      }
    }
    const sudo = serviceControl('systemd', layout, '/usr/bin/node', { sudo: true });
    expect(sudo.install).toBe('sudo -n mkdir -p /etc/systemd/system && sudo -n cp /opt/edgelite/cam1.service /etc/systemd/system/cam1.service && ' +
      'sudo -n systemctl daemon-reload && sudo -n systemctl enable --quiet cam1.service');
    expect(sudo.restart).toMatch(/^sudo -n systemctl restart cam1\.service\n/);
    const user = serviceControl('systemd', layout, '/usr/bin/node', { userUnit: true, sudo: true });
    expect(user.install).toContain('"$HOME/.config/systemd/user"/cam1.service');
    expect(user.restart).toContain('systemctl --user restart cam1.service');
    expect(user.install).not.toContain('sudo');
  });

  test('shell quoting keeps odd words one word', () => {
    expect(shellQuote('/opt/edgelite/current')).toBe('/opt/edgelite/current');
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });

  test('ssh failures become DEPLOY_FAILED with what to do', () => {
    const target = { user: 'nvidia', host: 'jetson', port: 2222 };
    expect(sshFailure('ssh: Could not resolve hostname jetson: Name or service not known', { target }).message)
      .toMatch(/cannot resolve the device's name 'jetson'.*IP address/);
    expect(sshFailure('ssh: connect to host jetson port 2222: No route to host', { target }).message).toMatch(/did not answer.*ping jetson/);
    expect(sshFailure('nvidia@jetson: Permission denied (publickey).', { target }).message)
      .toMatch(/refused the keys ssh offered.*--key FILE.*ssh-copy-id -i ~\/\.ssh\/id_ed25519\.pub -p 2222 nvidia@jetson/);
    const changed = sshFailure('@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.', { target, knownHosts: '/k' });
    expect(changed).toMatchObject({ code: 'DEPLOY_FAILED', message: expect.stringContaining("ssh-keygen -R '[jetson]:2222' -f /k") });
  });
});
