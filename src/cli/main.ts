/**
 * The `ferry` command line: a thin shell over the library. This is the only place that sets the
 * exit code (DESIGN.md): 0 done, 1 the work failed or a database refused, 2 the invocation is wrong.
 */
// First: it sets the heap's shape before any other module allocates.
import './heap-shape.js';
import { Command, CommanderError } from 'commander';
import { FerryError } from '../errors.js';
import { redact } from '../secrets.js';
import { registerCleanupCommand } from './commands/cleanup.js';
import { registerCopyCommand } from './commands/copy.js';
import { registerCutoverCommand } from './commands/cutover.js';
import { registerInitCommand } from './commands/init.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerRunCommand } from './commands/run.js';
import { registerStatusCommand } from './commands/status.js';
import { registerVerifyCommand } from './commands/verify.js';
import { VERSION } from './version.js';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function buildProgram(setStatus: (status: number) => void): Command {
  const program = new Command('ferry')
    .description(
      'Move a live database to another server, engine or shards: nothing lost, nothing duplicated.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(redact(text)),
    });
  registerCopyCommand(program, setStatus);
  registerVerifyCommand(program, setStatus);
  registerInitCommand(program, setStatus);
  registerPlanCommand(program, setStatus);
  registerRunCommand(program, setStatus);
  registerStatusCommand(program, setStatus);
  registerCutoverCommand(program, setStatus);
  registerCleanupCommand(program, setStatus);
  return program;
}

async function main(argv: string[]): Promise<number> {
  let status = EXIT_OK;
  const program = buildProgram((value) => {
    status = value;
  });
  try {
    await program.parseAsync(argv);
    return status;
  } catch (error) {
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message; help and version are successes.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof FerryError) {
    process.stderr.write(`ferry: error: ${redact(error.message)} [${error.code}]\n`);
    return error.kind === 'usage' ? EXIT_USAGE : EXIT_FAILED;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`ferry: unexpected error: ${redact(message)}\n`);
  if (process.env.FERRY_DEBUG && error instanceof Error && error.stack) {
    process.stderr.write(`${redact(error.stack)}\n`);
  } else {
    process.stderr.write('ferry: set FERRY_DEBUG=1 for the stack trace, and please report it.\n');
  }
  return EXIT_FAILED;
}

process.exitCode = await main(process.argv);
