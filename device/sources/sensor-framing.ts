// The binary message format serial sensors send edgelite, and a streaming parser for it (pure TS, no I/O).
//
// One message carries one sample vector (one value per channel):
//
//   offset  size          field
//   0       2             magic 0xED 0x6E
//   2       1             channels, 1..64
//   3       1             dtype: 0 = float32 little-endian, 1 = int16 little-endian scaled by 1/32768
//   4       channels × s  payload, s = 4 (float32) or 2 (int16), channel 0 first
//   4 + p   1             CRC-8 (poly 0x07, init 0x00, no reflection, no final xor) over channels, dtype and payload
//
// So a message is 5 + channels × s bytes: 17 for 3 float32 channels, at most 261 (64 float32 channels). The stream
// has no other framing: messages follow each other, and a reader resynchronises on the next magic after garbage,
// a bad header or a bad CRC. int16 values v decode to v / 32768, a range of [-1, 1 - 1/32768]; float32 values are
// passed through unchanged (NaN and infinities included). CRC-8 lets about 1 in 256 random corruptions through.

import { LiteError } from '../../sdk/src/errors.js';

/** The two bytes every message starts with. */
export const SENSOR_MAGIC = [0xed, 0x6e] as const;
/** The most channels one message may carry. */
export const SENSOR_MAX_CHANNELS = 64;
/** Bytes of the largest valid message (64 float32 channels); the parser never buffers more than this. */
export const SENSOR_MESSAGE_MAX_BYTES = 5 + SENSOR_MAX_CHANNELS * 4;

/** Sample encodings on the wire, by name; the dtype byte is the index in this list. */
export const SENSOR_DTYPES = ['float32', 'int16'] as const;
export type SensorDtype = (typeof SENSOR_DTYPES)[number];

const BYTES_PER_SAMPLE = [4, 2] as const;
const INT16_SCALE = 32768;

const CRC8_TABLE = (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let bit = 0; bit < 8; bit++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    table[i] = c;
  }
  return table;
})();

/** CRC-8 (poly 0x07, init 0, no reflection, no xor out; "CRC-8/SMBUS") of bytes[start, end). */
export function crc8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = CRC8_TABLE[crc ^ bytes[i]!]!;
  return crc;
}

/**
 * Encodes one sample vector as a message. int16 values are rounded from value × 32768 and clamped to the int16
 * range, so ±1 saturates to -32768 / 32767. For tests, simulators and firmware authors checking their encoder.
 */
export function encodeSensorMessage(values: ArrayLike<number>, dtype: SensorDtype = 'float32'): Uint8Array {
  const code = SENSOR_DTYPES.indexOf(dtype);
  if (code < 0) {
    throw new LiteError('INVALID_ARGUMENT', `sensor message dtype must be one of ${SENSOR_DTYPES.join(', ')}, got ${String(dtype)}`);
  }
  const channels = values.length;
  if (channels < 1 || channels > SENSOR_MAX_CHANNELS) {
    throw new LiteError('INVALID_ARGUMENT', `a sensor message carries 1..${SENSOR_MAX_CHANNELS} channels, got ${channels} values`);
  }
  const size = BYTES_PER_SAMPLE[code as 0 | 1];
  const message = new Uint8Array(5 + channels * size);
  const view = new DataView(message.buffer);
  message[0] = SENSOR_MAGIC[0];
  message[1] = SENSOR_MAGIC[1];
  message[2] = channels;
  message[3] = code;
  for (let c = 0; c < channels; c++) {
    const v = values[c]!;
    if (dtype === 'float32') {
      view.setFloat32(4 + c * 4, v, true);
    } else {
      if (Number.isNaN(v)) throw new LiteError('INVALID_ARGUMENT', `int16 sensor value ${c} is NaN; int16 has no NaN`);
      view.setInt16(4 + c * 2, Math.max(-32768, Math.min(32767, Math.round(v * INT16_SCALE))), true);
    }
  }
  message[message.length - 1] = crc8(message, 2, message.length - 1);
  return message;
}

/**
 * Called with each valid sample vector, as float32 values (one per channel). The array is the parser's own and is
 * overwritten by the next message: copy what you keep.
 */
export type SensorSamplesHandler = (values: Float32Array) => void;

