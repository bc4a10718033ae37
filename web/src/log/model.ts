// A job's log as the viewer needs it: lines appended as chunks arrive, the runner's
// `##[group]` / `##[endgroup]` markers as folds (the outermost ones are the job's steps),
// `##[error]` / `##[warning]` / `##[notice]` lines marked, and the list of lines visible
// with the current folds. Plain arrays and typed arrays: 200,000 lines cost a few MB and
// recomputing the visible list is one pass.
export type LineKind = 'text' | 'group' | 'error' | 'warning' | 'notice' | 'debug';

export interface Fold {
  /** Index of the group's header line. */
  start: number;
  /** Index of its last line (the endgroup marker), or -1 while open. */
  end: number;
  depth: number;
  /** 1-based step number for outermost groups (the runner opens one per step), else 0. */
  step: number;
  title: string;
}

const markers = /^##\[(group|endgroup|error|warning|notice|debug)\]/;

export class LogModel {
  /** Each line's text with the marker removed (a group header's text is its title). */
  readonly lines: string[] = [];
  readonly kinds: LineKind[] = [];
  /** Innermost fold that contains the line (not its own header), or -1. */
  readonly parent: number[] = [];
  /** Endgroup lines are not shown; they stay in `lines` so line numbers match the raw log. */
  readonly hidden: boolean[] = [];
  readonly folds: Fold[] = [];
  readonly collapsed = new Set<number>();
  #open: number[] = [];
  readonly #foldByLine = new Map<number, number>();
  #partial = '';
  #steps = 0;
  /** Bumped on every change, so views know to recompute. */
  version = 0;

  append(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop()!;
    for (const p of parts) this.#add(p.endsWith('\r') ? p.slice(0, -1) : p);
    this.version++;
  }

  /** The log ended: a last line without a newline counts too. */
  end(): void {
    if (this.#partial) this.#add(this.#partial);
    this.#partial = '';
    this.version++;
  }

  #add(raw: string): void {
    const index = this.lines.length;
    const m = markers.exec(raw);
    const kind = (m?.[1] ?? 'text') as LineKind | 'endgroup';
    const text = m ? raw.slice(m[0].length) : raw;
    const parent = this.#open.at(-1) ?? -1;
    if (kind === 'group') {
      const depth = this.#open.length;
      const fold: Fold = { start: index, end: -1, depth, step: depth === 0 ? ++this.#steps : 0, title: text };
      this.folds.push(fold);
      this.#foldByLine.set(index, this.folds.length - 1);
      this.parent.push(parent);
      this.#open.push(this.folds.length - 1);
      this.lines.push(text);
      this.kinds.push('group');
      this.hidden.push(false);
      return;
    }
    if (kind === 'endgroup') {
      const f = this.#open.pop();
      if (f !== undefined) this.folds[f]!.end = index;
      this.lines.push('');
      this.kinds.push('text');
      this.parent.push(f ?? -1);
      this.hidden.push(true);
      return;
    }
    this.lines.push(text);
    this.kinds.push(kind);
    this.parent.push(parent);
    this.hidden.push(false);
  }

  /** The fold a header line opens. */
  foldAt(line: number): number {
    return this.#foldByLine.get(line) ?? -1;
  }

  stepFold(step: number): Fold | undefined {
    return this.folds.find((f) => f.step === step);
  }

  toggle(fold: number): void {
    if (this.collapsed.has(fold)) this.collapsed.delete(fold);
    else this.collapsed.add(fold);
    this.version++;
  }

  /** Opens every fold around `line`, so it can be shown. */
  reveal(line: number): void {
    for (let f = this.parent[line] ?? -1; f !== -1; f = this.parent[this.folds[f]!.start] ?? -1) this.collapsed.delete(f);
    this.version++;
  }

  /** Indices of the lines shown with the current folds, in order. */
  visible(): Int32Array {
    const n = this.lines.length;
    const out = new Int32Array(n);
    let count = 0;
    // A line is inside a collapsed fold when any fold around it is collapsed; folds nest,
    // so one pass with a "collapsed since depth" marker is enough.
    const hiddenBy = new Int8Array(this.folds.length);
    for (let i = 0; i < n; i++) {
      const p = this.parent[i]!;
      const inCollapsed = p !== -1 && (this.collapsed.has(p) || hiddenBy[p] === 1);
      if (this.kinds[i] === 'group') {
        const f = this.foldAt(i);
        if (f !== -1 && inCollapsed) hiddenBy[f] = 1;
      }
      if (!inCollapsed && !this.hidden[i]) out[count++] = i;
    }
    return out.subarray(0, count);
  }
}
