// LiteError: the one error type of the SDK. `code` is stable; the table in README.md ("Errors") lists them.

/** Stable error codes. */
export type LiteErrorCode =
  /** A value is out of range or of the wrong kind. */
  | 'INVALID_ARGUMENT'
  /** Too many dims, a negative dim, an unknown dtype. */
  | 'INVALID_LAYOUT'
  /** Element counts or shapes that must agree do not. */
  | 'SHAPE_MISMATCH'
  /** Element types that must agree do not. */
  | 'DTYPE_MISMATCH'
  /** The operation needs a contiguous tensor; this one is a strided view. */
  | 'NOT_CONTIGUOUS'
  /** The backend is not built in, or no such device is present. */
  | 'DEVICE_UNAVAILABLE'
  /** An allocation failed. */
  | 'OUT_OF_MEMORY'
  /** The call is not allowed now (e.g. after dispose). */
  | 'INVALID_STATE'
  /** A valid request this build cannot serve. */
  | 'NOT_SUPPORTED'
  /** The model file is corrupt, truncated or not valid ONNX. */
  | 'INVALID_MODEL'
  /** The model uses operators or types this runtime lacks (the message lists every one). */
  | 'UNSUPPORTED_OP'
  /** A file could not be read or written. */
  | 'IO_ERROR'
  /** No native addon fits this platform, or it failed to load. */
  | 'ADDON_NOT_FOUND'
  /** `edgelite deploy` could not reach the device, install there, or see results (the message names the step). */
  | 'DEPLOY_FAILED'
  /** A bug in edgelite; please report it. */
  | 'INTERNAL';

export class LiteError extends Error {
  readonly code: LiteErrorCode;

  constructor(code: LiteErrorCode, message: string) {
    super(message);
    this.name = 'LiteError';
    this.code = code;
  }
}
