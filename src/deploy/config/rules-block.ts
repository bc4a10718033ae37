// An environment's protection as a deploy.yml-shaped block (`hosts`, `promote_from`,
// `approval: { required, not_author, wait, approvers }`, …, plus `secrets`): the form the
// server stores (store/repos/environment-rules.ts), the API shows and `environments set`
// edits. A block is checked by the deploy.yml parser itself, so a rule set on the server is
// held to exactly the rules of the file.
import { SlipwayError } from '../../core/errors.ts';
import type { EnvironmentConfig } from './deploy-config.ts';
import { parseDeployConfig } from './parse-deploy-config.ts';

export type RulesBlock = Record<string, unknown>;

/** The block of `env`, with the secret names its deployments get. */
export function blockOf(env: EnvironmentConfig, secrets: readonly string[]): RulesBlock {
  const a = env.approval;
  return {
    ...(env.branch !== undefined && { branch: env.branch }),
    ...(env.branches && { branches: [...env.branches] }),
    ...(env.promoteFrom !== undefined && { promote_from: env.promoteFrom }),
    ...(a && {
      approval: {
        ...(a.required > 0 && { required: a.required, not_author: a.notAuthor }),
        ...(a.waitMs !== undefined && { wait: durationText(a.waitMs) }),
        ...(a.approvers && { approvers: [...a.approvers] }),
      },
    }),
    hosts: [...env.hosts],
    ...(env.publish !== undefined && { publish: env.publish }),
    strategy: env.strategy,
    ...(env.batchSize !== undefined && { batch_size: env.batchSize }),
    ...(env.maxParallel !== undefined && { max_parallel: env.maxParallel }),
    secrets: [...secrets],
  };
}

/**
 * Checks a block for environment `name` as deploy.yml would (`others`: the project's other
 * environments, which `promote_from` may name). BAD_REQUEST listing every problem.
 */
export function readBlock(name: string, block: RulesBlock, others: readonly string[]): { env: EnvironmentConfig; secrets: string[] } {
  const { secrets, ...environment } = block;
  const environments: Record<string, unknown> = { [name]: environment };
  for (const other of others) if (other !== name) environments[other] = { hosts: ['local'] };
  // JSON is YAML: the same parser, limits and messages as the file.
  const doc = { service: 'rules', image: 'rules', port: 1, env: { secret: secrets ?? [] }, environments };
  const { config, diagnostics } = parseDeployConfig('environment rules', JSON.stringify(doc));
  if (!config) {
    const problems = diagnostics.map((d) => `${d.path.replace(/^env\.secret/, 'secrets').replace(`environments.${name}.`, '')}: ${d.message}`);
    throw new SlipwayError('BAD_REQUEST', `environment ${name}: ${problems.join('; ')}`, { detail: { problems } });
  }
  return { env: config.environments.find((e) => e.name === name)!, secrets: config.env.secret };
}

/** Milliseconds as deploy.yml writes a duration: `10m`, `30s`, `1500ms`. */
function durationText(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
