/** `ferry init [file]`: writes the commented example plan, never over an existing file unless `--force`. */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { EXAMPLE_PASSWORD_VARIABLE, EXAMPLE_PLAN } from '../../plan/example-plan.js';

/** Adds the `init` command; `setStatus` receives 0 once the file is written. */
export function registerInitCommand(program: Command, setStatus: (status: number) => void): void {
  program
    .command('init')
    .description('Write a commented example plan file to edit: source, target, tables, options.')
    .argument('[file]', 'where to write it', 'ferry.yaml')
    .option('--force', 'overwrite the file if it exists')
    .addHelpText(
      'after',
      `
Exit codes: 0 written, 2 the file exists (and no --force) or cannot be written.

Example:
  ferry init shop.yaml && ferry plan shop.yaml`,
    )
    .action(async (file: string, flags: { force?: boolean }) => {
      try {
        // 'wx' fails if the file exists, so a plan is never overwritten by accident (nor raced).
        await writeFile(file, EXAMPLE_PLAN, { flag: flags.force ? 'w' : 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') {
          throw new UsageError(
            'INIT_FILE_EXISTS',
            `${file} exists already; name another file (ferry init other.yaml) or overwrite it with --force.`,
          );
        }
        throw new UsageError('INIT_WRITE_FAILED', `cannot write ${file} (${code ?? 'unknown reason'}).`, {
          cause: error,
        });
      }
      process.stdout.write(
        `wrote ${file}: set source and target (the password comes from ${EXAMPLE_PASSWORD_VARIABLE}), then check it with ferry plan ${file}\n`,
      );
      setStatus(0);
    });
}
