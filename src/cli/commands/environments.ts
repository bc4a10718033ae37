// `slipway environments`: a project's environments with their protection (hosts, branches,
// promote_from, approval, strategy, secret names) and where it comes from; `set` stores rules
// on the server, which take precedence over deploy.yml on the default branch; `unset` drops them.
import type { Command, Values } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';
import { printList } from '../output.ts';

const usage = 'list PROJECT | show PROJECT ENV | set PROJECT ENV [options] | unset PROJECT ENV';

interface EnvironmentView {
  name: string;
  source: { kind: 'server'; updatedBy: string; updatedAt: string } | { kind: 'default-branch'; ref: string; sha: string };
  rules: Record<string, unknown> & { hosts: string[]; approval?: { required?: number; approvers?: string[]; wait?: string } };
}

const csv = (v: Values[string]) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : undefined);

function integer(v: Values[string], flag: string): number | undefined {
  if (typeof v !== 'string') return undefined;
  if (!/^\d+$/.test(v)) throw new CliError(`--${flag} takes a whole number, got ${JSON.stringify(v)}`, 2);
  return Number(v);
}

/** The flags of `set` as the API's body: only the given keys change. */
function rulesFrom(values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => value !== undefined && (body[key] = value);
  put('hosts', csv(values.hosts));
  put('branch', str(values.branch));
  put('branches', csv(values.branches));
  put('promote_from', str(values['promote-from']));
  put('strategy', str(values.strategy));
  put('publish', integer(values.publish, 'publish'));
  put('secrets', csv(values.secrets));
  const approval: Record<string, unknown> = {};
  if (values['approval-required'] !== undefined) approval.required = integer(values['approval-required'], 'approval-required');
  if (values.approvers !== undefined) approval.approvers = csv(values.approvers);
  if (values.wait !== undefined) approval.wait = str(values.wait);
  if (Object.keys(approval).length > 0) body.approval = approval;
  if (values['no-approval']) body.approval = null;
  if (values['no-branch']) body.branch = null;
  if (values['no-branches']) body.branches = null;
  if (values['no-promote-from']) body.promote_from = null;
  return body;
}

function sourceText(v: EnvironmentView): string {
  return v.source.kind === 'server' ? `server (set by ${v.source.updatedBy})` : `${v.source.ref.replace(/^refs\/heads\//, '')} ${v.source.sha.slice(0, 7)}`;
}

function gateText(v: EnvironmentView): string {
  const a = v.rules.approval;
  if (!a) return '-';
  const parts = [a.required ? `${a.required} approval(s)` : '', a.approvers ? `by ${a.approvers.join(', ')}` : '', a.wait ? `wait ${a.wait}` : ''];
  return parts.filter(Boolean).join(' ');
}

export const environmentsCommand: Command = {
  name: 'environments',
  summary: "list, show or set environments' protection rules",
  usage,
  help: `  list / show              the rules and where they come from: "server" or the default branch's deploy.yml
  set                      store rules on the server (maintainers); given options change, others stay
    --hosts A,B            local or ssh://user@host[:port]
    --branch B             pushes to B deploy here       --no-branch
    --branches P,Q         only releases built from these branches   --no-branches
    --promote-from ENV     only releases that succeeded in ENV       --no-promote-from
    --approval-required N  N approvals from different people          --no-approval
    --approvers U,V        only these users approve
    --wait D               a wait timer (10m, 30s)
    --strategy S           blue-green, rolling or recreate
    --publish PORT         the environment's published port
    --secrets A,B          the secret names its deployments get
  unset                    drop the server's rules: deploy.yml on the default branch applies again
  Rules on the server take precedence over deploy.yml on the default branch; a release's own
  deploy.yml never sets where it goes.
${clientHelp}`,
  options: {
    ...clientOptions,
    hosts: { type: 'string' },
    branch: { type: 'string' },
    'no-branch': { type: 'boolean' },
    branches: { type: 'string' },
    'no-branches': { type: 'boolean' },
    'promote-from': { type: 'string' },
    'no-promote-from': { type: 'boolean' },
    'approval-required': { type: 'string' },
    'no-approval': { type: 'boolean' },
    approvers: { type: 'string' },
    wait: { type: 'string' },
    strategy: { type: 'string' },
    publish: { type: 'string' },
    secrets: { type: 'string' },
  },
  async run(values, [action, project, env]) {
    if (!project || (action !== 'list' && !env)) throw new CliError(`usage: slipway environments ${usage}`, 2);
    const client = clientFor(values);
    const base = `/api/projects/${encodeURIComponent(project)}/environments`;
    const show = (v: EnvironmentView) => {
      if (values.json) console.log(JSON.stringify(v, null, 2));
      else console.log(`${project}/${v.name} (rules from ${sourceText(v)})\n${JSON.stringify(v.rules, null, 2)}`);
    };
    if (action === 'list') {
      const list = await client.json<EnvironmentView[]>('GET', base);
      printList(list, Boolean(values.json), `no environments for ${project}`, ['ENVIRONMENT', 'HOSTS', 'GATE', 'RULES FROM'], (v) => [v.name, v.rules.hosts.join(', '), gateText(v), sourceText(v)]);
      return 0;
    }
    const path = `${base}/${encodeURIComponent(env!)}`;
    if (action === 'show') {
      show(await client.json<EnvironmentView>('GET', path));
      return 0;
    }
    if (action === 'set') {
      const body = rulesFrom(values);
      if (Object.keys(body).length === 0) throw new CliError('nothing to set: give at least one option (see slipway environments --help)', 2);
      show(await client.json<EnvironmentView>('PUT', path, body));
      return 0;
    }
    if (action === 'unset') {
      await client.json('DELETE', path);
      console.log(`${project}/${env}: the server's rules removed; deploy.yml on the default branch protects it again`);
      return 0;
    }
    throw new CliError(`unknown action "${action}": use list, show, set or unset`, 2);
  },
};
