import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';
import { ago, printList } from '../output.ts';

const usage = 'add PROJECT USER --role maintainer|developer|viewer | list PROJECT [--json] | rm PROJECT USER';
const roles = ['maintainer', 'developer', 'viewer'];

export const membersCommand: Command = {
  name: 'members',
  summary: "manage a project's members and their roles (maintainers)",
  usage,
  help: `  add P USER     give USER a role in project P (or change it)
  --role ROLE    maintainer (members, secrets, protection, settings), developer (push, run, deploy
                 to unprotected environments) or viewer (read, clone, pull images)
  list P         members of P and their roles
  rm P USER      remove USER from P (a project keeps at least one maintainer)
${clientHelp}`,
  options: { ...clientOptions, role: { type: 'string' } },
  async run(values, [action, project, user]) {
    const client = clientFor(values);
    const path = (p: string) => `/api/projects/${encodeURIComponent(p)}/members`;
    if (action === 'list') {
      if (!project) throw new CliError('usage: slipway members list PROJECT', 2);
      const list = await client.json<{ user: string; role: string; updatedAt: string }[]>('GET', path(project));
      printList(list, Boolean(values.json), `project ${project} has no members (admins manage it)`, ['USER', 'ROLE', 'SINCE'], (m) => [m.user, m.role, ago(m.updatedAt)]);
      return 0;
    }
    if (action === 'add') {
      const role = str(values.role);
      if (!project || !user || !role) throw new CliError(`usage: slipway members add PROJECT USER --role ${roles.join('|')}`, 2);
      if (!roles.includes(role)) throw new CliError(`--role must be one of ${roles.join(', ')}, not "${role}"`, 2);
      const m = await client.json<{ user: string; role: string; previous: string | null }>('PUT', `${path(project)}/${encodeURIComponent(user)}`, { role });
      if (values.json) console.log(JSON.stringify(m));
      else console.log(m.previous ? `${m.user}: ${m.previous} → ${m.role} in ${project}` : `${m.user} is now ${m.role} of ${project}`);
      return 0;
    }
    if (action === 'rm') {
      if (!project || !user) throw new CliError('usage: slipway members rm PROJECT USER', 2);
      const m = await client.json<{ user: string }>('DELETE', `${path(project)}/${encodeURIComponent(user)}`);
      if (values.json) console.log(JSON.stringify(m));
      else console.log(`${m.user} removed from ${project}`);
      return 0;
    }
    throw new CliError(action ? `unknown action "${action}": use add, list or rm` : `usage: slipway members ${usage}`, 2);
  },
};
