// deploy's last step: results of the freshly started service arrive on the broker. Subscribes to PREFIX/result
// from this machine and waits for N messages, printing each decoded.
import { readFileSync } from 'node:fs';

import mqtt from 'mqtt';

import { describeMessage } from '../../sdk/src/cli/sub.js';
import type { PipelineConfig } from '../../sdk/src/cli/config.js';

export interface CheckOptions {
  /** The broker as this machine reaches it. */
  url: string;
  topic: string;
  count: number;
  timeoutMs: number;
  /** Credentials and TLS files of the pipeline config (local paths). */
  config: PipelineConfig;
}

export interface CheckResult {
  received: number;
  /** The last connection error, when the broker could not be reached. */
  error?: string;
}

export async function waitForResults({ url, topic, count, timeoutMs, config }: CheckOptions, write: (line: string) => void): Promise<CheckResult> {
  const password = config.password ?? (config.passwordFile ? readFileSync(config.passwordFile, 'utf8').split(/\r?\n/)[0] : undefined);
  const client = mqtt.connect(url, {
    protocolVersion: config.mqttVersion ?? 4,
    connectTimeout: Math.min(timeoutMs, 10_000),
    reconnectPeriod: 500,
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(config.ca ? { ca: readFileSync(config.ca) } : {}),
    ...(config.cert ? { cert: readFileSync(config.cert) } : {}),
    ...(config.key ? { key: readFileSync(config.key) } : {}),
  });
  const result: CheckResult = { received: 0 };
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      client.on('error', (error) => {
        result.error = error.message;
      });
      client.on('connect', () => {
        delete result.error;
        client.subscribe(`${topic}/result`, { qos: 1 });
      });
      client.on('message', (t, payload) => {
        if (result.received >= count) return;
        let line: string;
        try {
          line = describeMessage(t, payload);
        } catch (error) {
          line = `${t}: not an edgelite result (${(error as Error).message})`;
        }
        write(`  got ${line}`);
        if (++result.received >= count) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    await client.endAsync(true);
  }
  return result;
}
