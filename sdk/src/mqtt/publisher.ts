// MqttPublisher: publishes inference results (sdk/src/mqtt/codec.ts) to an MQTT broker, with a bounded offline
// queue so that a broker restart or a network drop loses no QoS 1/2 result and never grows memory without limit.
import { randomBytes } from 'node:crypto';

import mqtt, { type IClientOptions, type IClientPublishOptions, type MqttClient, type Packet } from 'mqtt';

import { LiteError } from '../errors.js';
import {
  encodeResult,
  encodeResultJson,
  RESULT_CONTENT_TYPE,
  RESULT_JSON_CONTENT_TYPE,
  type ResultMessage,
  resultUserProperties,
} from './codec.js';

/** TLS settings, passed to the MQTT client (and so to `tls.connect`) for `mqtts://` and `wss://` URLs. */
export interface MqttTlsOptions {
  /** Certificate authorities to trust, PEM. Default: Node's bundled roots. */
  ca?: string | string[] | Buffer | Buffer[];
  /** Client certificate chain, PEM (for brokers that require client certificates). */
  cert?: string | string[] | Buffer | Buffer[];
  /** Client private key, PEM. */
  key?: string | string[] | Buffer | Buffer[];
  /** Refuse brokers whose certificate does not verify. Default true; false only for testing. */
  rejectUnauthorized?: boolean;
}

/** Options of `new MqttPublisher(options)`. Only `url` is required. */
export interface MqttPublisherOptions {
  /** Broker URL: mqtt://, mqtts://, tcp://, tls://, ssl://, ws:// or wss://, e.g. `mqtt://127.0.0.1:1883`. */
  url: string;
  /** Topic prefix: results go to `${topic}/result`. No wildcards. Default 'edgelite'. */
  topic?: string;
  /** Quality of service of every result. Default 1 (at least once). */
  qos?: 0 | 1 | 2;
  /** 4: MQTT 3.1.1, 5: MQTT 5 (adds user properties and a content type). Default 4, which every broker speaks. */
  protocolVersion?: 4 | 5;
  /** Default `edgelite-` and 8 random hex digits. Fix it (with `clean: false`) for a persistent session. */
  clientId?: string;
  username?: string;
  password?: string;
  tls?: MqttTlsOptions;
  /** Publish the JSON form (codec.ts, encodeResultJson) instead of the binary one. For small outputs. Default false. */
  json?: boolean;
  /** Most QoS 1/2 messages held and not yet acknowledged (queued offline plus in flight). Default 1000. */
  maxQueued?: number;
  /** Most payload bytes held and not yet acknowledged. Default 64 MiB. A larger single message is refused. */
  maxQueuedBytes?: number;
  /** Wait between reconnection attempts, ms. Default 1000. */
  reconnectPeriodMs?: number;
  /** Start a clean session (MQTT "clean session" / "clean start"). Default true. */
  clean?: boolean;
  /** How long to wait for the broker's CONNACK on each attempt, ms. Default 30000. */
  connectTimeoutMs?: number;
}

/** Counters and state of a publisher; a snapshot (a new object per read). */
export interface MqttPublisherStats {
  /** Messages sent: QoS 0 ones written to the connection; QoS 1/2 ones handed to the MQTT client to send. */
  published: number;
  /** QoS 1/2 messages the broker acknowledged (PUBACK / PUBCOMP). Always 0 with QoS 0. */
  acknowledged: number;
  /** QoS 0 messages dropped because the publisher was not connected. */
  droppedQos0: number;
  /** QoS 1/2 messages now held in the offline queue, not yet handed to the MQTT client. */
  queued: number;
  /** QoS 1/2 messages handed to the MQTT client and not yet acknowledged. */
  inFlight: number;
  /** publish() calls now waiting for room in the queue (backpressure). */
  waiting: number;
  /** The most messages the offline queue has held at once. */
  peakQueued: number;
  /** Successful reconnections after a lost connection (the first connection is not counted). */
  reconnects: number;
  connected: boolean;
  /** The most recent connection error (kept after a later success, for diagnosis); undefined if none. */
  lastError: LiteError | undefined;
}

/** Options of `close()`. */
export interface MqttCloseOptions {
  /**
   * How long to wait for queued and in-flight messages to be acknowledged, ms. Default 10000. Messages still
   * unacknowledged then are rejected with a LiteError IO_ERROR and the connection is closed at once.
   */
  timeoutMs?: number;
}

