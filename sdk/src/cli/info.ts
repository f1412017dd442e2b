// `edgelite info MODEL`: inputs and outputs, op histogram, unsupported ops and the planned memory; with a device,
// the device (name, compute capability, shared or own memory) and which nodes it runs (the graph summary's
// "on cuda: N nodes, on cpu: M nodes (fallback: ...)" line).
import { LiteConfig, LiteDeviceType, LiteError, LiteGlobal, LiteIO, LiteLayout, LiteNetwork, LiteNetworkIO } from '../index.js';

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(2)} MiB`;
}

/** Parses "name=1x3x48x320" into a LiteIO with that layout (float32 unless the model says otherwise). */
export function parseShapeOption(text: string): LiteIO {
  const match = /^([^=]+)=(\d+(?:x\d+)*)$/.exec(text);
  if (!match) throw new LiteError('INVALID_ARGUMENT', `--shape expects NAME=DxDx..., e.g. x=1x3x48x320; got '${text}'`);
  return new LiteIO(match[1]!, { layout: new LiteLayout(match[2]!.split('x').map(Number)) });
}

export function runInfo(
  model: string,
  write: (line: string) => void,
  shapes: LiteIO[] = [],
  deviceType: LiteDeviceType = LiteDeviceType.LITE_CPU,
): number {
  const info = LiteNetwork.inspectModel(model);
  write(`model: ${model}`);
  write(`  ONNX IR ${info.irVersion}, opset ${info.opset}${info.producer ? `, made by ${info.producer}` : ''}`);
  write('inputs:');
  for (const t of info.inputs) write(`  ${t.name}: ${t.dtype}[${t.dims.join(', ')}]`);
  write('outputs:');
  for (const t of info.outputs) write(`  ${t.name}: ${t.dtype}[${t.dims.join(', ')}]`);
  const histogram = Object.entries(info.opHistogram).sort((a, b) => b[1] - a[1]);
  write(`ops (${histogram.reduce((n, [, c]) => n + c, 0)} nodes, ${histogram.length} types):`);
  for (const [op, count] of histogram) write(`  ${op.padEnd(24)} ${count}${info.unsupportedOps.includes(op) ? '   (unsupported)' : ''}`);
  if (info.unsupportedOps.length > 0) {
    write(`unsupported ops: ${info.unsupportedOps.join(', ')}`);
    write('  this model cannot be loaded until they are supported');
    return 1;
  }
  if (deviceType !== LiteDeviceType.LITE_CPU && deviceType !== LiteDeviceType.LITE_DEVICE_DEFAULT) {
    try {
      write(`device: ${LiteGlobal.getDeviceDescription(deviceType)}`);
    } catch (error) {
      if (!(error instanceof LiteError)) throw error;
      write(`device unavailable [${error.code}]: ${error.message}`);
      return 1;
    }
  }
  const network = new LiteNetwork({ config: new LiteConfig({ deviceType }), io: new LiteNetworkIO({ inputs: shapes }) });
  try {
    network.load(model);
  } catch (error) {
    if (error instanceof LiteError) {
      write(`load failed [${error.code}]: ${error.message}`);
      return 1;
    }
    throw error;
  }
  let memory;
  try {
    memory = network.getStaticMemoryAllocInfo();
  } catch (error) {
    if (!(error instanceof LiteError) || error.code !== 'INVALID_STATE') throw error;
    write('not planned yet: the symbolic input dims need real sizes: pass --shape NAME=DxDx... for each input');
    return 0;
  }
  write(`after graph passes (input layouts: ${network.getAllInputName().map((n) => `${n} ${network.getIoTensor(n).layout.toString()}`).join(', ')}):`);
  for (const line of network.getGraphSummary().trimEnd().split('\n')) write(`  ${line}`);
  write('planned memory (known before any run):');
  write(`  weights ${mib(memory.weightBytes)}, activation arena ${mib(memory.arenaBytes)}, inputs+outputs ${mib(memory.ioBytes)}`);
  write(`  ${memory.tensors.length} intermediate tensors in the arena (${memory.tensors.filter((t) => t.inPlace).length} in place), ` +
    `${memory.dynamicValues} with run-time shapes`);
  network.dispose();
  return 0;
}
