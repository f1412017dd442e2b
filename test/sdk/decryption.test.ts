import { afterEach, expect, test } from 'vitest';

import { AES_DEFAULT_KEY, decryptionMethodNames, decryptModel } from '../../sdk/src/decryption.js';
import { encryptModelAes, LiteError, LiteGlobal, type LiteDecryptFn } from '../../sdk/src/index.js';

const model = new TextEncoder().encode('not really ONNX, but bytes to round-trip: '.repeat(7));
const userKey = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
const fixedIv = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

const xor: LiteDecryptFn = (data, key) => data.map((byte, i) => byte ^ key[i % key.length]!);

function thrown(fn: () => unknown): LiteError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LiteError);
    return error as LiteError;
  }
  throw new Error('expected a LiteError, nothing was thrown');
}

afterEach(() => {
  LiteGlobal.updateDecryptionOrKey('AES_default', undefined, new Uint8Array(AES_DEFAULT_KEY));
});

test('AES_default is built in with the documented default key', () => {
  expect(decryptionMethodNames()).toContain('AES_default');
  expect([...AES_DEFAULT_KEY]).toEqual(Array.from({ length: 32 }, (_, i) => i));
  const encrypted = encryptModelAes(model, new Uint8Array(AES_DEFAULT_KEY));
  expect([...decryptModel('AES_default', encrypted)]).toEqual([...model]);
});

test('AES round trip with a user key; the file is IV || ciphertext', () => {
  const encrypted = encryptModelAes(model, userKey, fixedIv);
  expect([...encrypted.subarray(0, 16)]).toEqual([...fixedIv]);
  // PKCS#7 always pads: to the next whole block.
  expect(encrypted.byteLength).toBe(16 + (Math.floor(model.byteLength / 16) + 1) * 16);
  expect(encrypted.subarray(16)).not.toEqual(model.subarray(0, encrypted.byteLength - 16));

  LiteGlobal.updateDecryptionOrKey('AES_default', undefined, userKey);
  expect([...decryptModel('AES_default', encrypted)]).toEqual([...model]);

  // A random IV by default: two encryptions differ, both decrypt.
  const a = encryptModelAes(model, userKey);
  const b = encryptModelAes(model, userKey);
  expect([...a]).not.toEqual([...b]);
  expect([...decryptModel('AES_default', a)]).toEqual([...model]);
  expect([...decryptModel('AES_default', b)]).toEqual([...model]);

  // Empty models round-trip too (one block of padding).
  expect(decryptModel('AES_default', encryptModelAes(new Uint8Array(0), userKey)).byteLength).toBe(0);
});

test('the key is copied on registration and update', () => {
  const key = new Uint8Array(userKey);
  LiteGlobal.updateDecryptionOrKey('AES_default', undefined, key);
  key.fill(0);
  expect([...decryptModel('AES_default', encryptModelAes(model, userKey))]).toEqual([...model]);

  const xorKey = Uint8Array.of(1, 2, 3);
  LiteGlobal.registerDecryptionAndKey('xor-copied', xor, xorKey);
  xorKey.fill(0);
  expect([...decryptModel('xor-copied', xor(model, Uint8Array.of(1, 2, 3)))]).toEqual([...model]);
});

test('a wrong key is INVALID_MODEL', () => {
  const encrypted = encryptModelAes(model, userKey, fixedIv);
  // Still the default key.
  const error = thrown(() => decryptModel('AES_default', encrypted));
  expect(error.code).toBe('INVALID_MODEL');
  expect(error.message).toMatch(/^decryption with AES_default failed: .*: check the key$/);

  LiteGlobal.updateDecryptionOrKey('AES_default', undefined, userKey.map((byte) => byte ^ 0x55));
  expect(thrown(() => decryptModel('AES_default', encrypted)).code).toBe('INVALID_MODEL');
});

test('truncated or misaligned AES data is INVALID_MODEL', () => {
  const encrypted = encryptModelAes(model, userKey, fixedIv);
  LiteGlobal.updateDecryptionOrKey('AES_default', undefined, userKey);
  for (const bad of [encrypted.subarray(0, 16), encrypted.subarray(0, encrypted.byteLength - 1), new Uint8Array(0)]) {
    const error = thrown(() => decryptModel('AES_default', bad));
    expect(error.code).toBe('INVALID_MODEL');
    expect(error.message).toContain('16-byte IV');
  }
});

test('an unknown method name is INVALID_ARGUMENT and lists the registered ones', () => {
  LiteGlobal.registerDecryptionAndKey('xor-listed', xor, Uint8Array.of(7));
  const error = thrown(() => decryptModel('RC4_default', model));
  expect(error.code).toBe('INVALID_ARGUMENT');
  expect(error.message).toContain("'RC4_default'");
  expect(error.message).toContain("'AES_default'");
  expect(error.message).toContain("'xor-listed'");
  expect(thrown(() => decryptModel('', model)).code).toBe('INVALID_ARGUMENT');
  expect(thrown(() => decryptModel('AES_default', 'model.onnx' as unknown as Uint8Array)).code).toBe('INVALID_ARGUMENT');
});

test('registering a name twice is refused, AES_default included', () => {
  LiteGlobal.registerDecryptionAndKey('xor-twice', xor, Uint8Array.of(1));
  const error = thrown(() => LiteGlobal.registerDecryptionAndKey('xor-twice', xor, Uint8Array.of(2)));
  expect(error.code).toBe('INVALID_STATE');
  expect(error.message).toContain('updateDecryptionOrKey');
  expect(thrown(() => LiteGlobal.registerDecryptionAndKey('AES_default', xor, userKey)).code).toBe('INVALID_STATE');
  // The first registration is untouched.
  expect([...decryptModel('xor-twice', Uint8Array.of(1, 2))]).toEqual([0, 3]);
});

