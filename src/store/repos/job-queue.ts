// The claim's side of the queue (issue 13 "Measure"): the queued jobs a runner with these
// labels may be handed, found by one bounded query instead of reading every queued job on
// every claim; and the claim's compare-and-set, which on PostgreSQL skips a row another
// claimer holds locked (`FOR UPDATE SKIP LOCKED`) instead of waiting for its commit.
import { sql, type Kysely } from 'kysely';
import type { Db } from '../database.ts';
import type { Job } from './runs.ts';
import type { RunStatus } from '../../core/types.ts';
import { isPostgres } from '../migrations/portable.ts';

// Kysely's typed instance and the migrations' untyped one are the same object.
const onPostgres = (db: Db) => isPostgres(db as unknown as Kysely<unknown>);

const unfinished: readonly RunStatus[] = ['queued', 'waiting', 'running'];

/** The elements of a JSON array column as rows of one text column `value` (SQLite json_each, PostgreSQL jsonb_array_elements_text). */
const elements = (db: Db, column: 'j.needs' | 'j.runs_on') =>
  onPostgres(db) ? sql`jsonb_array_elements_text(${sql.ref(column)}::jsonb) as e(value)` : sql`json_each(${sql.ref(column)}) as e`;

/**
 * A job `j` needs that has not finished, each need looked up by its key (jobs_run_attempt_key,
 * 0027). Written per dialect for the planners: PostgreSQL flattened an `in (…)` or a join into
 * a hash of every job of the run for every queued job (it takes a JSON array for 100 rows),
 * which the `lateral … limit 1` prevents; SQLite has no lateral and plans `in (…)` well.
 */
function openNeed(db: Db) {
  const open = sql`d.run_id = j.run_id and d.run_attempt = j.run_attempt and d.status in (${sql.join(unfinished.map((u) => sql`${u}`))})`;
  return onPostgres(db)
    ? sql`select 1 from ${elements(db, 'j.needs')} cross join lateral (select 1 from jobs d where ${open} and d.key = e.value limit 1) as open_need`
    : sql`select 1 from jobs d where ${open} and d.key in (select value from json_each(j.needs))`;
}

/**
 * Queued jobs of their run's current attempt, oldest first, that a runner offering `labels`
 * could be handed now as far as the rows tell: marked ready (their needs met), the run is not waiting for its concurrency
 * group, the job's own group (if any) admitted it, none of the jobs it needs is unfinished,
 * and it asks for no label the runner lacks. The scheduler still checks each one (a need
 * missing from the run, `if`, gates, max-parallel): this only leaves out jobs it would pass
 * over, so `offset` pages on through them when a whole page was passed over.
 */
export async function claimableJobs(db: Db, labels: readonly string[], page: { limit: number; offset: number }): Promise<Job[]> {
  // A label the runner lacks: any at all when it offers none.
  const lacking = labels.length > 0 ? sql`where e.value not in (${sql.join(labels.map((l) => sql`${l}`))})` : sql``;
  return db
    .selectFrom('jobs as j')
    .innerJoin('runs as r', 'r.id', 'j.run_id')
    .selectAll('j')
    .where('j.status', '=', 'queued')
    // Only jobs whose needs the run's advance saw finished (0029, jobs_claimable): the needs
    // check below then looks at those few, not at every job waiting in a chain.
    .where('j.ready_at', 'is not', null)
    .whereRef('j.run_attempt', '=', 'r.attempt')
    .where((eb) => eb.or([eb('r.concurrency_state', 'is', null), eb('r.concurrency_state', '!=', 'pending')]))
    .where((eb) => eb.or([eb('j.concurrency_state', 'is', null), eb('j.concurrency_state', '=', 'admitted')]))
    // Each need looked up by its key (jobs_run_attempt_key, 0027): a join of the needs with the
    // run's jobs made PostgreSQL hash every job of the run for every queued job.
    .where(sql<boolean>`not exists (${openNeed(db)})`)
    .where(sql<boolean>`not exists (select 1 from ${elements(db, 'j.runs_on')} ${lacking})`)
    .orderBy('j.created_at')
    .orderBy('j.position')
    .orderBy('j.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/**
 * Compare-and-set of a queued job to running for its claimer: true when this claim won.
 * On PostgreSQL the row is taken with `FOR UPDATE SKIP LOCKED`: a job another server's
 * claim is updating right now is lost at once (the claimer moves to the next) instead of
 * waited for. SQLite has one writer at a time: the status check alone decides.
 */
export async function claimQueuedJob(db: Db, id: string, fields: Partial<Job>): Promise<boolean> {
  let update = db.updateTable('jobs').set(fields).where('id', '=', id).where('status', '=', 'queued');
  if (onPostgres(db)) update = update.where('id', 'in', sql<string>`(select id from jobs where id = ${id} and status = 'queued' for update skip locked)`);
  const r = await update.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
