// $GITHUB_STEP_SUMMARY (docs.github.com "Workflow commands" §Adding a job summary): after
// each step, what it wrote becomes that step's Markdown summary. GitHub caps a step's
// summary at 1 MiB; beyond that it is cut here with a note rather than dropped.
import { takeFile } from './file-commands.ts';

const maxSummaryBytes = 1024 * 1024;

function truncateSummary(markdown: string): string {
  if (Buffer.byteLength(markdown) <= maxSummaryBytes) return markdown;
  const note = '\n\n> **Note:** this summary was larger than 1 MiB and has been truncated.\n';
  const budget = maxSummaryBytes - Buffer.byteLength(note);
  // Cut on a character boundary: decoding a byte slice may leave a partial character at the end.
  const cut = Buffer.from(markdown).subarray(0, budget).toString('utf8').replace(/\uFFFD$/, '');
  return cut + note;
}

/** Takes (and empties) the summary file; undefined when the step wrote nothing. */
export function takeSummary(path: string, mask: (text: string) => string): string | undefined {
  const text = takeFile(path);
  if (text.trim() === '') return undefined;
  return truncateSummary(mask(text));
}
