// `slipway` command line: dispatches to one command per file under commands/.
import { parseArgs } from 'node:util';
import type { Command } from './command.ts';
import { CliError } from './client.ts';
import { upCommand } from './commands/up.ts';
import { versionCommand } from './commands/version.ts';
import { runsCommand } from './commands/runs.ts';
import { logsCommand } from './commands/logs.ts';
import { deploymentsCommand } from './commands/deployments.ts';
import { projectCommand } from './commands/project.ts';
import { lintCommand } from './commands/lint.ts';
import { runCommand } from './commands/run.ts';
import { releasesCommand } from './commands/releases.ts';
import { metricsCommand } from './commands/metrics.ts';
import { deployCommand } from './commands/deploy.ts';
import { promoteCommand } from './commands/promote.ts';
import { rollbackCommand } from './commands/rollback.ts';
import { approveCommand } from './commands/approve.ts';
import { rejectCommand } from './commands/reject.ts';
import { usersCommand } from './commands/users.ts';
import { membersCommand } from './commands/members.ts';
import { secretsCommand } from './commands/secrets.ts';
import { cancelCommand } from './commands/cancel.ts';
import { rerunCommand } from './commands/rerun.ts';
import { dispatchCommand } from './commands/dispatch.ts';
import { hostsCommand } from './commands/hosts.ts';
import { runnersCommand } from './commands/runners.ts';
import { runnerCommand } from './commands/runner.ts';
import { registryCommand } from './commands/registry.ts';
import { branchesCommand } from './commands/branches.ts';
import { tokensCommand } from './commands/tokens.ts';
import { auditCommand } from './commands/audit.ts';
import { environmentsCommand } from './commands/environments.ts';
import { forgeCommand } from './commands/forge.ts';
import { actionsCommand } from './commands/actions.ts';
import { notifyCommand } from './commands/notify.ts';
import { isSlipwayError } from '../core/errors.ts';

export const commands: readonly Command[] = [upCommand, runsCommand, logsCommand, cancelCommand, rerunCommand, dispatchCommand, deploymentsCommand, releasesCommand, metricsCommand, deployCommand, promoteCommand, rollbackCommand, approveCommand, rejectCommand, secretsCommand, hostsCommand, runnersCommand, runnerCommand, branchesCommand, environmentsCommand, forgeCommand, notifyCommand, projectCommand, membersCommand, usersCommand, tokensCommand, auditCommand, runCommand, lintCommand, actionsCommand, registryCommand, versionCommand];

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `slipway: git push to a running service

Usage: slipway <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`slipway <command> --help\` for a command's options.`;
}

function commandHelp(c: Command): string {
  return `slipway ${c.name}: ${c.summary}\n\nUsage: slipway ${c.name} ${c.usage}\n\nOptions:\n${c.help}\n  -h, --help     show this help`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 2;
  }
  if (name === '--version') return versionCommand.run({}, []);
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`slipway: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`slipway ${name}: ${(err as Error).message}\n\n${commandHelp(command)}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(parsed.values, parsed.positionals);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`slipway ${name}: ${err.message}`);
      return err.exitCode;
    }
    if (isSlipwayError(err)) {
      console.error(`slipway ${name}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
  // `up` keeps the process alive itself; other commands end here even if a socket lingers.
  if (process.argv[2] !== 'up') process.exit(process.exitCode);
}
