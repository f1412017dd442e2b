// Enums of the public API. Numeric values follow MegEngine Lite's C header; LITE_OPENCL and LITE_BOOL are
// edgelite's own.

/** Where a tensor's memory lives and where a network runs. */
export enum LiteDeviceType {
  LITE_CPU = 0,
  LITE_CUDA = 1,
  LITE_OPENCL = 2,
  /** Resolved to the network's device when a tensor is bound to it; a plain tensor uses the CPU. */
  LITE_DEVICE_DEFAULT = 7,
}

/** Element type of a tensor; each has a string form (see {@link DtypeName}). */
export enum LiteDataType {
  LITE_FLOAT = 0,
  LITE_HALF = 1,
  LITE_INT = 2,
  LITE_INT16 = 3,
  LITE_INT8 = 4,
  LITE_UINT8 = 5,
  LITE_UINT = 6,
  LITE_UINT16 = 7,
  LITE_INT64 = 8,
  /** One byte per element (ONNX boolean masks). */
  LITE_BOOL = 9,
}

/** Whether a network output is computed (VALUE) or only its shape is wanted (SHAPE). */
export enum LiteIOType {
  LITE_IO_VALUE = 0,
  LITE_IO_SHAPE = 1,
}

/** Which side of a network a tensor is on, for `getIoTensor`. */
export enum LiteTensorPhase {
  LITE_IO = 0,
  LITE_INPUT = 1,
  LITE_OUTPUT = 2,
}

/** Log verbosity of the runtime, most verbose first. Default: LITE_WARN. */
export enum LiteLogLevel {
  LITE_DEBUG = 0,
  LITE_INFO = 1,
  LITE_WARN = 2,
  LITE_ERROR = 3,
}

/** String forms of {@link LiteDataType}, as accepted by `new LiteLayout(shape, 'int8')`. */
export type DtypeName =
  | 'float32'
  | 'float16'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'uint32'
  | 'uint16'
  | 'int64'
  | 'bool';
