// Model decryption: the process-wide registry of decryption methods (Lite's registerDecryptionAndKey /
// updateDecryptionOrKey) and the built-in "AES_default" method. A network whose config names a method in
// `bareModelCryptionName` has its model bytes passed through `decryptModel` before they are parsed.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { LiteError } from './errors.js';

/**
 * A decryption method: takes the encrypted model bytes and the method's key, returns the plain model bytes.
 * It may throw on bad input (a wrong key, a truncated file); the SDK reports that as a LiteError 'INVALID_MODEL'.
 * `key` is a copy the method may keep or change; `data` is the caller's buffer and must not be changed.
 */
export type LiteDecryptFn = (data: Uint8Array, key: Uint8Array) => Uint8Array;

/** Name of the built-in AES-256-CBC method. */
export const AES_DEFAULT = 'AES_default';

/** Key length of AES_default (AES-256), in bytes. */
export const AES_KEY_BYTES = 32;

/** IV length of AES_default (one AES block), in bytes; an encrypted model starts with it. */
export const AES_IV_BYTES = 16;

/**
 * The key AES_default has until `updateDecryptionOrKey('AES_default', undefined, key)` replaces it: the 32 bytes
 * 0x00, 0x01, ..., 0x1f. It is public (it is in this file), so it hides nothing: it only makes AES_default usable
 * out of the box for tests. Set your own key before shipping encrypted models.
 */
export const AES_DEFAULT_KEY: Readonly<Uint8Array> = Uint8Array.from({ length: AES_KEY_BYTES }, (_, i) => i);

interface DecryptionMethod {
  fn: LiteDecryptFn;
  key: Uint8Array;
  /** Key length the method requires (AES_default while it keeps its built-in function), else undefined. */
  keyBytes: number | undefined;
}

const methods = new Map<string, DecryptionMethod>();

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

function registeredList(): string {
  const names = [...methods.keys()].map((name) => `'${name}'`);
  return names.length > 0 ? names.join(', ') : '(none)';
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new LiteError('INVALID_ARGUMENT', `a decryption method name must be a non-empty string, got ${describe(name)}`);
  }
}

function checkFn(fn: unknown): asserts fn is LiteDecryptFn {
  if (typeof fn !== 'function') {
    throw new LiteError('INVALID_ARGUMENT', `a decryption method must be a function (data, key) => Uint8Array, got ${describe(fn)}`);
  }
}

function checkKey(name: string, key: unknown, keyBytes: number | undefined): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) {
    throw new LiteError('INVALID_ARGUMENT', `the key of decryption method '${name}' must be a Uint8Array/Buffer, got ${describe(key)}`);
  }
  if (keyBytes !== undefined && key.byteLength !== keyBytes) {
    throw new LiteError(
      'INVALID_ARGUMENT',
      `the key of decryption method '${name}' must be ${keyBytes} bytes, got ${key.byteLength}`,
    );
  }
}

function aesKeyCheck(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.byteLength !== AES_KEY_BYTES) {
    const got = key instanceof Uint8Array ? `${key.byteLength} bytes` : describe(key);
    throw new LiteError('INVALID_ARGUMENT', `${what}: an AES-256 key must be ${AES_KEY_BYTES} bytes, got ${got}`);
  }
}

/** The built-in AES_default method: data is IV (16 bytes) || AES-256-CBC ciphertext with PKCS#7 padding. */
const aesDecrypt: LiteDecryptFn = (data, key) => {
  aesKeyCheck(key, AES_DEFAULT);
  const cipherBytes = data.byteLength - AES_IV_BYTES;
  if (cipherBytes < 16 || cipherBytes % 16 !== 0) {
    throw new Error(
      `the encrypted model is ${data.byteLength} bytes; ${AES_DEFAULT} expects a ${AES_IV_BYTES}-byte IV followed by ` +
        'whole 16-byte blocks of ciphertext (at least one)',
    );
  }
  const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, AES_IV_BYTES));
  return Buffer.concat([decipher.update(data.subarray(AES_IV_BYTES)), decipher.final()]);
};

/**
 * Registers a decryption method under a new name. The key is copied, so the caller may reuse its buffer.
 * An empty or non-string name, a non-function `fn` or a non-Uint8Array key is INVALID_ARGUMENT; a name already
 * registered (including "AES_default") is INVALID_STATE: change it with `updateDecryptionOrKey`.
 */
export function registerDecryptionAndKey(name: string, fn: LiteDecryptFn, key: Uint8Array): void {
  checkName(name);
  checkFn(fn);
  checkKey(name, key, undefined);
  if (methods.has(name)) {
    throw new LiteError(
      'INVALID_STATE',
      `decryption method '${name}' is already registered: use updateDecryptionOrKey to change its function or key`,
    );
  }
  methods.set(name, { fn, key: new Uint8Array(key), keyBytes: undefined });
}