/**
 * Splits a byte stream into sensor messages. Feed it chunks as they arrive, split or glued anywhere; it calls the
 * handler once per valid message, in order. Bytes that are not part of a valid message are skipped and counted in
 * `garbageBytes`; a candidate message with a bad header or a bad CRC is counted in `corrupt`, and the search for
 * the next magic restarts one byte after its magic, so a valid message hidden behind a truncated one is still
 * found. At most one maximum message (SENSOR_MESSAGE_MAX_BYTES) is ever buffered, whatever is fed.
 */
export class SensorFrameParser {
  readonly #onSamples: SensorSamplesHandler;
  readonly #buf = new Uint8Array(SENSOR_MESSAGE_MAX_BYTES);
  readonly #view = new DataView(this.#buf.buffer);
  /** Unconsumed bytes are #buf[#head, #tail). */
  #head = 0;
  #tail = 0;
  readonly #values = new Float32Array(SENSOR_MAX_CHANNELS);
  /** #values.subarray(0, n) for each n seen, so emitting allocates nothing. */
  readonly #views: (Float32Array | undefined)[] = [];
  #messages = 0;
  #corrupt = 0;
  #garbage = 0;

  constructor(onSamples: SensorSamplesHandler) {
    this.#onSamples = onSamples;
  }

  /** Valid messages emitted. */
  get messages(): number {
    return this.#messages;
  }

  /** Candidate messages rejected: a magic followed by a bad header (channels, dtype) or a CRC mismatch. */
  get corrupt(): number {
    return this.#corrupt;
  }

  /** Bytes skipped: everything fed that was not part of a valid message (bytes of corrupt candidates included). */
  get garbageBytes(): number {
    return this.#garbage;
  }

  /** Bytes held while waiting for the rest of a message; never more than SENSOR_MESSAGE_MAX_BYTES. */
  get buffered(): number {
    return this.#tail - this.#head;
  }

  /**
   * Feeds a chunk. The handler runs synchronously, before push returns. If it throws, the error propagates, the
   * message it was handed stays consumed and the rest of this chunk is not fed.
   */
  push(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#head > 0) {
        this.#buf.copyWithin(0, this.#head, this.#tail);
        this.#tail -= this.#head;
        this.#head = 0;
      }
      // #drain leaves less than one message buffered, so there is always room for at least one more byte.
      const n = Math.min(this.#buf.length - this.#tail, chunk.length - offset);
      this.#buf.set(chunk.subarray(offset, offset + n), this.#tail);
      this.#tail += n;
      offset += n;
      this.#drain();
    }
  }

  /** Drops a partially received message (e.g. after a reconnect, when its rest will never come), as garbage. */
  reset(): void {
    this.#garbage += this.#tail - this.#head;
    this.#head = this.#tail = 0;
  }

  #drain(): void {
    const buf = this.#buf;
    for (;;) {
      const found = buf.indexOf(SENSOR_MAGIC[0], this.#head);
      if (found < 0 || found >= this.#tail) {
        this.#garbage += this.#tail - this.#head;
        this.#head = this.#tail = 0;
        return;
      }
      this.#garbage += found - this.#head;
      this.#head = found;
      const available = this.#tail - found;
      if (available < 2) return;
      if (buf[found + 1] !== SENSOR_MAGIC[1]) {
        this.#skip(false);
        continue;
      }
      if (available < 4) return;
      const channels = buf[found + 2]!;
      const dtype = buf[found + 3]!;
      if (channels < 1 || channels > SENSOR_MAX_CHANNELS || dtype > 1) {
        this.#skip(true);
        continue;
      }
      const size = BYTES_PER_SAMPLE[dtype as 0 | 1];
      const total = 5 + channels * size;
      if (available < total) return;
      if (crc8(buf, found + 2, found + total - 1) !== buf[found + total - 1]) {
        this.#skip(true);
        continue;
      }
      const values = this.#views[channels] ?? (this.#views[channels] = this.#values.subarray(0, channels));
      const view = this.#view;
      for (let c = 0; c < channels; c++) {
        values[c] = dtype === 0 ? view.getFloat32(found + 4 + c * 4, true) : view.getInt16(found + 4 + c * 2, true) / INT16_SCALE;
      }
      this.#head = found + total;
      this.#messages++;
      this.#onSamples(values);
    }
  }

  /** Rejects the candidate at #head: skip its first magic byte only and search again from the next byte. */
  #skip(corrupt: boolean): void {
    if (corrupt) this.#corrupt++;
    this.#garbage++;
    this.#head++;
  }
}
