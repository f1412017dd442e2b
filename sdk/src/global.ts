// LiteGlobal: process-wide queries and settings of the runtime.
import { registerDecryptionAndKey, updateDecryptionOrKey, type LiteDecryptFn } from './decryption.js';
import { LiteDeviceType, type LiteLogLevel } from './enums.js';
import { LiteError } from './errors.js';
import { native } from './native.js';

/** Bytes the runtime has copied to move tensor data, by direction; "host" is CPU memory, pinned included. */
export interface LiteCopyStats {
  hostToHost: number;
  hostToDevice: number;
  deviceToHost: number;
  deviceToDevice: number;
}

export class LiteGlobal {
  private constructor() {}

  /** Usable devices of a type: 1 for CPU; 0 when the backend is not built in or finds no device. */
  static getDeviceCount(deviceType: LiteDeviceType): number {
    if (!Object.values(LiteDeviceType).includes(deviceType)) {
      throw new LiteError('INVALID_ARGUMENT', `deviceType must be a LiteDeviceType, got ${String(deviceType)}`);
    }
    return native().getDeviceCount(deviceType);
  }

  /**
   * Gives the heap memory the allocator keeps after frees back to the system (glibc's malloc_trim; nothing on other
   * C libraries). The runtime does it itself after a model is loaded and after a network's first run (loading frees
   * several model-sized buffers); call it after disposing networks in a long-running process.
   */
  static releaseUnusedMemory(): void {
    native().releaseUnusedMemory();
  }

  /**
   * One device in words (what `edgelite info --device` prints): its name and what decides how data reaches it.
   * CUDA: the compute capability and "integrated: shares memory with the CPU" (Jetson) or "discrete", e.g.
   * "Orin (compute 8.7, integrated: shares memory with the CPU)"; OpenCL: the version and "unified memory: shares
   * memory with the CPU" or "discrete: own memory"; CPU: its hardware threads. `deviceId` defaults to 0.
   * A device that is not there (backend not built in, no device found, id out of range) is a LiteError
   * 'DEVICE_UNAVAILABLE' whose message says how to get one; a bad argument, 'INVALID_ARGUMENT'.
   */
  static getDeviceDescription(deviceType: LiteDeviceType, deviceId = 0): string {
    if (typeof deviceType !== 'number' || !Object.values(LiteDeviceType).includes(deviceType)) {
      throw new LiteError('INVALID_ARGUMENT', `deviceType must be a LiteDeviceType, got ${String(deviceType)}`);
    }
    if (typeof deviceId !== 'number' || !Number.isSafeInteger(deviceId) || deviceId < 0 || deviceId > 0x7fffffff) {
      throw new LiteError('INVALID_ARGUMENT', `deviceId must be a non-negative integer, got ${String(deviceId)}`);
    }
    return native().getDeviceDescription(deviceType, deviceId);
  }

  /** The runtime's version, e.g. "0.1.0" (the package's version). */
  static get version(): string {
    return native().version;
  }

  /** Backends compiled into the loaded addon, e.g. ['cpu', 'cuda', 'opencl']. */
  static get builtBackends(): string[] {
    return native().backends.split(',');
  }

  static setLogLevel(level: LiteLogLevel): void {
    if (!Number.isInteger(level) || level < 0 || level > 3) {
      throw new LiteError('INVALID_ARGUMENT', `log level must be a LiteLogLevel (0..3), got ${String(level)}`);
    }
    native().setLogLevel(level);
  }

  static getLogLevel(): LiteLogLevel {
    return native().getLogLevel();
  }

  /**
   * Bytes copied so far to move tensor data (copyFrom, setDataByCopy, toTypedArray, concat, and network IO),
   * by direction. Kernel work is not counted; a zero-copy run adds nothing: this is how to verify it.
   */
  static getCopyStats(): LiteCopyStats {
    return native().getCopyStats();
  }

  /** Sets every copy counter back to 0. */
  static resetCopyStats(): void {
    native().resetCopyStats();
  }

  /**
   * Registers a decryption method for encrypted models under a new name; a network whose
   * `LiteConfig.bareModelCryptionName` is that name has its model bytes passed through `fn(data, key)` before they
   * are parsed. `key` is copied (the caller may reuse its buffer). "AES_default" is built in (AES-256-CBC, IV ||
   * ciphertext, see `encryptModelAes`): set its key with `updateDecryptionOrKey('AES_default', undefined, key)`.
   * A bad name, function or key is a LiteError 'INVALID_ARGUMENT'; a name already registered, 'INVALID_STATE'.
   * A method that throws on a model (e.g. a wrong key) makes the load fail with 'INVALID_MODEL'.
   */
  static registerDecryptionAndKey(name: string, fn: LiteDecryptFn, key: Uint8Array): void {
    registerDecryptionAndKey(name, fn, key);
  }

  /**
   * Replaces the function, the key, or both, of a registered decryption method; what is not given is kept, and
   * the key is copied. "AES_default" keeps a 32-byte key while it keeps its built-in function. An unknown name,
   * neither `fn` nor `key` given, or a bad function or key is a LiteError 'INVALID_ARGUMENT' and changes nothing.
   */
  static updateDecryptionOrKey(name: string, fn?: LiteDecryptFn, key?: Uint8Array): void {
    updateDecryptionOrKey(name, fn, key);
  }
}