/**
 * Replaces the function, the key, or both, of a registered method; what is not given is kept. The key is copied.
 * An unknown name, or neither `fn` nor `key` given, is INVALID_ARGUMENT. While "AES_default" keeps its built-in
 * function its key must be 32 bytes. Nothing changes when a check fails.
 */
export function updateDecryptionOrKey(name: string, fn?: LiteDecryptFn, key?: Uint8Array): void {
  checkName(name);
  const method = methods.get(name);
  if (!method) {
    throw new LiteError(
      'INVALID_ARGUMENT',
      `no decryption method named '${name}' to update (registered: ${registeredList()}): register it with registerDecryptionAndKey`,
    );
  }
  const newFn = fn ?? undefined;
  const newKey = key ?? undefined;
  if (newFn === undefined && newKey === undefined) {
    throw new LiteError('INVALID_ARGUMENT', `updateDecryptionOrKey('${name}') needs a new function, a new key, or both`);
  }
  if (newFn !== undefined) checkFn(newFn);
  // A new function lifts the built-in's key-length rule: the user's function decides what keys it takes.
  const keyBytes = newFn === undefined ? method.keyBytes : undefined;
  if (newKey !== undefined) checkKey(name, newKey, keyBytes);
  methods.set(name, {
    fn: newFn ?? method.fn,
    key: newKey !== undefined ? new Uint8Array(newKey) : method.key,
    keyBytes,
  });
}

/** Names of the registered decryption methods, in registration order. */
export function decryptionMethodNames(): string[] {
  return [...methods.keys()];
}

/**
 * Decrypts model bytes with a registered method. An unknown name is INVALID_ARGUMENT (the message lists the
 * registered ones); a method that throws, or returns something other than a Uint8Array, is INVALID_MODEL.
 */
export function decryptModel(name: string, data: Uint8Array): Uint8Array {
  checkName(name);
  if (!(data instanceof Uint8Array)) {
    throw new LiteError('INVALID_ARGUMENT', `the model to decrypt must be a Uint8Array/Buffer, got ${describe(data)}`);
  }
  const method = methods.get(name);
  if (!method) {
    throw new LiteError(
      'INVALID_ARGUMENT',
      `unknown decryption method '${name}' (registered: ${registeredList()}): register it with ` +
        'LiteGlobal.registerDecryptionAndKey or fix LiteConfig.bareModelCryptionName',
    );
  }
  let result: unknown;
  try {
    result = method.fn(data, method.key.slice());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LiteError('INVALID_MODEL', `decryption with ${name} failed: ${reason}: check the key`);
  }
  if (!(result instanceof Uint8Array)) {
    throw new LiteError(
      'INVALID_MODEL',
      `decryption with ${name} failed: the method returned ${describe(result)}, not a Uint8Array: check the key`,
    );
  }
  return result;
}

/**
 * Encrypts model bytes for AES_default: AES-256-CBC with PKCS#7 padding, written as IV (16 bytes) || ciphertext.
 * `key` must be 32 bytes; `iv`, 16 bytes, is random unless given (give one only for reproducible output, and never
 * reuse an IV with the same key for different models). Decrypt with a network whose
 * `bareModelCryptionName` is 'AES_default' after `LiteGlobal.updateDecryptionOrKey('AES_default', undefined, key)`.
 */
export function encryptModelAes(data: Uint8Array, key: Uint8Array, iv?: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) {
    throw new LiteError('INVALID_ARGUMENT', `the model to encrypt must be a Uint8Array/Buffer, got ${describe(data)}`);
  }
  aesKeyCheck(key, 'encryptModelAes');
  if (iv !== undefined && (!(iv instanceof Uint8Array) || iv.byteLength !== AES_IV_BYTES)) {
    const got = iv instanceof Uint8Array ? `${iv.byteLength} bytes` : describe(iv);
    throw new LiteError('INVALID_ARGUMENT', `encryptModelAes: the IV must be ${AES_IV_BYTES} bytes, got ${got}`);
  }
  const ivBytes = iv ?? randomBytes(AES_IV_BYTES);
  const cipher = createCipheriv('aes-256-cbc', key, ivBytes);
  return Buffer.concat([ivBytes, cipher.update(data), cipher.final()]);
}

methods.set(AES_DEFAULT, { fn: aesDecrypt, key: new Uint8Array(AES_DEFAULT_KEY), keyBytes: AES_KEY_BYTES });
