// deploy.yml as a commit has it, read from the project's repository.
import { SlipwayError, formatDiagnostic } from '../core/errors.ts';
import { deployConfigFile, type DeployConfig } from './config/deploy-config.ts';
import { parseDeployConfig } from './config/parse-deploy-config.ts';

/** A file at a commit of a project; undefined when the commit has none. */
export type ReadFileAt = (project: string, sha: string, path: string) => Promise<string | undefined>;

/** deploy.yml at a commit (undefined when the commit has none); invalid files throw DEPLOY_CONFIG_INVALID. */
export async function deployConfigAt(readFile: ReadFileAt, project: string, sha: string): Promise<DeployConfig | undefined> {
  const text = await readFile(project, sha, deployConfigFile);
  if (text === undefined) return undefined;
  const { config, diagnostics } = parseDeployConfig(deployConfigFile, text);
  if (!config) throw new SlipwayError('DEPLOY_CONFIG_INVALID', diagnostics.map(formatDiagnostic).join('\n'));
  return config;
}

/** The errors of deploy.yml at a commit, one `file:line:col: message` a line; undefined when valid or absent. */
export async function deployConfigErrors(readFile: ReadFileAt, project: string, sha: string): Promise<string | undefined> {
  const text = await readFile(project, sha, deployConfigFile);
  if (text === undefined) return undefined;
  const { diagnostics } = parseDeployConfig(deployConfigFile, text);
  return diagnostics.length > 0 ? diagnostics.map(formatDiagnostic).join('\n') : undefined;
}
