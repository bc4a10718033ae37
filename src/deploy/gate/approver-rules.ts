// Two people for a gate (DESIGN.md "Who may do what"): whoever asked for a deployment or a
// gated job, or put its commit there, cannot be the one who lets it through. One set of
// rules for both subjects (a deployment at its environment's gate, a job whose
// `environment:` is gated). Checked for every approval,
// whatever the environment's `not_author` says: the requester, the pusher, the dispatcher
// of the run that built the release, and the commit's author and committer (matched by
// user name or email, case-insensitively). Approvers must hold the environment's approver
// role (the project's maintainers, or the users `approval.approvers` lists), and only
// people approve: the built-in runner's account never does. Each refusal names its rule.
import type { Run } from '../../store/repos/runs.ts';
import type { User } from '../../store/repos/users.ts';
import { SlipwayError } from '../../core/errors.ts';

interface Person {
  name: string;
  email: string;
}

/** Who wrote and who committed a commit. */
export type CommitPeople = (project: string, sha: string) => Promise<{ author: Person; committer: Person }>;

export interface ApproverChecks {
  /** False for accounts that are not people (the built-in runner): they never decide. */
  isPerson: (user: User) => boolean;
  /** Whether `user` holds the approver role of the project (its maintainers; today: any user with deploy.approve). */
  isApprover: (user: User, project: string, environment: string) => Promise<boolean>;
  commitPeople?: CommitPeople;
}

/** What is decided on: a deployment, or a job waiting at its environment's gate. */
export interface Subject {
  kind: 'deployment' | 'job';
  /** For messages: "demo#3 to production", "job ship of demo run #5 (environment production)". */
  label: string;
  environment: string;
  /** Who asked for it: a deployment's requester (a job's pusher or dispatcher is in its run's event). */
  requester?: string;
  /** The commit it deploys or runs. */
  sha: string;
  /** The run that built the release, or the job's own run (its event says who pushed or dispatched it). */
  run: Run | undefined;
}

export interface Decision {
  user: User;
  project: string;
  subject: Subject;
  approvers?: readonly string[];
}

function refusal(d: Decision, why: string, rule: string): SlipwayError {
  const { user, project, subject } = d;
  return new SlipwayError('FORBIDDEN', `${user.name} cannot approve ${subject.label}: ${why} (rule: ${rule})`, {
    detail: { user: user.name, project, environment: subject.environment, rule },
  });
}

/** Throws FORBIDDEN (rule: human) for an account that is not a person, whatever it decides. */
export function checkPerson(checks: ApproverChecks, d: Decision): void {
  if (checks.isPerson(d.user)) return;
  throw refusal(d, `${d.user.name} is a service account, not a person, and can never approve or reject a ${d.subject.kind}`, 'human');
}

/** Throws FORBIDDEN unless `d.user` holds the environment's approver role. */
export async function checkApproverRole(checks: ApproverChecks, d: Decision): Promise<void> {
  if (d.approvers) {
    if (d.approvers.includes(d.user.name)) return;
    throw refusal(d, `approvers of ${d.subject.environment} are ${d.approvers.join(', ')} (approval.approvers)`, 'approvers');
  }
  if (await checks.isApprover(d.user, d.project, d.subject.environment)) return;
  const what = d.subject.kind === 'deployment' ? `deployments to ${d.subject.environment}` : `jobs that use ${d.subject.environment}`;
  throw refusal(d, `only maintainers of ${d.project} approve ${what}`, 'approvers');
}

/** Throws FORBIDDEN when `d.user` asked for the subject or put its commit there. */
export async function checkNotInvolved(checks: ApproverChecks, d: Decision): Promise<void> {
  const { user, subject } = d;
  const short = subject.sha.slice(0, 7);
  if (subject.requester === user.name) throw refusal(d, `you requested this ${subject.kind}: approval needs someone else`, 'not_requester');
  const event = eventPeople(subject.run);
  if (event.pusher === user.name) throw refusal(d, `you pushed commit ${short}: approval needs someone else`, 'not_author');
  const dispatched = subject.kind === 'deployment' ? `the run that built commit ${short}` : `this run of commit ${short}`;
  if (event.dispatcher === user.name) throw refusal(d, `you dispatched ${dispatched}: approval needs someone else`, 'not_dispatcher');
  if (!checks.commitPeople) return;
  let people: { author: Person; committer: Person };
  try {
    people = await checks.commitPeople(d.project, subject.sha);
  } catch (err) {
    // Fail closed: an approval that cannot be checked is not counted.
    throw refusal(d, `the author of commit ${short} cannot be read (${(err as Error).message}), so it cannot be shown that you are not them`, 'not_author');
  }
  const me = user.name.toLowerCase();
  const is = (p: Person) => me === p.name.toLowerCase() || me === p.email.toLowerCase();
  if (is(people.author)) throw refusal(d, `you are the author of commit ${short} (${people.author.name} <${people.author.email}>): approval needs someone else`, 'not_author');
  if (is(people.committer)) throw refusal(d, `you committed commit ${short} (${people.committer.name} <${people.committer.email}>): approval needs someone else`, 'not_committer');
}

/**
 * The pusher (`pusher.name`, src/triggers/push.ts) and the dispatcher (`sender.login`, as
 * GitHub's workflow_dispatch payload has it) of a run's `github.event`.
 */
function eventPeople(run: Run | undefined): { pusher?: string; dispatcher?: string } {
  if (!run?.event_payload) return {};
  const payload = JSON.parse(run.event_payload) as { pusher?: { name?: unknown }; sender?: { login?: unknown } };
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { pusher: text(payload.pusher?.name), dispatcher: text(payload.sender?.login) };
}
