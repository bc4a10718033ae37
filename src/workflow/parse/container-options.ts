// The allow-list for `container.options` and `services.<id>.options` (docs.github.com
// "Workflow syntax" §jobs.<job_id>.container.options: "additional Docker container resource
// options"). The words go to `podman run` as they are, so anything that reaches the host
// (bind mounts, devices, capabilities, the host's namespaces, another container's network
// or volumes, published host ports) would undo the job's isolation. Default deny: only
// options known to affect the container alone pass, unless the admin lists one in
// `runner.allowOptions`. Words are split as docker does (shell-like; `--opt=value` and
// `--opt value`, short options as `-e X`, `-eX`, `-it`).
import { tokenize } from './shell-words.ts';

export type OptionsOwner = 'container' | 'service';

/** What an option needs after its name. */
type Arity = 'value' | 'flag';

interface Allowed {
  arity: Arity;
  /** Refuses some values of an otherwise harmless option; returns why. */
  refuseValue?: (value: string, owner: OptionsOwner) => string | undefined;
}

const hostNamespace = (value: string) =>
  value === 'host' || value.startsWith('container:') || value.startsWith('ns:')
    ? 'it shares a namespace of the host or of another container'
    : undefined;

/** `-v /in/container` (an anonymous volume) stays inside the container; a source does not. */
const volumeSource = (value: string) => {
  if (!value.includes(':')) return undefined;
  const source = value.slice(0, value.indexOf(':'));
  return /^[/.~]/.test(source)
    ? `it mounts the host path ${source}; only anonymous volumes (\`-v /path\`) are allowed`
    : `it mounts the named volume ${source}, which other jobs and projects can share; only anonymous volumes (\`-v /path\`) are allowed`;
};

const mountType = (value: string) => {
  const type = /(?:^|,)type=([^,]*)/.exec(value)?.[1] ?? 'volume';
  return type === 'tmpfs' ? undefined : `type=${type} mounts from the host; only type=tmpfs is allowed`;
};

/** Long name → what it takes. Everything here affects only the container it is given to. */
const allowed: Record<string, Allowed> = {
  '--env': { arity: 'value' },
  '--user': { arity: 'value' },
  '--workdir': { arity: 'value' },
  '--hostname': { arity: 'value' },
  '--cpus': { arity: 'value' },
  '--cpu-shares': { arity: 'value' },
  '--cpu-period': { arity: 'value' },
  '--cpu-quota': { arity: 'value' },
  '--cpuset-cpus': { arity: 'value' },
  '--cpuset-mems': { arity: 'value' },
  '--memory': { arity: 'value' },
  '--memory-reservation': { arity: 'value' },
  '--memory-swap': { arity: 'value' },
  '--memory-swappiness': { arity: 'value' },
  '--shm-size': { arity: 'value' },
  '--pids-limit': { arity: 'value' },
  '--ulimit': { arity: 'value' },
  '--tmpfs': { arity: 'value' },
  '--label': { arity: 'value' },
  '--stop-signal': { arity: 'value' },
  '--stop-timeout': { arity: 'value' },
  '--health-cmd': { arity: 'value' },
  '--health-interval': { arity: 'value' },
  '--health-timeout': { arity: 'value' },
  '--health-retries': { arity: 'value' },
  '--health-start-period': { arity: 'value' },
  '--no-healthcheck': { arity: 'flag' },
  '--network-alias': { arity: 'value' },
  '--add-host': { arity: 'value' },
  '--dns': { arity: 'value' },
  '--dns-search': { arity: 'value' },
  '--dns-option': { arity: 'value' },
  '--expose': { arity: 'value' },
  '--platform': { arity: 'value' },
  '--pull': { arity: 'value' },
  '--init': { arity: 'flag' },
  // Harmless beside Slipway's own removal at the end of the job.
  '--rm': { arity: 'flag' },
  '--read-only': { arity: 'flag' },
  '--tty': { arity: 'flag' },
  '--interactive': { arity: 'flag' },
  '--ipc': { arity: 'value', refuseValue: hostNamespace },
  '--uts': { arity: 'value', refuseValue: hostNamespace },
  '--volume': { arity: 'value', refuseValue: volumeSource },
  '--mount': { arity: 'value', refuseValue: mountType },
  // A service's entrypoint only picks its own command inside its container (GitHub has no
  // `command:` for services, so this is how an image like busybox is made to serve); the
  // job container's is Slipway's, which keeps it alive for the steps.
  '--entrypoint': {
    arity: 'value',
    refuseValue: (_value, owner) => owner === 'container' ? 'Slipway sets the job container\'s entrypoint to keep it running for the steps' : undefined,
  },
};

