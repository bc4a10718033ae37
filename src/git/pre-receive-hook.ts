// Slipway's pre-receive hook, the only hook git runs for a Slipway repository (core.hooksPath
// points at the hooks dir hooks-dir.ts writes). git runs it after receiving the pack and
// before changing any ref; what it prints to stderr reaches the pusher as `remote: …` lines,
// and a non-zero exit rejects the whole push with git's "pre-receive hook declined".
import { text } from 'node:stream/consumers';
import { run } from '../exec/run.ts';
import { parseHookInput, refusals } from './pre-receive-check.ts';
import { policyEnvName, type PushPolicy } from './push-policy.ts';

/**
 * `git merge-base --is-ancestor` in the hook's own environment: git set GIT_DIR and the
 * quarantine object directories there, so the pushed commits are visible.
 */
async function isAncestor(before: string, after: string): Promise<boolean> {
  const result = await run(['git', 'merge-base', '--is-ancestor', before, after], { env: process.env });
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw new Error(`could not tell whether ${before} is an ancestor of ${after}: ${result.stderr.trim()}`);
}

async function current(ref: string): Promise<string | undefined> {
  // for-each-ref takes the name literally, never as revision syntax.
  const result = await run(['git', 'for-each-ref', '--format=%(objectname)', '--', ref], { env: process.env });
  if (result.exitCode !== 0) throw new Error(`could not read ${ref}: ${result.stderr.trim()}`);
  return result.stdout.split('\n').find(Boolean);
}

async function main(): Promise<number> {
  const raw = process.env[policyEnvName];
  const policy = raw ? (JSON.parse(raw) as PushPolicy) : undefined;
  const messages = await refusals(policy, parseHookInput(await text(process.stdin)), { isAncestor, current });
  for (const m of messages) process.stderr.write(`${m}\n`);
  return messages.length > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    // Fail closed: a check that could not finish refuses the push, saying why.
    process.stderr.write(`push refused: branch protection check failed: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
