// POSIX sh quoting of one argument: for command lines shown in logs, and for the command
// string of an SSH exec request (the remote user's shell parses it).
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}
