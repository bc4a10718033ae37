import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';
import { ago, printList } from '../output.ts';

interface RuleView {
  pattern: string;
  pushRoles: string[];
  allowForcePush: boolean;
  default: boolean;
  createdBy: string;
  createdAt: string;
}

const usage = 'protect PROJECT PATTERN [--push-roles maintainer,developer] [--allow-force-push] | list PROJECT [--json] | unprotect PROJECT PATTERN';
const pushRoles = ['maintainer', 'developer'];

export const branchesCommand: Command = {
  name: 'branches',
  summary: "a project's protected branches: who may push, no force-push or deletion",
  usage,
  help: `  protect P PAT       protect branches of project P matching PAT (as in on.push.branches, e.g. main, "release/*");
                      force-push and deletion are refused there, and only the push roles (and admins) may push
  --push-roles R,R    maintainer and/or developer (default: maintainer; maintainers always may)
  --allow-force-push  allow force-pushes (deletion stays refused)
  list P              the rules in force; until a maintainer changes them, the default branch's rule
  unprotect P PAT     remove the rule with pattern PAT (maintainers)
${clientHelp}`,
  options: { ...clientOptions, 'push-roles': { type: 'string' }, 'allow-force-push': { type: 'boolean' } },
  async run(values, [action, project, pattern]) {
    if (!project || (action !== 'list' && !pattern)) throw new CliError(`usage: slipway branches ${usage}`, 2);
    const client = clientFor(values);
    const base = `/api/projects/${encodeURIComponent(project)}/protected-branches`;
    const json = Boolean(values.json);
    if (action === 'list') {
      const rules = await client.json<RuleView[]>('GET', base);
      printList(rules, json, `no protected branches in ${project}`, ['PATTERN', 'PUSH', 'FORCE-PUSH', 'SET BY'], (r) => [
        r.pattern,
        ['admin', ...r.pushRoles].join(','),
        r.allowForcePush ? 'allowed' : 'refused',
        r.default ? 'default' : `${r.createdBy}, ${ago(r.createdAt)}`,
      ]);
      return 0;
    }
    if (action === 'protect') {
      const roles = str(values['push-roles'])?.split(',').map((r) => r.trim()).filter(Boolean);
      const unknown = roles?.find((r) => !pushRoles.includes(r));
      if (unknown !== undefined) throw new CliError(`--push-roles takes maintainer and/or developer, not "${unknown}"`, 2);
      const rule = await client.json<RuleView>('PUT', `${base}/${encodeURIComponent(pattern!)}`, { ...(roles && { pushRoles: roles }), allowForcePush: Boolean(values['allow-force-push']) });
      if (json) console.log(JSON.stringify(rule, null, 2));
      else console.log(`protected ${rule.pattern} in ${project}: ${['admins', ...rule.pushRoles.map((r) => `${r}s`)].join(', ')} may push; force-push ${rule.allowForcePush ? 'allowed' : 'refused'}; deletion refused`);
      return 0;
    }
    if (action === 'unprotect') {
      const result = await client.json<unknown>('DELETE', `${base}/${encodeURIComponent(pattern!)}`);
      console.log(json ? JSON.stringify(result) : `removed the protection rule ${pattern} from ${project}`);
      return 0;
    }
    throw new CliError(`unknown action "${action}": use protect, list or unprotect`, 2);
  },
};
