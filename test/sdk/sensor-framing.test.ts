// The sensor message format and its streaming parser: framing across chunk boundaries, resync, counters, bounds.
import { describe, expect, test } from 'vitest';

import {
  SENSOR_MESSAGE_MAX_BYTES,
  SensorFrameParser,
  crc8,
  encodeSensorMessage,
} from '../../device/sources/sensor-framing.js';
import { LiteError } from '../../sdk/src/errors.js';

/** A parser that records every vector it emits (copied, since the parser reuses its array). */
function collect(): { parser: SensorFrameParser; out: number[][] } {
  const out: number[][] = [];
  const parser = new SensorFrameParser((values) => out.push(Array.from(values)));
  return { parser, out };
}

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  return bytes;
}

/** A deterministic byte generator (xorshift32), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const a = [0.5, -1.25, 3];
const b = [10, 20, 30];
const c = [-0.125, 0, 1e6];

describe('encodeSensorMessage', () => {
  test('lays out magic, header, little-endian payload and CRC-8', () => {
    const m = encodeSensorMessage([1, -2], 'float32');
    expect(m.length).toBe(5 + 2 * 4);
    expect(Array.from(m.subarray(0, 4))).toEqual([0xed, 0x6e, 2, 0]);
    expect(new DataView(m.buffer).getFloat32(4, true)).toBe(1);
    expect(new DataView(m.buffer).getFloat32(8, true)).toBe(-2);
    expect(m[m.length - 1]).toBe(crc8(m, 2, m.length - 1));

    const i = encodeSensorMessage([0.5, -1, 1], 'int16');
    expect(i.length).toBe(5 + 3 * 2);
    expect(i[3]).toBe(1);
    const view = new DataView(i.buffer);
    expect([view.getInt16(4, true), view.getInt16(6, true), view.getInt16(8, true)]).toEqual([16384, -32768, 32767]);
  });

  test('CRC-8 is poly 0x07, init 0 (check value of "123456789" is 0xF4)', () => {
    expect(crc8(new TextEncoder().encode('123456789'))).toBe(0xf4);
    expect(crc8(new Uint8Array(0))).toBe(0);
  });

  test('rejects 0 or more than 64 channels, unknown dtypes and NaN as int16', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof LiteError ? e.code : 'not a LiteError';
      }
      return undefined;
    };
    expect(code(() => encodeSensorMessage([]))).toBe('INVALID_ARGUMENT');
    expect(code(() => encodeSensorMessage(new Array(65).fill(0)))).toBe('INVALID_ARGUMENT');
    expect(code(() => encodeSensorMessage([1], 'float64' as never))).toBe('INVALID_ARGUMENT');
    expect(code(() => encodeSensorMessage([NaN], 'int16'))).toBe('INVALID_ARGUMENT');
    expect(encodeSensorMessage(new Array(64).fill(1)).length).toBe(SENSOR_MESSAGE_MAX_BYTES);
  });
});

describe('SensorFrameParser', () => {
  test('decodes whole messages fed one per chunk', () => {
    const { parser, out } = collect();
    for (const v of [a, b, c]) parser.push(encodeSensorMessage(v));
    expect(out).toEqual([a, b, c]);
    expect([parser.messages, parser.corrupt, parser.garbageBytes, parser.buffered]).toEqual([3, 0, 0, 0]);
  });

  test('messages glued in one chunk and split at every possible boundary', () => {
    const stream = concat(encodeSensorMessage(a), encodeSensorMessage(b, 'int16'), encodeSensorMessage(c));
    const expected = [a, [10, 20, 30].map(() => 32767 / 32768), c];
    const whole = collect();
    whole.parser.push(stream);
    expect(whole.out).toEqual(expected);
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j += 7) {
        const { parser, out } = collect();
        parser.push(stream.subarray(0, i));
        parser.push(stream.subarray(i, j));
        parser.push(stream.subarray(j));
        expect(out, `split at ${i} and ${j}`).toEqual(expected);
        expect(parser.garbageBytes).toBe(0);
      }
    }
    const bytewise = collect();
    for (const byte of stream) bytewise.parser.push(Uint8Array.of(byte));
    expect(bytewise.out).toEqual(expected);
  });

  test('int16 values are scaled by 1/32768', () => {
    const { parser, out } = collect();
    parser.push(encodeSensorMessage([0.5, -0.25, -1, 1 / 32768, 0], 'int16'));
    expect(out).toEqual([[0.5, -0.25, -1, 1 / 32768, 0]]);
  });

  test('garbage before and between messages is skipped and counted, including fake magic bytes', () => {
    const { parser, out } = collect();
    const junk1 = [1, 2, 3, 0xed, 0x00, 0x6e, 0xed]; // a lone 0xED, and 0xED followed by something else
    const junk2 = [0x6e, 0xff, 0x55];
    parser.push(concat(junk1, encodeSensorMessage(a), junk2, encodeSensorMessage(b), [0xed]));
    expect(out).toEqual([a, b]);
    expect(parser.corrupt).toBe(0);
    expect(parser.garbageBytes).toBe(junk1.length + junk2.length);
    expect(parser.buffered).toBe(1); // the trailing 0xED could start a message
    parser.push(Uint8Array.of(0x00));
    expect(parser.garbageBytes).toBe(junk1.length + junk2.length + 2);
    expect(parser.buffered).toBe(0);
  });

  test('a corrupted CRC or payload byte drops that message only, counted as corrupt', () => {
    const { parser, out } = collect();
    const badCrc = encodeSensorMessage(b);
    badCrc[badCrc.length - 1]! ^= 0x01;
    const badPayload = encodeSensorMessage(b);
    badPayload[6]! ^= 0x80;
    parser.push(concat(encodeSensorMessage(a), badCrc, badPayload, encodeSensorMessage(c)));
    expect(out).toEqual([a, c]);
    expect(parser.corrupt).toBe(2);
    expect(parser.garbageBytes).toBe(badCrc.length + badPayload.length);
  });

  test('a bad header (0 or >64 channels, unknown dtype) is corrupt, and the parser resyncs right after it', () => {
    const { parser, out } = collect();
    parser.push(concat([0xed, 0x6e, 0, 0], [0xed, 0x6e, 65, 0], [0xed, 0x6e, 3, 2], encodeSensorMessage(a)));
    expect(out).toEqual([a]);
    expect(parser.corrupt).toBe(3);
    expect(parser.garbageBytes).toBe(12);
  });

  test('a truncated message followed by a whole one: the whole one is found inside the failed candidate', () => {
    const { parser, out } = collect();
    const cut = encodeSensorMessage(new Array(8).fill(7)).subarray(0, 20); // header says 8 channels: 37 bytes
    parser.push(concat(cut, encodeSensorMessage(a), encodeSensorMessage(b)));
    expect(out).toEqual([a, b]);
    expect(parser.corrupt).toBe(1);
    expect(parser.garbageBytes).toBe(cut.length);
  });

  test('reset() drops a half-received message as garbage', () => {
    const { parser, out } = collect();
    const m = encodeSensorMessage(a);
    parser.push(m.subarray(0, 9));
    expect(parser.buffered).toBe(9);
    parser.reset();
    parser.push(m.subarray(9));
    parser.push(m);
    expect(out).toEqual([a]);
    expect(parser.garbageBytes).toBe(m.length);
  });

  test('never buffers more than one maximum message, whatever it is fed', () => {
    const { parser, out } = collect();
    const next = rng(42);
    // A header announcing 64 float32 channels, then random bytes: the candidate fails and the parser moves on.
    const noise = new Uint8Array(1 << 20).map(() => next() & 0xff);
    for (let i = 0; i < noise.length; i += 4093) {
      noise.set([0xed, 0x6e, 64, 0], i); // many plausible headers, so long candidates are tried all the time
    }
    let maxBuffered = 0;
    for (let i = 0; i < noise.length; i += 997) {
      parser.push(noise.subarray(i, i + 997));
      maxBuffered = Math.max(maxBuffered, parser.buffered);
    }
    expect(maxBuffered).toBeLessThanOrEqual(SENSOR_MESSAGE_MAX_BYTES);
    expect(parser.corrupt).toBeGreaterThan(255);
    // CRC-8 passes about 1 in 256 random candidates; whatever got through, the parser is still in sync afterwards.
    const before = out.length;
    parser.push(new Uint8Array(SENSOR_MESSAGE_MAX_BYTES)); // zeros: flush any half candidate
    parser.push(encodeSensorMessage(a));
    expect(out.slice(before).at(-1)).toEqual(a);
    expect(parser.buffered).toBe(0);
  });

  test('one huge chunk is consumed in bounded steps, and counters add up', () => {
    const { parser, out } = collect();
    const messages = Array.from({ length: 2000 }, (_, i) => encodeSensorMessage([i, -i], i % 2 ? 'int16' : 'float32'));
    const junk = [0x11, 0xed, 0x22];
    const stream = concat(...messages.flatMap((m) => [m, junk]));
    parser.push(stream);
    expect(out.length).toBe(2000);
    expect(out[10]).toEqual([10, -10]);
    expect(out[11]).toEqual([32767 / 32768, -1]); // int16 saturates
    expect(parser.garbageBytes).toBe(2000 * junk.length);
    expect(parser.buffered).toBe(0);
  });
});