interface Held {
  payload: Buffer;
  publishOptions: IClientPublishOptions;
  settled: boolean;
  resolve(): void;
  reject(error: LiteError): void;
}

type Resolved = Required<Omit<MqttPublisherOptions, 'username' | 'password' | 'tls'>> &
  Pick<MqttPublisherOptions, 'username' | 'password' | 'tls'>;

const PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ssl:', 'ws:', 'wss:']);

// Reasons a broker refuses a connection (CONNACK), MQTT 3.1.1 return codes and MQTT 5 reason codes.
const REFUSED_V4: Record<number, string> = {
  1: 'unacceptable protocol version: try protocolVersion 4',
  2: 'client identifier rejected: use another clientId',
  3: 'server unavailable',
  4: 'bad user name or password: check username and password',
  5: 'not authorized: check username, password and the broker ACL',
};
const REFUSED_V5: Record<number, string> = {
  0x84: 'unsupported protocol version: try protocolVersion 4',
  0x85: 'client identifier not valid: use another clientId',
  0x86: 'bad user name or password: check username and password',
  0x87: 'not authorized: check username, password and the broker ACL',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
  0x8c: 'bad authentication method',
  0x97: 'quota exceeded',
  0x9f: 'connection rate exceeded',
};

function bad(option: string, expected: string, actual: unknown): LiteError {
  const shown = typeof actual === 'string' ? JSON.stringify(actual) : String(actual);
  return new LiteError('INVALID_ARGUMENT', `MqttPublisher: ${option} must be ${expected}, got ${shown}`);
}

function positiveInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw bad(option, 'a positive integer', value);
  return value;
}

function optionalString(value: unknown, option: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw bad(option, 'a string', value);
  return value;
}

