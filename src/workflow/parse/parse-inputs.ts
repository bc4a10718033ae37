// Typed inputs of `on.workflow_dispatch` and `on.workflow_call`, and the rest of
// `workflow_call` (secrets, outputs). docs.github.com "Workflow syntax" §on.workflow_dispatch.
// inputs and §on.workflow_call.
import type { InputSpec, WorkflowCallSpec } from '../model.ts';
import { checkId } from './parse-step.ts';
import { hint } from '../yaml/suggest.ts';
import type { Reader } from '../yaml/reader.ts';
import { checkExpressions, readString, readStringList } from './read-values.ts';
import { checkKeys, checkRequired, child, describe, getPair, isNull, readEntries, readLiteralBoolean, readMap, readScalarText } from '../yaml/reader.ts';
import type { Position, YNode } from '../yaml/node.ts';

type Kind = 'dispatch' | 'call';

const dispatchTypes: InputSpec['type'][] = ['string', 'boolean', 'number', 'choice', 'environment'];
// docs §on.workflow_call.inputs.<input_id>.type: "must be one of boolean, number, or string".
const callTypes: InputSpec['type'][] = ['string', 'boolean', 'number'];

export function readInputs(r: Reader, node: YNode, path: string, kind: Kind): Record<string, InputSpec> {
  return readEntries(r, node, path, 'a mapping of input ids to inputs', (pair, p) => {
    checkId(r, pair.key, pair.keyPos, p, 'input id');
    return readInput(r, pair.value, p, kind, pair.keyPos);
  });
}

function readInput(r: Reader, node: YNode, path: string, kind: Kind, at: Position): InputSpec | undefined {
  const types = kind === 'call' ? callTypes : dispatchTypes;
  if (isNull(node) && kind === 'dispatch') return { type: 'string', required: false };
  const map = readMap(r, node, path, `an input (a mapping with ${kind === 'call' ? '`type`' : '`type`, `required`, `default`'})`);
  if (!map) return undefined;
  const keys = kind === 'call' ? ['description', 'required', 'default', 'type'] : ['description', 'required', 'default', 'type', 'options'];
  const suggested = checkKeys(r, map, path, keys);
  if (kind === 'call') checkRequired(r, map, at, path, ['type'], suggested, 'every `workflow_call` input');

  const input: InputSpec = { type: 'string', required: false };
  const type = getPair(map, 'type');
  if (type) {
    const text = readScalarText(r, type.value, child(path, 'type'));
    if (text !== undefined && !types.includes(text as InputSpec['type'])) {
      r.error(type.value, child(path, 'type'), `unknown input type \`${text}\`; ${hint(text, types)}`);
    } else if (text !== undefined) {
      input.type = text as InputSpec['type'];
    }
  }
  const description = getPair(map, 'description');
  if (description) input.description = readString(r, description.value, child(path, 'description'));
  const required = getPair(map, 'required');
  if (required) input.required = readLiteralBoolean(r, required.value, child(path, 'required')) ?? false;
  const options = kind === 'dispatch' ? getPair(map, 'options') : undefined;
  if (options) {
    const p = child(path, 'options');
    if (input.type !== 'choice') r.error(options.keyPos, p, `\`options\` applies only to inputs of \`type: choice\`; this input is \`${input.type}\``);
    input.options = readStringList(r, options.value, p).map((o) => o.value);
    if (input.type === 'choice' && input.options.length === 0) r.error(options.value, p, 'expected at least one option, found none');
  } else if (input.type === 'choice' && kind === 'dispatch') {
    r.error(type?.keyPos ?? map, path, 'missing `options`; an input of `type: choice` needs it');
  }
  const def = getPair(map, 'default');
  if (def) readDefault(r, def.value, child(path, 'default'), input, kind);
  return input;
}

/** The default must have the input's type; a `choice` default must be one of the options. */
function readDefault(r: Reader, node: YNode, path: string, input: InputSpec, kind: Kind): void {
  if (node.kind !== 'scalar') {
    r.error(node, path, `expected a ${input.type === 'choice' ? 'string' : input.type}, found ${describe(node)}`);
    return;
  }
  const v = node.value;
  if (v === null) return;
  // workflow_call defaults may be expressions (context availability: github, inputs, vars).
  if (kind === 'call' && typeof v === 'string' && v.includes('${{')) {
    checkExpressions(r, node, path, v);
    input.default = v;
    return;
  }
  if (input.type === 'boolean' && typeof v !== 'boolean') {
    r.error(node, path, `expected true or false for a \`boolean\` input, found ${describe(node)}`);
  } else if (input.type === 'number' && typeof v !== 'number') {
    r.error(node, path, `expected a number for a \`number\` input, found ${describe(node)}`);
  } else if (input.type === 'choice') {
    const text = String(v);
    if (input.options && input.options.length > 0 && !input.options.includes(text)) {
      r.error(node, path, `default \`${text}\` is not one of the options; ${hint(text, input.options)}`);
    }
    input.default = text;
  } else {
    input.default = input.type === 'string' || input.type === 'environment' ? (readScalarText(r, node, path) ?? '') : v;
  }
}

export function readWorkflowCall(r: Reader, node: YNode, path: string): WorkflowCallSpec {
  const spec: WorkflowCallSpec = { inputs: {}, secrets: {}, outputs: {} };
  if (isNull(node)) return spec;
  const map = readMap(r, node, path, 'a mapping with `inputs`, `secrets` and/or `outputs`');
  if (!map) return spec;
  checkKeys(r, map, path, ['inputs', 'secrets', 'outputs']);
  const inputs = getPair(map, 'inputs');
  if (inputs) spec.inputs = readInputs(r, inputs.value, child(path, 'inputs'), 'call');
  const secrets = getPair(map, 'secrets');
  if (secrets) spec.secrets = readSecrets(r, secrets.value, child(path, 'secrets'));
  const outputs = getPair(map, 'outputs');
  if (outputs) spec.outputs = readOutputs(r, outputs.value, child(path, 'outputs'));
  return spec;
}

function readSecrets(r: Reader, node: YNode, path: string): WorkflowCallSpec['secrets'] {
  return readEntries(r, node, path, 'a mapping of secret names to `{ required, description }`', (pair, p) => {
    const secret: WorkflowCallSpec['secrets'][string] = { required: false };
    if (isNull(pair.value)) return secret;
    const m = readMap(r, pair.value, p, 'a mapping with `required` and/or `description`');
    if (!m) return secret;
    checkKeys(r, m, p, ['description', 'required']);
    const required = getPair(m, 'required');
    if (required) secret.required = readLiteralBoolean(r, required.value, child(p, 'required')) ?? false;
    const description = getPair(m, 'description');
    if (description) secret.description = readString(r, description.value, child(p, 'description'));
    return secret;
  });
}

function readOutputs(r: Reader, node: YNode, path: string): Record<string, string> {
  return readEntries(r, node, path, 'a mapping of output names to `{ value }`', (pair, p) => {
    const m = readMap(r, pair.value, p, 'a mapping with `value` (and optionally `description`)');
    if (!m) return undefined;
    const suggested = checkKeys(r, m, p, ['description', 'value']);
    checkRequired(r, m, pair.keyPos, p, ['value'], suggested, 'every `workflow_call` output');
    const value = getPair(m, 'value');
    const text = value ? (readString(r, value.value, child(p, 'value')) ?? '') : undefined;
    const description = getPair(m, 'description');
    if (description) readString(r, description.value, child(p, 'description'));
    return text;
  });
}
