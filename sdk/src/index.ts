// edgelite: MegEngine Lite's tensor and network API for Node, over a C++17 runtime for CPU, CUDA and OpenCL.
// This file is the reference of the public API: every export is documented where it is declared.

/** Device, data type, IO and phase enums, with MegEngine Lite's numeric values. */
export { LiteDataType, LiteDeviceType, LiteIOType, LiteLogLevel, LiteTensorPhase } from './enums.js';
export type { DtypeName } from './enums.js';

/** The error type of every failure; `code` is stable (see README, "Errors"). */
export { LiteError } from './errors.js';
export type { LiteErrorCode } from './errors.js';

/** Shape and element type. */
export { LiteLayout } from './layout.js';

/** Tensors on any device, views, zero-copy sharing with JS memory, and concatenation. */
export { LiteTensor, LiteTensorConcat } from './tensor.js';
export type { LiteTensorInit, LiteTensorOptions, LiteTypedArray } from './tensor.js';

/** Loading and running ONNX models, with Lite's config, options and IO descriptions. */
export { LiteConfig, LiteIO, LiteNetwork, LiteNetworkIO, LiteOptions } from './network.js';
export type { LiteConfigInit, LiteIOInit, LiteIOTensors, LiteMemoryInfo, LiteModelInfo } from './network.js';

/** Devices, version, log level, copy statistics and model decryption methods. */
export { LiteGlobal } from './global.js';
export type { LiteCopyStats } from './global.js';

/** Encrypted models: encryptModelAes writes IV || AES-256-CBC ciphertext for the built-in "AES_default" method. */
export { encryptModelAes } from './decryption.js';
export type { LiteDecryptFn } from './decryption.js';

/** The pipeline: frame sources (the interface device adapters implement), preprocessing, the output ring. */
export { BufferPool, frameBytes } from './pipeline/source.js';
export type { Frame, FrameFormat, FrameSource, ImageFormat, SamplesFormat } from './pipeline/source.js';
export { canBindFrameDirectly, preprocessFrame } from './pipeline/preprocess.js';
export type { PreprocessOptions } from './pipeline/preprocess.js';
export { deviceFrameAllocator, Pipeline } from './pipeline/pipeline.js';
export type { InferenceResult, PipelineOptions, PipelineStats, ResultSink, ResultTensor } from './pipeline/pipeline.js';

/** MQTT: the documented result message format (binary "ELT1" and JSON) and the publisher with its offline queue. */
export {
  decodeResult,
  decodeResultJson,
  encodedSize,
  encodeResult,
  encodeResultJson,
  RESULT_CONTENT_TYPE,
  RESULT_JSON_CONTENT_TYPE,
  resultUserProperties,
} from './mqtt/codec.js';
export type {
  DecodedResult,
  DecodedTensor,
  DecodeOptions,
  JsonDecodeOptions,
  JsonEncodeOptions,
  ResultMessage,
  ResultMessageTensor,
} from './mqtt/codec.js';
export { MqttPublisher } from './mqtt/publisher.js';
export type { MqttCloseOptions, MqttPublisherOptions, MqttPublisherStats, MqttTlsOptions } from './mqtt/publisher.js';