/** Options known to reach outside the container, with the reason given to the user. */
const refused: Record<string, { arity: Arity; why: string }> = {
  '--privileged': { arity: 'flag', why: 'it gives the container every capability and the host\'s devices' },
  '--cap-add': { arity: 'value', why: 'it adds kernel capabilities' },
  '--device': { arity: 'value', why: 'it exposes a host device' },
  '--device-cgroup-rule': { arity: 'value', why: 'it opens host devices' },
  '--gpus': { arity: 'value', why: 'it exposes host devices' },
  '--security-opt': { arity: 'value', why: 'it can turn off seccomp, AppArmor or SELinux confinement' },
  '--network': { arity: 'value', why: 'Slipway puts the container on the job\'s own network; another one would reach the host, other jobs or the deploy proxies' },
  '--net': { arity: 'value', why: 'Slipway puts the container on the job\'s own network; another one would reach the host, other jobs or the deploy proxies' },
  '--pid': { arity: 'value', why: 'it shares a process namespace, so the container could see and signal other processes' },
  '--userns': { arity: 'value', why: 'it changes the user namespace the container runs in' },
  '--cgroupns': { arity: 'value', why: 'it shares the host\'s cgroup namespace' },
  '--cgroup-parent': { arity: 'value', why: 'it moves the container out of its cgroup limits' },
  '--volumes-from': { arity: 'value', why: 'it mounts another container\'s volumes' },
  '--pod': { arity: 'value', why: 'it joins another pod\'s namespaces' },
  '--env-file': { arity: 'value', why: 'it reads a file on the host' },
  '--secret': { arity: 'value', why: 'it reads a secret of the host\'s container engine' },
  '--sysctl': { arity: 'value', why: 'it changes kernel settings' },
  '--group-add': { arity: 'value', why: 'it adds groups, including the host\'s' },
  '--publish': { arity: 'value', why: 'it publishes on host ports; use `ports:` of a service' },
  '--publish-all': { arity: 'flag', why: 'it publishes on host ports; use `ports:` of a service' },
  '--name': { arity: 'value', why: 'Slipway names the container' },
  '--detach': { arity: 'flag', why: 'Slipway decides how the container runs' },
  '--restart': { arity: 'value', why: 'the container would outlive its job' },
  '--log-driver': { arity: 'value', why: 'it writes the container\'s log on the host' },
  '--log-opt': { arity: 'value', why: 'it writes the container\'s log on the host' },
  '--cidfile': { arity: 'value', why: 'it writes a file on the host' },
  '--pidfile': { arity: 'value', why: 'it writes a file on the host' },
  '--conmon-pidfile': { arity: 'value', why: 'it writes a file on the host' },
  '--systemd': { arity: 'value', why: 'it mounts the host\'s cgroup tree into the container' },
};

/** docker's one-letter spellings. */
const short: Record<string, string> = {
  e: '--env', u: '--user', w: '--workdir', h: '--hostname', m: '--memory', c: '--cpu-shares', l: '--label',
  v: '--volume', t: '--tty', i: '--interactive', p: '--publish', P: '--publish-all', d: '--detach',
};

interface OptionRefusal {
  /** The option as the user wrote it (`-v`, `--privileged`). */
  option: string;
  message: string;
}

interface CheckedOptions {
  /** The words to pass to `podman run`; only meaningful when `refusals` is empty. */
  words: string[];
  refusals: OptionRefusal[];
}

/**
 * Splits an `options:` string and checks each option against the allow-list. `extra` is
 * `runner.allowOptions`: long or short names (`--privileged`, `-v`) the admin allows as
 * written, whatever their value.
 */
export function checkContainerOptions(text: string, owner: OptionsOwner, extra: readonly string[] = []): CheckedOptions {
  let words: string[];
  try {
    words = tokenize(text);
  } catch (err) {
    return { words: [], refusals: [{ option: '', message: (err as Error).message }] };
  }
  const adminAllows = new Set(extra.map((o) => short[o.replace(/^-/, '')] ?? o));
  const refusals: OptionRefusal[] = [];
  const refuse = (option: string, why: string) =>
    refusals.push({ option, message: `${option} is not allowed (${why}); an admin can allow it with runner.allowOptions` });

  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('-') || word === '-') {
      refusals.push({ option: word, message: `\`${word}\` is not an option; options cannot name an image or a command` });
      continue;
    }
    for (const { written, name, inlineValue } of optionsIn(word)) {
      const known = allowed[name] ?? refused[name];
      // An unknown option takes the next word when that cannot be an option (`--x 5`, `--x -1`).
      const arity = known?.arity ?? (inlineValue === undefined && /^(?:[^-]|-\d)/.test(words[i + 1] ?? '-') ? 'value' : 'flag');
      let value = inlineValue;
      if (arity === 'value' && value === undefined) {
        value = words[i + 1];
        if (value === undefined) {
          refusals.push({ option: written, message: `${written} needs a value` });
          continue;
        }
        i++;
      }
      if (adminAllows.has(name)) continue;
      const shown = value === undefined ? written : `${written} ${value}`;
      const rule = allowed[name];
      if (rule) {
        const why = value === undefined ? undefined : rule.refuseValue?.(value, owner);
        if (why) refuse(shown, why);
      } else if (refused[name]) {
        refuse(shown, refused[name].why);
      } else {
        refuse(shown, 'it is not on the list of options that affect only the container');
      }
    }
  }
  return { words, refusals };
}

/** The option(s) one word that starts with `-` holds: `--a=b`, `--a`, `-eX=1`, `-it`. */
function optionsIn(word: string): { written: string; name: string; inlineValue?: string }[] {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    const name = eq < 0 ? word : word.slice(0, eq);
    return [{ written: name, name, ...(eq < 0 ? {} : { inlineValue: word.slice(eq + 1) }) }];
  }
  const out: { written: string; name: string; inlineValue?: string }[] = [];
  for (let j = 1; j < word.length; j++) {
    const letter = word[j] as string;
    const name = short[letter] ?? `-${letter}`;
    const rest = word.slice(j + 1).replace(/^=/, '');
    if ((allowed[name] ?? refused[name])?.arity === 'value') {
      // `-eFOO=1` and `-e FOO=1` alike: the rest of the word is the value when there is one.
      out.push({ written: `-${letter}`, name, ...(rest ? { inlineValue: rest } : {}) });
      break;
    }
    out.push({ written: `-${letter}`, name });
  }
  return out;
}
