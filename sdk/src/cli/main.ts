#!/usr/bin/env node
// The `edgelite` command.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { deployCommand } from '../../../device/deploy/deploy.js';
import { LiteDeviceType, LiteError, LiteGlobal } from '../index.js';
import { packageRoot } from '../native.js';
import { benchCommand } from './bench.js';
import { runDemo } from './demo.js';
import { parseShapeOption, runInfo } from './info.js';
import { RUN_USAGE, runCommand } from './run.js';
import { subCommand } from './sub.js';

const INFO_DEVICES = new Map([
  ['cpu', LiteDeviceType.LITE_CPU],
  ['cuda', LiteDeviceType.LITE_CUDA],
  ['opencl', LiteDeviceType.LITE_OPENCL],
]);

const USAGE = `usage: edgelite <command>

commands:
  --version, version   print the package version
  devices              list the backends built in and the devices found
  info MODEL [--shape NAME=DxDx...] [--device cpu|cuda|opencl]
                       a model's inputs, outputs, ops, unsupported ops and planned memory; with --device cuda|opencl
                       also the device and which nodes run on it and which fall back to the CPU
  bench MODEL [--device cpu|cuda|opencl] [--threads N] [--runs N] [--shape NAME=DxD...]
                       time load, first run and N runs (median, p90, min) and say where the nodes ran
  run [options]        the main job: source → network → MQTT (edgelite run --help)
  sub URL TOPIC        print the results published by run, decoded
  deploy [user@]host[:port] --config FILE
                       install the pipeline on a device over ssh as a systemd service (edgelite deploy --help)
  demo                 the main job on embedded defaults (test pattern, BlazeFace, in-process broker), 90 frames
  tour                 a tour of what the runtime does on this machine, on built-in data
  help                 this text
`;

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case '--version':
    case '-v':
    case 'version':
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    case 'devices':
      process.stdout.write(`edgelite ${LiteGlobal.version}, backends built in: ${LiteGlobal.builtBackends.join(', ')}\n`);
      for (const type of [LiteDeviceType.LITE_CPU, LiteDeviceType.LITE_CUDA, LiteDeviceType.LITE_OPENCL]) {
        process.stdout.write(`  ${LiteDeviceType[type]}: ${LiteGlobal.getDeviceCount(type)} device(s)\n`);
      }
      return 0;
    case 'info': {
      const model = argv[1];
      if (!model) {
        process.stderr.write('usage: edgelite info MODEL.onnx [--shape NAME=DxDx...] [--device cpu|cuda|opencl]\n');
        return 2;
      }
      const shapes = [];
      let device = LiteDeviceType.LITE_CPU;
      for (let i = 2; i < argv.length; i++) {
        if (argv[i] === '--shape' && argv[i + 1]) shapes.push(parseShapeOption(argv[++i]!));
        else if (argv[i] === '--device' && INFO_DEVICES.has(argv[i + 1] ?? '')) {
          device = INFO_DEVICES.get(argv[++i]!)!;
        } else throw new LiteError('INVALID_ARGUMENT', `unknown option '${argv[i]}' for info (--shape NAME=DxDx..., --device cpu|cuda|opencl)`);
      }
      return runInfo(model, (line) => process.stdout.write(`${line}\n`), shapes, device);
    }
    case 'run':
      if (argv.includes('--help')) {
        process.stdout.write(`${RUN_USAGE}\n`);
        return 0;
      }
      return runCommand(argv.slice(1));
    case 'bench':
      return benchCommand(argv.slice(1));
    case 'sub':
      return subCommand(argv.slice(1), (line) => process.stdout.write(`${line}\n`));
    case 'deploy':
      return deployCommand(argv.slice(1), (line) => process.stdout.write(`${line}\n`));
    case 'demo':
      return runCommand(['--frames', '90', '--echo', '30', ...argv.slice(1)]);
    case 'tour':
      runDemo((line) => process.stdout.write(`${line}\n`));
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`edgelite: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { code, message } = error as { code?: string; message: string };
    process.stderr.write(`edgelite: ${code ? `[${code}] ` : ''}${message}\n`);
    process.exitCode = 1;
  },
);