/** Defaults, then validation: every option named in its error. */
function resolveOptions(options: MqttPublisherOptions): Resolved {
  if (typeof options !== 'object' || options === null) throw bad('options', 'an object with at least { url }', options);
  const o: Resolved = {
    url: options.url,
    topic: options.topic ?? 'edgelite',
    qos: options.qos ?? 1,
    protocolVersion: options.protocolVersion ?? 4,
    clientId: options.clientId ?? `edgelite-${randomBytes(4).toString('hex')}`,
    json: options.json ?? false,
    maxQueued: options.maxQueued ?? 1000,
    maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
    reconnectPeriodMs: options.reconnectPeriodMs ?? 1000,
    clean: options.clean ?? true,
    connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
    username: optionalString(options.username, 'username'),
    password: optionalString(options.password, 'password'),
    tls: options.tls,
  };
  if (typeof o.url !== 'string') throw bad('url', 'a broker URL string such as "mqtt://127.0.0.1:1883"', o.url);
  let parsed: URL;
  try {
    parsed = new URL(o.url);
  } catch {
    throw bad('url', 'a broker URL such as "mqtt://127.0.0.1:1883"', o.url);
  }
  if (!PROTOCOLS.has(parsed.protocol)) throw bad('url', `a URL with one of ${[...PROTOCOLS].join(' ')}`, o.url);
  if (parsed.hostname === '') throw bad('url', 'a URL with a host', o.url);
  if (typeof o.topic !== 'string' || o.topic === '' || /[+#\0]/.test(o.topic) || o.topic.endsWith('/')) {
    throw bad('topic', 'a non-empty topic prefix without +, # or a trailing /', o.topic);
  }
  if (o.qos !== 0 && o.qos !== 1 && o.qos !== 2) throw bad('qos', '0, 1 or 2', o.qos);
  if (o.protocolVersion !== 4 && o.protocolVersion !== 5) throw bad('protocolVersion', '4 (MQTT 3.1.1) or 5', o.protocolVersion);
  if (typeof o.clientId !== 'string' || o.clientId === '') throw bad('clientId', 'a non-empty string', o.clientId);
  if (typeof o.json !== 'boolean') throw bad('json', 'a boolean', o.json);
  if (typeof o.clean !== 'boolean') throw bad('clean', 'a boolean', o.clean);
  positiveInteger(o.maxQueued, 'maxQueued');
  positiveInteger(o.maxQueuedBytes, 'maxQueuedBytes');
  positiveInteger(o.reconnectPeriodMs, 'reconnectPeriodMs');
  positiveInteger(o.connectTimeoutMs, 'connectTimeoutMs');
  if (o.tls !== undefined && (typeof o.tls !== 'object' || o.tls === null)) throw bad('tls', 'an object { ca, cert, key, rejectUnauthorized }', o.tls);
  if (o.tls?.rejectUnauthorized !== undefined && typeof o.tls.rejectUnauthorized !== 'boolean') {
    throw bad('tls.rejectUnauthorized', 'a boolean', o.tls.rejectUnauthorized);
  }
  return o;
}

/**
 * Publishes each inference result as one MQTT message on `${topic}/result`: the binary form of codec.ts (or its
 * JSON form with `json: true`); with MQTT 5, also the user properties of `resultUserProperties` and a content type.
 *
 * Connection: the client connects at construction and reconnects every `reconnectPeriodMs` whenever the
 * connection is lost, also when the broker cannot be reached at start (that is not an error: see
 * `waitConnected`). A broker that refuses the connection (CONNACK with an error: bad credentials, not
 * authorized, banned, ...) is final: the publisher stops, `stats.lastError` says why, and every pending and later
 * `publish()` rejects with that LiteError (IO_ERROR).
 *
 * Offline policy:
 * - QoS 1/2: nothing is dropped. While disconnected, messages wait in a bounded in-memory queue and are sent in
 *   order after reconnecting. `maxQueued` and `maxQueuedBytes` bound all messages held and not yet acknowledged
 *   (queued plus in flight); when they are reached, `publish()` waits for room (backpressure) instead of
 *   dropping, and waiting calls are admitted in call order. Delivery is at least once: a message in flight when
 *   the connection drops is sent again (DUP) after reconnecting, so a subscriber may see it twice.
 * - QoS 0: a message published while disconnected is dropped at once and counted in `stats.droppedQos0`;
 *   `publish()` resolves without waiting.
 *
 * The queue is in memory: messages still queued when the process exits are lost.
 */
export class MqttPublisher {
  /** The topic every result is published on: `${topic}/result`. */
  readonly resultTopic: string;
  readonly #options: Resolved;
  readonly #client: MqttClient;

  // Why our own queue, and how it avoids sending twice: MQTT.js can queue offline messages itself, but its queue
  // has no bound and no backpressure. So we hand a message to MQTT.js only while connected (after its 'connect'
  // event) and hold QoS 1/2 messages ourselves until then; `queueQoSZero: false` keeps MQTT.js from holding
  // QoS 0 ones. Once handed over, a message belongs to MQTT.js's outgoing store until its PUBACK/PUBCOMP: if
  // the connection drops first, MQTT.js resends it on reconnect, before emitting 'connect' (so before we send
  // the next ones, which keeps the order), and we never hand it over again. Handed-over messages still count
  // against our bound until acknowledged, so the memory held by both is bounded.
  readonly #queue: Held[] = [];
  readonly #inFlight = new Set<Held>();
  readonly #waiting: Held[] = [];
  #heldBytes = 0;
  // QoS 0 writes not yet flushed: MQTT.js calls back on 'drain', which never comes if the connection drops first.
  readonly #qos0Pending = new Set<() => void>();
  readonly #connectWaiters = new Set<() => void>();
  readonly #drainWaiters = new Set<() => void>();

  #connected = false;
  #everConnected = false;
  #failure: LiteError | undefined;
  #closing: Promise<void> | undefined;

  #published = 0;
  #acknowledged = 0;
  #droppedQos0 = 0;
  #peakQueued = 0;
  #reconnects = 0;
  #lastError: LiteError | undefined;

  /** Starts connecting; a URL that cannot be parsed, or any other bad option, is a LiteError INVALID_ARGUMENT. */
  constructor(options: MqttPublisherOptions) {
    this.#options = resolveOptions(options);
    const o = this.#options;
    this.resultTopic = `${o.topic}/result`;
    const clientOptions: IClientOptions = {
      protocolVersion: o.protocolVersion,
      clientId: o.clientId,
      clean: o.clean,
      reconnectPeriod: o.reconnectPeriodMs,
      connectTimeout: o.connectTimeoutMs,
      queueQoSZero: false,
      resubscribe: false,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.tls ?? {}),
    };
    try {
      this.#client = mqtt.connect(o.url, clientOptions);
    } catch (error) {
      throw new LiteError('INVALID_ARGUMENT', `MqttPublisher: cannot use url ${JSON.stringify(o.url)}: ${(error as Error).message}`);
    }
    this.#client.on('connect', () => this.#onConnect());
    this.#client.on('close', () => {
      this.#connected = false;
      for (const drop of [...this.#qos0Pending]) drop();
    });
    this.#client.on('packetreceive', (packet: Packet) => this.#onPacket(packet));
    this.#client.on('error', (error: Error) => {
      if (this.#failure) return;
      this.#lastError = new LiteError('IO_ERROR', `MQTT broker ${o.url}: ${error.message} (retrying every ${o.reconnectPeriodMs} ms)`);
    });
  }

  /** A snapshot of the counters and the connection state. */
  get stats(): MqttPublisherStats {
    return {
      published: this.#published,
      acknowledged: this.#acknowledged,
      droppedQos0: this.#droppedQos0,
      queued: this.#queue.length,
      inFlight: this.#inFlight.size,
      waiting: this.#waiting.length,
      peakQueued: this.#peakQueued,
      reconnects: this.#reconnects,
      connected: this.#connected,
      lastError: this.#lastError,
    };
  }

  /** True once connected; false if `timeoutMs` passes first, or the broker refused, or the publisher closed. */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) return Promise.reject(bad('waitConnected timeoutMs', 'a number ≥ 0', timeoutMs));
    if (this.#connected) return Promise.resolve(true);
    if (this.#failure || this.#closing) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#connectWaiters.delete(done);
        resolve(this.#connected);
      };
      const timer = setTimeout(done, timeoutMs);
      this.#connectWaiters.add(done);
    });
  }

  /**
   * Publishes one result. The result is validated and encoded before this returns its promise, so the caller may
   * reuse the tensors' memory at once. Resolves when the broker has the message: QoS 1/2 once the broker
   * acknowledged it (PUBACK / PUBCOMP), QoS 0 once written to the connection, or at once when dropped while
   * disconnected (counted). While the queue is full it waits for room (see the class comment). Rejects with a
   * LiteError: INVALID_ARGUMENT/SHAPE_MISMATCH/DTYPE_MISMATCH for a bad result or one larger than
   * `maxQueuedBytes`, INVALID_STATE after `close()`, IO_ERROR when the broker refused the connection or the
   * message, or when `close()` gave up waiting for it.
   */
  async publish(result: ResultMessage): Promise<void> {
    if (this.#closing) throw new LiteError('INVALID_STATE', 'MqttPublisher: publish() after close(): create a new publisher');
    if (this.#failure) throw this.#failure;
    if (typeof result !== 'object' || result === null) throw bad('publish(result)', 'a result { seq, timestamp, tensors }', result);
    const o = this.#options;
    const publishedAt = result.publishedAt ?? Date.now();
    const message: ResultMessage = { ...result, publishedAt };
    // MQTT.js keeps the payload until it is acknowledged (and resends it after a reconnect), so each message needs
    // its own buffer: encodeResult's `into` reuse is for transports that are done with the bytes on return.
    const encoded = o.json ? Buffer.from(encodeResultJson(message), 'utf8') : encodeResult(message);
    const payload = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    const publishOptions: IClientPublishOptions = { qos: o.qos };
    if (o.protocolVersion === 5) {
      publishOptions.properties = {
        userProperties: resultUserProperties(message),
        contentType: o.json ? RESULT_JSON_CONTENT_TYPE : RESULT_CONTENT_TYPE,
        payloadFormatIndicator: o.json,
      };
    }
    if (o.qos === 0) return this.#publishQos0(payload, publishOptions);
    if (payload.byteLength > o.maxQueuedBytes) {
      throw new LiteError('INVALID_ARGUMENT', `MqttPublisher: a message of ${payload.byteLength} bytes is larger than maxQueuedBytes (${o.maxQueuedBytes}): raise maxQueuedBytes`);
    }
    return new Promise<void>((resolve, reject) => {
      const held: Held = { payload, publishOptions, settled: false, resolve, reject };
      if (this.#waiting.length === 0 && this.#hasRoom(payload.byteLength)) this.#admit(held);
      else this.#waiting.push(held);
    });
  }

  /**
   * Waits until every queued and in-flight message is acknowledged (at most `timeoutMs`), then ends the
   * connection. Messages still unacknowledged then are rejected with a LiteError IO_ERROR. Calling it again
   * returns the same promise.
   */
  close(options: MqttCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options.timeoutMs ?? 10_000);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(timeoutMs: number): Promise<void> {
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) throw bad('close timeoutMs', 'a number ≥ 0', timeoutMs);
    const drained = await this.#waitDrained(timeoutMs);
    if (!drained) {
      this.#rejectAll(new LiteError('IO_ERROR', `MqttPublisher: closed before the broker ${this.#options.url} acknowledged the message (close timeout ${timeoutMs} ms)`));
    }
    for (const wake of [...this.#connectWaiters]) wake();
    // A clean DISCONNECT when connected and drained; otherwise there is nothing left to say to the broker.
    await this.#client.endAsync(!drained || !this.#connected);
    this.#connected = false;
  }

  #waitDrained(timeoutMs: number): Promise<boolean> {
    if (this.#isDrained()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#drainWaiters.delete(done);
        resolve(this.#isDrained());
      };
      const timer = setTimeout(done, timeoutMs);
      this.#drainWaiters.add(done);
    });
  }

  #isDrained(): boolean {
    return this.#queue.length === 0 && this.#inFlight.size === 0 && this.#waiting.length === 0;
  }

  #publishQos0(payload: Buffer, publishOptions: IClientPublishOptions): Promise<void> {
    if (!this.#connected) {
      this.#droppedQos0++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (dropped: boolean): void => {
        if (done) return;
        done = true;
        this.#qos0Pending.delete(drop);
        if (dropped) this.#droppedQos0++;
        else this.#published++;
        resolve();
      };
      const drop = (): void => finish(true);
      this.#qos0Pending.add(drop);
      // With queueQoSZero false, MQTT.js fails a QoS 0 message it cannot write instead of holding it.
      this.#client.publish(this.resultTopic, payload, publishOptions, (error) => finish(error !== undefined && error !== null));
    });
  }

  #hasRoom(bytes: number): boolean {
    const held = this.#queue.length + this.#inFlight.size;
    return held < this.#options.maxQueued && this.#heldBytes + bytes <= this.#options.maxQueuedBytes;
  }

  #admit(held: Held): void {
    this.#queue.push(held);
    this.#heldBytes += held.payload.byteLength;
    this.#peakQueued = Math.max(this.#peakQueued, this.#queue.length);
    this.#pump();
  }

  /** Hands queued messages to MQTT.js, in order, while connected. */
  #pump(): void {
    while (this.#connected && !this.#failure && this.#queue.length > 0) {
      const held = this.#queue.shift()!;
      this.#inFlight.add(held);
      this.#published++;
      this.#client.publish(this.resultTopic, held.payload, held.publishOptions, (error) => {
        if (!error) this.#settle(held, undefined);
        else this.#settle(held, new LiteError('IO_ERROR', `MQTT broker ${this.#options.url} did not take the message: ${error.message}`));
      });
    }
  }

  #settle(held: Held, error: LiteError | undefined): void {
    if (held.settled) return;
    held.settled = true;
    this.#inFlight.delete(held);
    const at = this.#queue.indexOf(held);
    if (at >= 0) this.#queue.splice(at, 1);
    this.#heldBytes -= held.payload.byteLength;
    if (error) held.reject(error);
    else {
      this.#acknowledged++;
      held.resolve();
    }
    while (this.#waiting.length > 0 && !this.#failure && this.#hasRoom(this.#waiting[0]!.payload.byteLength)) {
      this.#admit(this.#waiting.shift()!);
    }
    if (this.#isDrained()) for (const wake of [...this.#drainWaiters]) wake();
  }

  #rejectAll(error: LiteError): void {
    for (const held of this.#waiting.splice(0)) {
      held.settled = true;
      held.reject(error);
    }
    for (const held of [...this.#queue, ...this.#inFlight]) this.#settle(held, error);
  }

  #onConnect(): void {
    this.#connected = true;
    if (this.#everConnected) this.#reconnects++;
    this.#everConnected = true;
    for (const wake of [...this.#connectWaiters]) wake();
    this.#pump();
  }

  /** A CONNACK that refuses the connection is final: MQTT.js does not retry it, so neither do we wait. */
  #onPacket(packet: Packet): void {
    if (packet.cmd !== 'connack') return;
    const code = (this.#options.protocolVersion === 5 ? packet.reasonCode : packet.returnCode) ?? 0;
    if (code === 0) return;
    const table = this.#options.protocolVersion === 5 ? REFUSED_V5 : REFUSED_V4;
    const reason = table[code] ?? `reason code ${code}`;
    this.#failure = new LiteError('IO_ERROR', `MQTT broker ${this.#options.url} refused the connection: ${reason}`);
    this.#lastError = this.#failure;
    this.#rejectAll(this.#failure);
    for (const wake of [...this.#connectWaiters]) wake();
    for (const wake of [...this.#drainWaiters]) wake();
  }
}
