// One load of a real model as an OpenCL network, timed, in a process of its own (bench/models.ts --device opencl
// runs it twice: with empty program caches, then with the ones the first run filled). Prints "loadMs=<ms>".
import { LiteConfig, LiteDeviceType, LiteIO, LiteLayout, LiteNetwork, LiteNetworkIO } from '../sdk/src/index.js';
import { realModels } from '../test/fixtures/models.js';

const model = realModels().find((m) => m.name === process.argv[2]);
if (!model) throw new Error(`unknown model '${String(process.argv[2])}'`);
const inputName = LiteNetwork.getModelIoInfo(model.path).inputs[0]!.name;
const started = performance.now();
const network = new LiteNetwork({
  config: new LiteConfig({ deviceType: LiteDeviceType.LITE_OPENCL }),
  io: new LiteNetworkIO({ inputs: [new LiteIO(inputName, { layout: new LiteLayout(model.shape, 'float32') })] }),
});
network.load(model.path);
const loadMs = performance.now() - started;
network.dispose();
process.stdout.write(`loadMs=${loadMs.toFixed(2)}\n`);
