// Workflow commands in a step's output (docs.github.com "Workflow commands for GitHub
// Actions"): lines of the form `::name key=value,…::data`. Output arrives in arbitrary
// chunks, so lines are reassembled before they are read; a processed command line never
// reaches the log as written (an `::add-mask::` value must not show).
import type { Annotation } from './protocol/runner-api.ts';

export interface CommandSink {
  /** Text for the job log (whole lines, ending in `\n`). */
  output(text: string): void;
  /** Masks `value` from then on, and each line of a multi-line value (LogWriter.addMask). */
  addMask(value: string): void;
  annotation(annotation: Annotation): void;
  /** `::debug::` lines are shown only with step debug logging (ACTIONS_STEP_DEBUG). */
  debug: boolean;
}

interface ParsedCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
}

/** A partial line longer than this is passed on as it is (a progress bar without newlines). */
const maxPartial = 64 * 1024;

// The runner's escaping (toolkit `core/command.ts`): `%25` is undone last so `%250A` stays `%0A`.
export function unescapeData(s: string): string {
  return s.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
}

export function unescapeProperty(s: string): string {
  return s.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%3A', ':').replaceAll('%2C', ',').replaceAll('%25', '%');
}

/** Parses `::name k=v,…::data`; undefined when the line is not shaped like a command. */
export function parseCommand(line: string): ParsedCommand | undefined {
  const text = line.trimStart();
  if (!text.startsWith('::')) return undefined;
  const end = text.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = text.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (name === '') return undefined;
  const properties: Record<string, string> = {};
  if (space >= 0) {
    for (const entry of info.slice(space + 1).split(',')) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      properties[entry.slice(0, eq).trim()] = unescapeProperty(entry.slice(eq + 1));
    }
  }
  return { name, properties, data: unescapeData(text.slice(end + 2)) };
}

const annotationLevels = new Set(['error', 'warning', 'notice']);

function toAnnotation(level: Annotation['level'], c: ParsedCommand): Annotation {
  const p = c.properties;
  const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : undefined);
  const a: Annotation = { level, message: c.data };
  if (p.title) a.title = p.title;
  if (p.file) a.file = p.file;
  const line = num(p.line), endLine = num(p.endLine), column = num(p.col), endColumn = num(p.endColumn);
  if (line !== undefined) a.line = line;
  if (endLine !== undefined) a.endLine = endLine;
  if (column !== undefined) a.column = column;
  if (endColumn !== undefined) a.endColumn = endColumn;
  return a;
}

// GitHub still honours `set-output` and `save-state` and warns with this text (runner
// `ActionCommandManager`, changelog 2022-10-11); so do we, once per step and command.
const deprecatedUrl = 'https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/';
const deprecation = (name: string) => `The \`${name}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: ${deprecatedUrl}`;

/** Reads one step's output stream; call `end()` when the step's process is done. */
export class WorkflowCommandProcessor {
  readonly #sink: CommandSink;
  #partial = '';
  /** `::set-output name=x::v`: the step's outputs, below what it wrote to $GITHUB_OUTPUT. */
  readonly outputs: Record<string, string> = {};
  /** `::save-state name=x::v`: the action's state, given to its post step as STATE_x. */
  readonly state: Record<string, string> = {};
  readonly #warned = new Set<string>();
  /** Set by `::stop-commands::TOKEN`: until `::TOKEN::`, every line is plain output. */
  #stopToken: string | undefined;

  constructor(sink: CommandSink) {
    this.#sink = sink;
  }

  write(chunk: string): void {
    const whole = this.#partial + chunk;
    let start = 0;
    for (let nl = whole.indexOf('\n'); nl >= 0; nl = whole.indexOf('\n', start)) {
      this.#line(whole.slice(start, nl + 1));
      start = nl + 1;
    }
    let text = whole.slice(start);
    if (text.length > maxPartial) {
      this.#sink.output(text);
      text = '';
    }
    this.#partial = text;
  }

  end(): void {
    if (this.#partial) this.#line(`${this.#partial}\n`);
    this.#partial = '';
  }

  #line(raw: string): void {
    const line = raw.replace(/\r?\n$/, '');
    const command = parseCommand(line);
    if (!command) return this.#sink.output(raw);
    if (this.#stopToken !== undefined) {
      if (command.name === this.#stopToken) this.#stopToken = undefined;
      else this.#sink.output(raw);
      return;
    }
    const sink = this.#sink;
    if (annotationLevels.has(command.name)) {
      const annotation = toAnnotation(command.name as Annotation['level'], command);
      sink.annotation(annotation);
      const where = annotation.file ? `${annotation.file}${annotation.line !== undefined ? `:${annotation.line}` : ''}: ` : '';
      sink.output(`##[${command.name}]${where}${annotation.title ? `${annotation.title}: ` : ''}${command.data}\n`);
      return;
    }
    switch (command.name) {
      case 'add-mask':
        sink.addMask(command.data); // The sink masks each line of a multi-line value too.
        return;
      case 'group':
        return sink.output(`##[group]${command.data}\n`);
      case 'endgroup':
        return sink.output('##[endgroup]\n');
      case 'debug':
        if (sink.debug) sink.output(`##[debug]${command.data}\n`);
        return;
      case 'stop-commands':
        // An empty token would never be matched; GitHub requires one.
        if (command.data) this.#stopToken = command.data;
        else sink.output('##[warning]::stop-commands:: needs a token; ignored\n');
        return;
      case 'set-output':
      case 'save-state': {
        const name = command.properties.name;
        if (!name) return sink.output(`##[warning]::${command.name}:: needs a name (::${command.name} name=NAME::VALUE); ignored\n`);
        (command.name === 'set-output' ? this.outputs : this.state)[name] = command.data;
        if (this.#warned.has(command.name)) return;
        this.#warned.add(command.name);
        sink.annotation({ level: 'warning', message: deprecation(command.name) });
        return sink.output(`##[warning]${deprecation(command.name)}\n`);
      }
      case 'set-env':
      case 'add-path':
        return sink.output(`##[warning]The \`${command.name}\` command is disabled; write to $GITHUB_${command.name === 'set-env' ? 'ENV' : 'PATH'} instead\n`);
      case 'echo':
        return; // Command echoing is a display preference; processed command lines are never echoed here.
      default:
        return sink.output(raw);
    }
  }
}
