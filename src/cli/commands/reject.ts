import type { Command } from '../command.ts';
import { clientHelp, clientOptions, str } from '../command.ts';
import { CliError } from '../client.ts';
import { decide, deploymentRef, deploymentRefHelp } from './approve.ts';

export const rejectCommand: Command = {
  name: 'reject',
  summary: 'reject a deployment waiting for approval (it ends, with your reason)',
  usage: 'DEPLOYMENT --reason TEXT [--json]',
  help: `${deploymentRefHelp}\n  --reason TEXT  why (required; becomes the deployment's error)\n${clientHelp}`,
  options: { ...clientOptions, reason: { type: 'string' } },
  async run(values, positionals) {
    const ref = deploymentRef(positionals);
    const reason = str(values.reason)?.trim();
    if (!ref || !reason) throw new CliError('usage: slipway reject DEPLOYMENT --reason TEXT', 2);
    return decide(values, ref, { decision: 'reject', reason });
  },
};
