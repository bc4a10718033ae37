// git settings passed through the environment (git-config(1) "GIT_CONFIG_COUNT"), so a
// credential or an override never appears on a command line or in a URL.

/** git's transports limited to http(s) (git-config(1) "protocol.allow"): no file://, ssh:// or ext::. */
export const httpOnly: Readonly<Record<string, string>> = { 'protocol.allow': 'never', 'protocol.http.allow': 'always', 'protocol.https.allow': 'always' };

/** `GIT_CONFIG_COUNT` / `GIT_CONFIG_KEY_n` / `GIT_CONFIG_VALUE_n` for these settings. */
export function gitConfigEnv(settings: Record<string, string>): Record<string, string> {
  const entries = Object.entries(settings);
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

/** The environment of a git client that sends `Authorization: <authorization>` and never prompts. */
export function gitClientEnv(authorization: string | undefined, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, GIT_TERMINAL_PROMPT: '0', ...(authorization ? gitConfigEnv({ 'http.extraHeader': `Authorization: ${authorization}` }) : {}) };
}
