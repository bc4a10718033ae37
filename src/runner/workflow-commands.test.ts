import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Annotation } from './protocol/runner-api.ts';
import { LogWriter } from './log-writer.ts';
import { WorkflowCommandProcessor, parseCommand, unescapeData, unescapeProperty } from './workflow-commands.ts';

function setup(debug = false) {
  const log = new LogWriter({ startSeq: 0, send: async () => {} });
  const out: string[] = [];
  const annotations: Annotation[] = [];
  const p = new WorkflowCommandProcessor({
    output: (t) => out.push(log.mask(t)),
    addMask: (v) => log.addMask(v),
    annotation: (a) => annotations.push(a),
    debug,
  });
  return { p, out, annotations, text: () => out.join('') };
}

test('lines split across chunks are reassembled before commands are read', () => {
  const { p, text, annotations } = setup();
  for (const chunk of ['hel', 'lo\n::war', 'ning file=a.ts,li', 'ne=3::careful\nbye']) p.write(chunk);
  assert.deepEqual(annotations, [{ level: 'warning', message: 'careful', file: 'a.ts', line: 3 }]);
  assert.equal(text(), 'hello\n##[warning]a.ts:3: careful\n');
  p.end();
  assert.equal(text(), 'hello\n##[warning]a.ts:3: careful\nbye\n');
});

test('add-mask hides the value from then on and never shows the command line', () => {
  const { p, text } = setup();
  p.write('before s3cret\n::add-');
  p.write('mask::s3cret\nafter s3cret and s3cret\r\n');
  p.end();
  assert.equal(text(), 'before s3cret\nafter *** and ***\r\n');
  assert.doesNotMatch(text(), /add-mask/);
});

test('group markers, debug only with step debug', () => {
  const quiet = setup();
  quiet.p.write('::group::Build it\nx\n::endgroup::\n::debug::hidden\n');
  assert.equal(quiet.text(), '##[group]Build it\nx\n##[endgroup]\n');
  const loud = setup(true);
  loud.p.write('::debug::shown\n');
  assert.equal(loud.text(), '##[debug]shown\n');
});

test('set-output and save-state are honoured, with GitHub\'s deprecation warning once per step and command', () => {
  const { p, text, annotations } = setup();
  p.write('::set-output name=a::1\n::set-output name=multi::x%0Ay\n::save-state name=pid::42\n::save-state name=pid::43\n::set-output::no name\n');
  p.end();
  assert.deepEqual(p.outputs, { a: '1', multi: 'x\ny' });
  assert.deepEqual(p.state, { pid: '43' });
  const warnings = annotations.map((a) => [a.level, a.message.slice(0, 40)]);
  assert.deepEqual(warnings, [['warning', 'The `set-output` command is deprecated a'], ['warning', 'The `save-state` command is deprecated a']]);
  assert.match(text(), /^##\[warning\]The `set-output` command is deprecated and will be disabled soon\. Please upgrade to using Environment Files\. For more information see: https:\/\/github\.blog\/changelog\/2022-10-11-/);
  assert.match(text(), /##\[warning\]::set-output:: needs a name/);
  assert.doesNotMatch(text(), /name=a::1|pid::4/, 'a processed command line is not logged as written');
});

test('annotations carry every property, with GitHub escaping undone', () => {
  const { p, annotations } = setup();
  p.write('::error file=src/a%2Cb.ts,line=10,endLine=12,col=5,endColumn=7,title=Bad%3A thing::first%0Asecond %25 done%250A\n');
  p.write('::notice::plain\n');
  assert.deepEqual(annotations, [
    { level: 'error', message: 'first\nsecond % done%0A', title: 'Bad: thing', file: 'src/a,b.ts', line: 10, endLine: 12, column: 5, endColumn: 7 },
    { level: 'notice', message: 'plain' },
  ]);
});

test('stop-commands turns processing off until the token comes back', () => {
  const { p, text, annotations } = setup();
  p.write('::stop-commands::pause-123\n::error::not an annotation\n::add-mask::visible\n::pause-123::\n::error::real\nvisible\n');
  assert.deepEqual(annotations, [{ level: 'error', message: 'real' }]);
  assert.equal(text(), '::error::not an annotation\n::add-mask::visible\n##[error]real\nvisible\n');
});

test('unknown commands and near-misses pass through unchanged', () => {
  const { p, text } = setup();
  p.write('::unknown::x\n:: not one\n::\nplain ::error:: inside\n');
  assert.equal(text(), '::unknown::x\n:: not one\n::\nplain ::error:: inside\n');
});

test('parse and unescape helpers', () => {
  assert.deepEqual(parseCommand('  ::warning title=a=b::m::n'), { name: 'warning', properties: { title: 'a=b' }, data: 'm::n' });
  assert.equal(parseCommand('::::x'), undefined);
  assert.equal(unescapeData('%25%0D%0A%3A'), '%\r\n%3A');
  assert.equal(unescapeProperty('%3A%2C%2525'), ':,%25');
});
