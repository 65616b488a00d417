/** `ferry verify <source> <target>`: parses flags, calls `verifyDatabases`, prints the report. */
import type { Command } from 'commander';
import { KNOWN_SCHEMES } from '../../connectors/url.js';
import { type CoercionRule, parseCoercionRule } from '../../values/coercions.js';
import { verifyDatabases } from '../../verify/verify.js';
import type { VerifyOptions } from '../../verify/verify-options.js';
import type { VerifyResult } from '../../verify/verify-result.js';
import { addMonitorOptions, type MonitorFlags } from '../monitor-options.js';
import { startMonitors } from '../monitors.js';
import { parseList, positiveInteger } from '../options.js';
import { formatVerifyJson, formatVerifySummary } from '../verify-summary.js';

/** The flags: the library's options, less the URLs and listeners, plus output choices. */
type VerifyFlags = Omit<VerifyOptions, 'source' | 'target' | 'reporters'> & MonitorFlags;

/** Exit status of a verify: 0 when every table is equal (or was repaired), else 1. */
export const verifyStatus = (result: VerifyResult) => (result.ok ? 0 : 1);

/** Adds the `verify` command; `setStatus` receives 0 when nothing differs, else 1. */
export function registerVerifyCommand(program: Command, setStatus: (status: number) => void): void {
  const command = program
    .command('verify')
    .description(
      'Compare a target with its source chunk by chunk, checksummed inside both databases; name every differing row.',
    )
    .argument('<source-url>', `the database copied from: ${KNOWN_SCHEMES.join(', ')} URL`)
    .argument('<target-url>', 'the database copied to')
    .option('--tables <names>', 'verify only these source tables (comma-separated, exact names)', parseList)
    .option('--exclude <names>', 'leave these source tables out (comma-separated)', parseList)
    .option('--repair', 'rewrite the differing rows on the target from the source, then check again')
    .option('--dry-run', 'with --repair: count the rows it would delete and insert per table; write nothing')
    .option('--show-values', 'print the differing values (by default only keys and column names)')
    .option(
      '--parallel <n>',
      'chunks checked at once (default: one per core, 2 to 8)',
      positiveInteger('--parallel'),
    )
    .option(
      '--chunk-rows <n>',
      'rows per checksummed chunk (default 100000)',
      positiveInteger('--chunk-rows'),
    )
    .option(
      '--coerce <policy>',
      'the policies the copy ran with (same syntax as copy), so repair writes values the same way',
      (value: string, previous: CoercionRule[] = []) => [...previous, parseCoercionRule(value)],
    )
    .option('--json', 'print the result as JSON on stdout')
    .option('-q, --quiet', 'no progress lines on stderr');
  addMonitorOptions(command)
    .addHelpText(
      'after',
      `
Each chunk's rows are rendered in one canonical text (equal across engines for equal values),
hashed with MD5 and summed inside each database; only differing chunks are narrowed down to rows.

Exit codes: 0 no difference (or all repaired), 1 differences remain or a database refused, 2 bad invocation.

Example:
  ferry verify mysql://root@127.0.0.1/shop postgres://postgres@127.0.0.1/shop --repair`,
    )
    .action(async (sourceUrl: string, targetUrl: string, flags: VerifyFlags) => {
      const monitors = await startMonitors(flags);
      try {
        const result = await verifyDatabases({
          source: sourceUrl,
          target: targetUrl,
          tables: flags.tables,
          exclude: flags.exclude,
          repair: flags.repair,
          dryRun: flags.dryRun,
          showValues: flags.showValues,
          parallel: flags.parallel,
          chunkRows: flags.chunkRows,
          coerce: flags.coerce,
          reporters: monitors.verifyReporters,
        });
        await monitors.finish({ verify: result });
        process.stdout.write(flags.json ? formatVerifyJson(result) : formatVerifySummary(result));
        setStatus(verifyStatus(result));
      } catch (error) {
        monitors.fail(error);
        throw error;
      } finally {
        await monitors.close();
      }
    });
}
