import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';
import { ago, printList } from '../output.ts';
import { readSecret } from './read-secret.ts';

const usage = 'add NAME [--role admin|member] [--json] | list [--json] | password NAME [--generate]';

export const usersCommand: Command = {
  name: 'users',
  summary: 'add or list users (admins only); set a password',
  usage,
  help: `  add NAME       create a user and print its token and initial web UI password (shown once)\n  --role ROLE    admin or member (default: member). An admin may do everything; a member holds
                 no project role until a maintainer adds one (slipway members add), and may
                 create projects unless config.yml says projects.create: admins\n  list           names, roles and creation times
  password NAME  set NAME's web UI password (your own, or as an admin anyone's): typed without
                 echo, or read from stdin; the user's other sessions end
  --generate     make a random password and print it instead\n${clientHelp}`,
  options: { ...clientOptions, role: { type: 'string' }, generate: { type: 'boolean' } },
  async run(values, [action, name]) {
    const client = clientFor(values);
    if (action === 'list') {
      const list = await client.json<{ name: string; role: string; createdAt: string }[]>('GET', '/api/users');
      printList(list, Boolean(values.json), 'no users', ['NAME', 'ROLE', 'CREATED'], (u) => [u.name, u.role, ago(u.createdAt)]);
      return 0;
    }
    if (action === 'add') {
      if (!name) throw new CliError(`usage: slipway users ${usage}`, 2);
      const role = str(values.role);
      if (role !== undefined && role !== 'admin' && role !== 'member') throw new CliError(`--role must be admin or member, not "${role}"`, 2);
      const user = await client.json<{ name: string; role: string; token: string; password: string }>('POST', '/api/users', { name, ...(role && { role }) });
      if (values.json) console.log(JSON.stringify(user, null, 2));
      else console.log(`user ${user.name} (${user.role}) created; token and web UI password (shown only now):\ntoken:    ${user.token}\npassword: ${user.password}`);
      return 0;
    }
    if (action === 'password') {
      if (!name) throw new CliError(`usage: slipway users ${usage}`, 2);
      const body = values.generate ? { generate: true } : { password: await readSecret(`New password for ${name}: `) };
      const done = await client.json<{ name: string; password?: string }>('PUT', `/api/users/${encodeURIComponent(name)}/password`, body);
      console.log(done.password ? `new password of ${done.name} (shown only now): ${done.password}` : `password of ${done.name} set`);
      return 0;
    }
    throw new CliError(action ? `unknown action "${action}": use add, list or password` : `usage: slipway users ${usage}`, 2);
  },
};
