// Reads `container.options` / `services.<id>.options` and reports every option the
// allow-list refuses (container-options.ts) at the value's position, so `slipway lint` and
// the push that would run it fail before anything starts.
import type { Reader } from '../yaml/reader.ts';
import type { YNode } from '../yaml/node.ts';
import { checkContainerOptions, type OptionsOwner } from './container-options.ts';
import { readString } from './read-values.ts';

/** What the parser is told about the server it parses for. */
export interface ParseSettings {
  /** `runner.allowOptions`: options the admin allows beyond the built-in allow-list. */
  allowOptions?: readonly string[];
  /** `runner.hostVolumes`: host directories whose paths `volumes` may mount (none by default). */
  hostVolumes?: readonly string[];
}

export function readOptions(r: Reader, node: YNode, path: string, owner: OptionsOwner, settings: ParseSettings): string | undefined {
  const text = readString(r, node, path);
  if (text === undefined) return undefined;
  // Options reach `podman run` as written, so they are checked here, where no value of an
  // expression is known yet: an expression could hide any option.
  if (text.includes('${{')) {
    r.error(node, path, 'expressions are not allowed in options: they are checked against the allow-list before the run starts');
    return text;
  }
  for (const refusal of checkContainerOptions(text, owner, settings.allowOptions).refusals) r.error(node, path, refusal.message);
  return text;
}
