// Reads a secret value from stdin: on a terminal without echo (raw mode, like ssh's
// password prompt), else the whole input with one trailing newline removed, so
// `echo value | slipway secrets set …` and `< file` both store exactly the value.
import { CliError } from '../client.ts';

export async function readSecret(prompt: string, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    return text.replace(/\r?\n$/, '');
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') return done(() => resolve(value));
          if (ch === '\u0003') return done(() => reject(new CliError('cancelled', 130)));
          if (ch === '\u0004' && value === '') return done(() => resolve(value));
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      const done = (finish: () => void) => {
        stdin.off('data', onData);
        process.stderr.write('\n');
        finish();
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}
