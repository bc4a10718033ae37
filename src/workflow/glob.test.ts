import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileGlobMatcher, filterPatternProblem, matchesPatterns } from './glob.ts';

// docs.github.com "Workflow syntax for GitHub Actions" §Filter pattern cheat sheet: each
// pattern with the names the page says it matches, and (where it says so) some it does not.
const cheatSheet: [pattern: string, matches: string[], not?: string[]][] = [
  // Patterns to match branches and tags
  ['feature/*', ['feature/my-branch', 'feature/your-branch'], ['feature/beta-a/my-branch']],
  ['feature/**', ['feature/beta-a/my-branch', 'feature/your-branch', 'feature/mona/the/octocat'], ['feature']],
  ['main', ['main'], ['main2']],
  ['releases/mona-the-octocat', ['releases/mona-the-octocat']],
  ['*', ['main', 'releases'], ['releases/x']],
  ['**', ['all/the/branches', 'every/tag']],
  ['*feature', ['mona-feature', 'feature', 'ver-10-feature'], ['feature/x']],
  ['v2*', ['v2', 'v2.0', 'v2.9'], ['v3']],
  ['v[12].[0-9]+.[0-9]+', ['v1.10.1', 'v2.0.0'], ['v3.0.0', 'v1.x.1']],
  // Patterns to match file paths
  ['*', ['README.md', 'server.rb'], ['docs/README.md']],
  ['*.jsx?', ['page.js', 'page.jsx'], ['page.jsxx']],
  ['**', ['all/files/here.txt']],
  ['*.js', ['app.js', 'index.js'], ['js/index.js']],
  ['**.js', ['index.js', 'js/index.js', 'src/js/app.js'], ['index.ts']],
  ['docs/*', ['docs/README.md', 'docs/file.txt'], ['docs/mona/octocat.txt']],
  ['docs/**', ['docs/README.md', 'docs/mona/octocat.txt'], ['README.md']],
  ['docs/**/*.md', ['docs/README.md', 'docs/mona/hello-world.md', 'docs/a/markdown/file.md'], ['docs/a.txt']],
  ['**/docs/**', ['docs/hello.md', 'dir/docs/my-file.txt', 'space/docs/plan/space.doc'], ['dir/doc/x']],
  ['**/README.md', ['README.md', 'js/README.md'], ['README.txt']],
  ['**/*src/**', ['a/src/app.js', 'my-src/code/js/app.js'], ['a/sr/app.js']],
  ['**/*-post.md', ['my-post.md', 'path/their-post.md'], ['post.md']],
  ['**/migrate-*.sql', ['migrate-10909.sql', 'db/migrate-v1.0.sql', 'db/sept/migrate-v1.sql'], ['migrate.sql']],
];

void test('filter patterns: the GitHub cheat sheet', () => {
  for (const [pattern, yes, no = []] of cheatSheet) {
    for (const value of yes) assert.equal(matchesPatterns(value, [pattern]), true, `${pattern} matches ${value}`);
    for (const value of no) assert.equal(matchesPatterns(value, [pattern]), false, `${pattern} does not match ${value}`);
  }
});

void test('filter patterns: the cheat sheet\'s negation examples', () => {
  assert.deepEqual(['hello.md', 'README.md', 'docs/hello.md'].map((v) => matchesPatterns(v, ['*.md', '!README.md'])), [true, false, false]);
  assert.deepEqual(['hello.md', 'README.md', 'README.doc'].map((v) => matchesPatterns(v, ['*.md', '!README.md', 'README*'])), [true, true, true]);
});

void test('filter patterns: picomatch syntax GitHub does not have is literal', () => {
  assert.equal(matchesPatterns('a{b,c}', ['a{b,c}']), true, 'no braces');
  assert.equal(matchesPatterns('ab', ['a{b,c}']), false);
  assert.equal(matchesPatterns('@(x)', ['@(x)']), true, 'no extglobs');
  assert.equal(matchesPatterns('x', ['@(x)']), false);
  assert.equal(matchesPatterns('a!b', ['a!b']), true, '! inside a pattern');
  assert.equal(matchesPatterns('!', ['[!a]']), true, '[!…] lists `!`');
  assert.equal(matchesPatterns('b', ['[!a]']), false);
  assert.equal(matchesPatterns('.github/x.yml', ['**.yml']), true, 'dot files');
});

void test('filter patterns that cannot compile are reported', () => {
  assert.match(filterPatternProblem('[z-a]') ?? '', /range/i);
  assert.equal(filterPatternProblem('release/[0-9]+'), undefined);
});

void test('file globs: segments, classes, negated classes and implicit descendants', () => {
  const m = (segments: string[], path: string) => fileGlobMatcher(segments)(path);
  assert.equal(m(['ws', '*.txt'], '/ws/a.txt'), true);
  assert.equal(m(['ws', '*.txt'], '/ws/a/b.txt'), false);
  assert.equal(m(['ws', '**', '*.txt'], '/ws/a/b.txt'), true);
  assert.equal(m(['ws', 'a?'], '/ws/ab'), true, '? is one character here');
  assert.equal(m(['ws', '[!a]'], '/ws/b'), true);
  assert.equal(m(['ws', '[!a]'], '/ws/a'), false);
  assert.equal(m(['ws', 'dir'], '/ws/dir/deep/file'), true, 'a directory selects what is under it');
  assert.equal(m(['ws', '{a,b}'], '/ws/{a,b}'), true, 'no braces');
  assert.equal(m(['ws', '*'], '/ws/.hidden'), true);
});
