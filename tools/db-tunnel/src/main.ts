/**
 * The command: read argv, run the tunnel, turn any failure into a titled message with a fix.
 * Exit codes: 0 done, 1 failed (or a preflight check failed), 2 bad command line, 128+n after a
 * signal (130 for Ctrl-C).
 */
import { TOOLKIT_VERSION } from '../../../actions/common/src/version.js';
import { parseCommandLine, TOOL_NAME, USAGE, UsageError } from './args.js';
import { formatReport, reportOf } from './report.js';
import { runTunnel, type TunnelDependencies } from './tunnel.js';

export async function main(argv: readonly string[], deps: TunnelDependencies): Promise<number> {
  const { terminal } = deps;
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      terminal.err(`${TOOL_NAME}: ${error.message}`);
      terminal.err(`Run ${TOOL_NAME} --help for the options.`);
      return 2;
    }
    for (const line of formatReport(reportOf(error))) terminal.err(line);
    return 2;
  }
  if (parsed.kind === 'help') {
    terminal.out(USAGE);
    return 0;
  }
  if (parsed.kind === 'version') {
    terminal.out(`${TOOL_NAME} ${TOOLKIT_VERSION}`);
    return 0;
  }
  try {
    return await runTunnel(parsed.arguments, deps);
  } catch (error) {
    const report = reportOf(
      error,
      parsed.arguments.profile ? { profile: parsed.arguments.profile } : {},
    );
    for (const line of formatReport(report)) terminal.err(line);
    return 1;
  }
}
