import type { Command } from '../command.ts';
import { version } from '../../core/version.ts';

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the Slipway version',
  usage: '[--json]',
  help: '  --json   print JSON',
  options: { json: { type: 'boolean' } },
  async run(values) {
    console.log(values.json ? JSON.stringify({ version, node: process.versions.node }) : `slipway ${version} (node ${process.versions.node})`);
    return 0;
  },
};
