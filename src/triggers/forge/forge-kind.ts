// The forges Slipway accepts webhooks from and reports commit statuses to. One list, so
// the API's schema, the CLI's help and the webhook's dispatch agree on the names.
export const forgeKinds = ['github', 'gitlab', 'gitea'] as const;
export type ForgeKind = (typeof forgeKinds)[number];

/** What a forge's status API and git server expect as a token's Authorization header. */
export function forgeAuthorization(kind: ForgeKind, token: string, use: 'api' | 'git'): string {
  if (use === 'api') return kind === 'gitea' ? `token ${token}` : `Bearer ${token}`;
  // Over git's HTTP: GitHub takes any user with the token as password (x-access-token for app
  // tokens), GitLab `oauth2` or any user with a personal access token, Gitea any user.
  const user = kind === 'github' ? 'x-access-token' : kind === 'gitlab' ? 'oauth2' : 'slipway';
  return `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
}

/**
 * The forge's REST API base for the repository of `cloneUrl` (`apiUrl` overrides the host
 * part when the forge sits under a path): GitHub `https://api.github.com/repos/o/r` (GitHub
 * Enterprise `<origin>/api/v3/repos/o/r`), Gitea/Forgejo `<origin>/api/v1/repos/o/r`,
 * GitLab `<origin>/api/v4/projects/<url-encoded o/r>`.
 */
export function repositoryApi(kind: ForgeKind, cloneUrl: string, apiUrl?: string | null): string {
  const u = new URL(cloneUrl);
  const path = decodeURIComponent(u.pathname).replace(/^\/+/, '').replace(/\.git$/, '').replace(/\/+$/, '');
  const base = apiUrl?.replace(/\/+$/, '');
  if (kind === 'gitlab') return `${base ?? `${u.origin}/api/v4`}/projects/${encodeURIComponent(path)}`;
  if (kind === 'gitea') return `${base ?? `${u.origin}/api/v1`}/repos/${path}`;
  return `${base ?? (u.hostname === 'github.com' ? 'https://api.github.com' : `${u.origin}/api/v3`)}/repos/${path}`;
}
