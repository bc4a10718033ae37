// The tabs at the top of every page of a project.
import { useLocation } from '../router.ts';

const tabs = [
  ['', 'Overview'],
  ['/deployments', 'Deployments'],
  ['/releases', 'Releases'],
  ['/metrics', 'Metrics'],
  ['/settings', 'Settings'],
] as const;

export function ProjectTabs({ project }: { project: string }) {
  const { path } = useLocation();
  const base = `/p/${project}`;
  return (
    <nav class="tabs">
      <a class="crumb" href={base}>
        {project}
      </a>
      {tabs.map(([suffix, label]) => {
        const href = base + suffix;
        const here = suffix === '' ? path === base || path.startsWith(`${base}/runs`) : path.startsWith(href);
        return (
          <a key={suffix} href={href} class={here ? 'here' : ''}>
            {label}
          </a>
        );
      })}
    </nav>
  );
}