test('registration arguments are validated', () => {
  for (const name of ['', 42 as unknown as string]) {
    expect(thrown(() => LiteGlobal.registerDecryptionAndKey(name, xor, Uint8Array.of(1))).code).toBe('INVALID_ARGUMENT');
  }
  const notFn = 'xor' as unknown as LiteDecryptFn;
  expect(thrown(() => LiteGlobal.registerDecryptionAndKey('bad-fn', notFn, Uint8Array.of(1))).code).toBe('INVALID_ARGUMENT');
  const notKey = [1, 2] as unknown as Uint8Array;
  expect(thrown(() => LiteGlobal.registerDecryptionAndKey('bad-key', xor, notKey)).code).toBe('INVALID_ARGUMENT');
  expect(decryptionMethodNames()).not.toContain('bad-fn');
  expect(decryptionMethodNames()).not.toContain('bad-key');
});

test('updating an unknown name, or with nothing to update, is refused', () => {
  const error = thrown(() => LiteGlobal.updateDecryptionOrKey('nope', xor, Uint8Array.of(1)));
  expect(error.code).toBe('INVALID_ARGUMENT');
  expect(error.message).toContain("'nope'");
  expect(error.message).toContain("'AES_default'");
  expect(decryptionMethodNames()).not.toContain('nope');
  expect(thrown(() => LiteGlobal.updateDecryptionOrKey('AES_default')).code).toBe('INVALID_ARGUMENT');
});

test('a custom XOR method is registered, used and updated', () => {
  const key = Uint8Array.of(0x5a, 0xc3, 0x01);
  const encrypted = xor(model, key);
  expect([...encrypted]).not.toEqual([...model]);
  LiteGlobal.registerDecryptionAndKey('xor', xor, key);
  expect([...decryptModel('xor', encrypted)]).toEqual([...model]);

  // New key only.
  const key2 = Uint8Array.of(9, 8, 7, 6);
  LiteGlobal.updateDecryptionOrKey('xor', undefined, key2);
  expect([...decryptModel('xor', xor(model, key2))]).toEqual([...model]);

  // New function only: the key is kept.
  const seen: number[][] = [];
  LiteGlobal.updateDecryptionOrKey('xor', (data, k) => {
    seen.push([...k]);
    return xor(data, k);
  });
  expect([...decryptModel('xor', xor(model, key2))]).toEqual([...model]);
  expect(seen).toEqual([[9, 8, 7, 6]]);
});

test('the AES key length is validated', () => {
  for (const bytes of [0, 16, 31, 33]) {
    const error = thrown(() => LiteGlobal.updateDecryptionOrKey('AES_default', undefined, new Uint8Array(bytes)));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('32 bytes');
    expect(thrown(() => encryptModelAes(model, new Uint8Array(bytes))).code).toBe('INVALID_ARGUMENT');
  }
  // The failed updates changed nothing: the default key still works.
  expect([...decryptModel('AES_default', encryptModelAes(model, new Uint8Array(AES_DEFAULT_KEY)))]).toEqual([...model]);
  expect(thrown(() => encryptModelAes(model, userKey, new Uint8Array(12))).code).toBe('INVALID_ARGUMENT');
  expect(thrown(() => encryptModelAes('model' as unknown as Uint8Array, userKey)).code).toBe('INVALID_ARGUMENT');
});

test('a throwing user function, or one returning a non-Uint8Array, becomes INVALID_MODEL', () => {
  LiteGlobal.registerDecryptionAndKey(
    'throws',
    () => {
      throw new RangeError('bad magic 0xdead');
    },
    Uint8Array.of(1),
  );
  const error = thrown(() => decryptModel('throws', model));
  expect(error.code).toBe('INVALID_MODEL');
  expect(error.message).toBe('decryption with throws failed: bad magic 0xdead: check the key');

  LiteGlobal.registerDecryptionAndKey('throws-string', () => {
    throw 'plain string';
  }, Uint8Array.of(1));
  expect(thrown(() => decryptModel('throws-string', model)).message).toContain('plain string');

  LiteGlobal.registerDecryptionAndKey('returns-array', (() => [1, 2, 3]) as unknown as LiteDecryptFn, Uint8Array.of(1));
  const bad = thrown(() => decryptModel('returns-array', model));
  expect(bad.code).toBe('INVALID_MODEL');
  expect(bad.message).toMatch(/^decryption with returns-array failed: .*Array.*: check the key$/);
});

test('the method gets a copy of its key', () => {
  const keys: Uint8Array[] = [];
  LiteGlobal.registerDecryptionAndKey('mutates-key', (data, key) => {
    keys.push(key);
    key.fill(0xff);
    return data;
  }, Uint8Array.of(1, 2));
  decryptModel('mutates-key', model);
  decryptModel('mutates-key', model);
  expect(keys.length).toBe(2);
  expect(keys[0]).not.toBe(keys[1]);
  expect([...keys[1]!]).toEqual([0xff, 0xff]);
  // The stored key was not changed by the first call: the second call saw [1, 2] before filling it.
  const seen: number[][] = [];
  LiteGlobal.updateDecryptionOrKey('mutates-key', (data, key) => {
    seen.push([...key]);
    return data;
  });
  decryptModel('mutates-key', model);
  expect(seen).toEqual([[1, 2]]);
});
