import { writeFileSync, rmSync } from 'node:fs';
import type { Command } from '../command.ts';
import { str } from '../command.ts';
import { dataDir, serverInfoFile } from '../paths.ts';
import { paint } from '../output.ts';
import { CliError } from '../client.ts';
import { boundOldGeneration } from '../../core/old-gc.ts';

export const upCommand: Command = {
  name: 'up',
  summary: 'run the Slipway server (API, git, registry, runner, deploys) in the foreground',
  usage: '[--data DIR] [--port N] [--host ADDR] [--demo] [--log-format text|json]',
  help: `  --data DIR     data dir (default: SLIPWAY_DATA or ~/.slipway)
  --port N       HTTP port (default 8080, or SLIPWAY_PORT / config.yml); 0 picks a free one
  --host ADDR    listen address (default 127.0.0.1)
  --demo         on first start, push examples/hello and follow it to a running service
  --log-format F text (default: timed lines for people) or json (one JSON object a line:
                 every message, every request, every run, job and deployment state change)`,
  options: { data: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, demo: { type: 'boolean' }, 'log-format': { type: 'string' } },
  async run(values) {
    const dir = dataDir(str(values.data));
    const portText = str(values.port);
    if (portText !== undefined && !/^\d+$/.test(portText)) throw new CliError(`--port: expected a number, got "${portText}"`, 2);
    // Loaded here, not at the top: client commands should not pay for loading the server.
    const { startSlipway } = await import('../../server/slipway.ts');
    const { runDemo } = await import('../demo.ts');
    const format = str(values['log-format']) ?? 'text';
    if (format !== 'text' && format !== 'json') throw new CliError(`--log-format: expected text or json, got "${format}"`, 2);
    const logRecord = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', ...fields })}\n`);
    const log = format === 'json' ? (m: string) => logRecord({ msg: m }) : (m: string) => console.log(`${paint('gray', new Date().toISOString().slice(11, 19))} ${m}`);
    const slipway = await startSlipway({ dataDir: dir, port: portText === undefined ? undefined : Number(portText), host: str(values.host), log, ...(format === 'json' && { logRecord }) });
    writeFileSync(serverInfoFile(dir), JSON.stringify({ url: slipway.url, pid: process.pid }));
    // A long-running server: its old generation's garbage stays bounded (src/core/old-gc.ts).
    boundOldGeneration();
    log(`Slipway is up at ${paint('bold', slipway.url)} (data in ${dir})`);

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) process.exit(130); // a second Ctrl-C: leave now
      stopping = true;
      log(`${signal}: shutting down (deployed containers keep running; \`slipway up\` picks them up again)`);
      await slipway.close();
      rmSync(serverInfoFile(dir), { force: true });
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));

    if (values.demo) {
      await runDemo(slipway, log).catch((err: Error) => log(paint('red', `demo: ${err.message}`)));
    }
    await new Promise(() => {}); // serve until a signal
    return 0;
  },
};
