// GitHub's event payload keys (docs.github.com "Webhook events and payloads"), which the
// payload test and the end-to-end test of a container job check Slipway's payloads against.

/** Top-level keys of a push event's payload (docs "Webhook events and payloads" §push). */
export const pushPayloadKeys = ['after', 'base_ref', 'before', 'commits', 'compare', 'created', 'deleted', 'forced', 'head_commit', 'pusher', 'ref', 'repository', 'sender'];

/** Keys of each `commits[]` entry and of `head_commit`. */
export const pushCommitKeys = ['added', 'author', 'committer', 'distinct', 'id', 'message', 'modified', 'removed', 'timestamp', 'tree_id', 'url'];

/** Keys every event's `repository` has (a subset of GitHub's repository object). */
export const repositoryKeys = ['clone_url', 'default_branch', 'fork', 'full_name', 'html_url', 'id', 'name', 'owner', 'private', 'url', 'visibility'];
