// `npm run cli -- <command> …`: the engine from the command line (Node, onnxruntime-node on CPU).
import { buildSpaceCommand } from './build-space';
import { directionsCommand } from './directions';
import { editCommand } from './edit';
import { evalCommand } from './eval';
import { exportCommand } from './export';
import { generateCommand } from './generate';
import { importCommand } from './import';
import { invertCommand } from './invert';
import { maskCommand } from './mask';
import { sampleCommand } from './sample';
import { scoreCommand } from './score';

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  eval: evalCommand,
  generate: generateCommand,
  sample: sampleCommand,
  edit: editCommand,
  export: exportCommand,
  import: importCommand,
  invert: invertCommand,
  directions: directionsCommand,
  'build-space': buildSpaceCommand,
  mask: maskCommand,
  score: scoreCommand,
};

async function main() {
  const [cmd, ...argv] = process.argv.slice(2);
  const run = cmd && COMMANDS[cmd];
  if (!run) {
    console.error(`usage: npm run cli -- <${Object.keys(COMMANDS).join('|')}> [flags]  (see docs/cli.md)`);
    process.exit(2);
  }
  await run(argv);
}

main().catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
