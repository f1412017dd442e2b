// `edgelite sub URL TOPIC [--count N]`: prints the results published by `edgelite run`, decoded.
import mqtt from 'mqtt';

import { LiteError } from '../errors.js';
import { decodeResult } from '../mqtt/codec.js';

/** One line describing a message: binary results decoded, JSON shown as is (shortened). */
export function describeMessage(topic: string, payload: Buffer): string {
  if (payload[0] === 0x7b) return `${topic} JSON ${payload.toString('utf8').slice(0, 200)}`;
  const result = decodeResult(payload);
  const tensors = result.tensors
    .map((t) => {
      const first = Array.from(t.data.subarray(0, 3) as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? String(v) : v.toFixed(4)));
      return `${t.name} ${t.dtype}[${t.shape.join(',')}] ${first.join(' ')}…`;
    })
    .join('; ');
  const age = Date.now() - result.timestamp;
  return `${topic} seq ${result.seq} captured ${new Date(result.timestamp).toISOString()} (${age.toFixed(0)} ms ago): ${tensors}`;
}

export async function subCommand(argv: string[], write: (line: string) => void): Promise<number> {
  const [url, topic] = argv;
  if (!url || !topic) throw new LiteError('INVALID_ARGUMENT', 'usage: edgelite sub URL TOPIC [--count N]');
  const countAt = argv.indexOf('--count');
  const count = countAt >= 0 ? Number(argv[countAt + 1]) : Infinity;
  if (!(count > 0)) throw new LiteError('INVALID_ARGUMENT', '--count must be a positive number');
  const client = mqtt.connect(url, { reconnectPeriod: 1000 });
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    client.on('connect', () => client.subscribe(topic, { qos: 1 }));
    client.on('error', (error) => reject(new LiteError('IO_ERROR', `MQTT ${url}: ${error.message}`)));
    client.on('message', (t, payload) => {
      try {
        write(describeMessage(t, payload));
      } catch (error) {
        write(`${t}: not an edgelite result (${(error as Error).message})`);
      }
      if (++received >= count) resolve();
    });
  });
  await client.endAsync();
  return 0;
}
