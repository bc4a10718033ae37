// Every event name GitHub accepts under `on:`, with the settings each takes (docs.github.com
// "Events that trigger workflows"; actions/languageservices workflow-v1.0.json
// `on-mapping-strict`, August 2026). Slipway acts on `push`, `workflow_dispatch`,
// `schedule`, `workflow_call` and `repository_dispatch` (parse-on.ts reads those); the
// others are checked against this table so files written for GitHub load unchanged, and
// simply never fire here.

export interface EventSettings {
  /** Keys its mapping may hold; absent: the event takes no settings. */
  keys?: readonly string[];
  /** Activity types `types:` may name; absent: any (or no `types` key). */
  types?: readonly string[];
}

export const githubEventSettings: Readonly<Record<string, EventSettings>> = {
  branch_protection_rule: { keys: ['types'], types: ['created', 'edited', 'deleted'] },
  check_run: { keys: ['types'], types: ['completed', 'created', 'rerequested', 'requested_action'] },
  check_suite: { keys: ['types'], types: ['completed'] },
  create: {},
  delete: {},
  deployment: {},
  deployment_status: {},
  discussion: { keys: ['types'], types: ['created', 'edited', 'deleted', 'transferred', 'pinned', 'unpinned', 'labeled', 'unlabeled', 'locked', 'unlocked', 'category_changed', 'answered', 'unanswered'] },
  discussion_comment: { keys: ['types'], types: ['created', 'edited', 'deleted'] },
  fork: {},
  gollum: {},
  image_version: { keys: ['types', 'names', 'versions'], types: ['created', 'ready', 'deleted'] },
  issue_comment: { keys: ['types'], types: ['created', 'edited', 'deleted'] },
  issues: { keys: ['types'], types: ['opened', 'edited', 'deleted', 'transferred', 'pinned', 'unpinned', 'closed', 'reopened', 'assigned', 'unassigned', 'labeled', 'unlabeled', 'locked', 'unlocked', 'milestoned', 'demilestoned', 'field_added', 'field_removed', 'typed', 'untyped'] },
  label: { keys: ['types'], types: ['created', 'edited', 'deleted'] },
  merge_group: { keys: ['types', 'branches', 'branches-ignore'], types: ['checks_requested'] },
  milestone: { keys: ['types'], types: ['created', 'closed', 'opened', 'edited', 'deleted'] },
  page_build: {},
  project: { keys: ['types'], types: ['created', 'closed', 'reopened', 'edited', 'deleted'] },
  project_card: { keys: ['types'], types: ['created', 'moved', 'converted', 'edited', 'deleted'] },
  project_column: { keys: ['types'], types: ['created', 'updated', 'moved', 'deleted'] },
  public: {},
  pull_request: { keys: ['types', 'branches', 'branches-ignore', 'paths', 'paths-ignore'], types: ['assigned', 'unassigned', 'labeled', 'unlabeled', 'opened', 'edited', 'closed', 'reopened', 'synchronize', 'converted_to_draft', 'locked', 'unlocked', 'enqueued', 'dequeued', 'milestoned', 'demilestoned', 'ready_for_review', 'review_requested', 'review_request_removed', 'auto_merge_enabled', 'auto_merge_disabled', 'stacked'] },
  pull_request_comment: { keys: ['types'], types: ['created', 'edited', 'deleted'] },
  pull_request_review: { keys: ['types'], types: ['submitted', 'edited', 'dismissed'] },
  pull_request_review_comment: { keys: ['types'], types: ['created', 'edited', 'deleted'] },
  pull_request_target: { keys: ['types', 'branches', 'branches-ignore', 'paths', 'paths-ignore'], types: ['assigned', 'unassigned', 'labeled', 'unlabeled', 'opened', 'edited', 'closed', 'reopened', 'synchronize', 'converted_to_draft', 'locked', 'unlocked', 'enqueued', 'dequeued', 'milestoned', 'demilestoned', 'ready_for_review', 'review_requested', 'review_request_removed', 'auto_merge_enabled', 'auto_merge_disabled', 'stacked'] },
  push: { keys: ['branches', 'branches-ignore', 'tags', 'tags-ignore', 'paths', 'paths-ignore'] },
  registry_package: { keys: ['types'], types: ['published', 'updated'] },
  release: { keys: ['types'], types: ['published', 'unpublished', 'created', 'edited', 'deleted', 'prereleased', 'released'] },
  repository_dispatch: { keys: ['types'] },
  schedule: {},
  status: {},
  watch: { keys: ['types'], types: ['started'] },
  workflow_call: { keys: ['inputs', 'secrets', 'outputs'] },
  workflow_dispatch: { keys: ['inputs'] },
  workflow_run: { keys: ['types', 'workflows', 'branches', 'branches-ignore'], types: ['requested', 'completed', 'in_progress'] },
};

export const githubEvents: readonly string[] = Object.keys(githubEventSettings);
