// The log viewer: renders only the lines in view (plus a margin), so a 200,000-line log
// opens and scrolls like a short one. Lines have one fixed height; folds, search and
// line links work on the model's line indices (1-based in the URL: #L42).
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { LogModel } from './model.ts';
import { parseAnsi, stripAnsi } from './ansi.ts';

const lineHeight = 18;
const margin = 40;

interface Props {
  model: LogModel;
  /** Bumped by the owner when the model changed. */
  version: number;
  /** 0-based line to scroll to and mark. */
  target?: number;
  /** Whether to stick to the bottom as lines arrive (live logs). */
  follow?: boolean;
}

function Line({ model, index, marked, query, onToggle }: { model: LogModel; index: number; marked: boolean; query: string; onToggle: (fold: number) => void }) {
  const kind = model.kinds[index]!;
  const fold = kind === 'group' ? model.foldAt(index) : -1;
  const text = model.lines[index]!;
  const segments = parseAnsi(text);
  const depth = depthOf(model, index);
  return (
    <div class={`line k-${kind}${marked ? ' marked' : ''}${query && stripAnsi(text).toLowerCase().includes(query) ? ' hit' : ''}`} data-line={index + 1}>
      <a class="ln" href={`#L${index + 1}`} tabIndex={-1}>
        {index + 1}
      </a>
      <span class="indent" style={{ width: `${depth}em` }} />
      {fold !== -1 && (
        <button class="fold" aria-label={model.collapsed.has(fold) ? 'expand' : 'collapse'} onClick={() => onToggle(fold)}>
          {model.collapsed.has(fold) ? '▸' : '▾'}
        </button>
      )}
      <span class="txt">
        {segments.map((s, i) => (
          <span key={i} class={s.cls || undefined} style={s.fg || s.bg ? { color: s.fg, background: s.bg } : undefined}>
            {s.text}
          </span>
        ))}
      </span>
    </div>
  );
}

function depthOf(model: LogModel, index: number): number {
  const p = model.parent[index]!;
  return p === -1 ? 0 : model.folds[p]!.depth + 1;
}

export function LogView({ model, version, target, follow }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [query, setQuery] = useState('');
  const [hit, setHit] = useState(-1);
  const [, redraw] = useState(0);
  const toggle = (fold: number) => {
    model.toggle(fold);
    redraw((x) => x + 1);
  };
  const stuck = useRef(true);
  // Folding changes the model; the view recomputes from its version.
  const visible = useMemo(() => model.visible(), [model, version, model.version]);
  const position = useMemo(() => {
    const pos = new Map<number, number>();
    return (line: number) => {
      if (pos.size === 0) visible.forEach((l, i) => pos.set(l, i));
      return pos.get(line) ?? -1;
    };
  }, [visible]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  // Go to a linked line: open its folds, scroll it to the middle.
  useLayoutEffect(() => {
    if (target === undefined || target < 0 || target >= model.lines.length) return;
    const el = box.current;
    if (!el) return;
    if (position(target) === -1) {
      model.reveal(target);
      redraw((x) => x + 1);
      return;
    }
    stuck.current = false;
    el.scrollTop = Math.max(0, position(target) * lineHeight - el.clientHeight / 2);
    setScrollTop(el.scrollTop);
  }, [target, visible]);

  // Live logs stay at the bottom while the reader is there.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !follow || !stuck.current || target !== undefined) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [visible.length, follow]);

  const q = query.trim().toLowerCase();
  const hits = useMemo(() => {
    if (!q) return [] as number[];
    const out: number[] = [];
    for (const l of visible) if (stripAnsi(model.lines[l]!).toLowerCase().includes(q)) out.push(l);
    return out;
  }, [q, visible]);

  useEffect(() => setHit(-1), [q]);

  const jump = (step: number) => {
    if (!hits.length) return;
    const next = (hit + step + hits.length) % hits.length;
    setHit(next);
    const el = box.current!;
    stuck.current = false;
    el.scrollTop = Math.max(0, position(hits[next]!) * lineHeight - el.clientHeight / 2);
  };

  const first = Math.max(0, Math.floor(scrollTop / lineHeight) - margin);
  const last = Math.min(visible.length, Math.ceil((scrollTop + height) / lineHeight) + margin);
  const rows = [];
  for (let i = first; i < last; i++) {
    const line = visible[i]!;
    rows.push(<Line key={line} model={model} index={line} marked={line === target || (hit >= 0 && hits[hit] === line)} query={q} onToggle={toggle} />);
  }
  return (
    <div class="log">
      <div class="log-bar">
        <input
          type="search"
          placeholder="Search the log"
          aria-label="Search the log"
          value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => e.key === 'Enter' && jump(e.shiftKey ? -1 : 1)}
        />
        <span class="muted">{q ? `${hits.length ? hit + 1 : 0} of ${hits.length}` : `${model.lines.length.toLocaleString()} lines`}</span>
        <button onClick={() => jump(-1)} disabled={!hits.length}>
          ↑
        </button>
        <button onClick={() => jump(1)} disabled={!hits.length}>
          ↓
        </button>
      </div>
      <div
        class="log-box"
        ref={box}
        // Short logs take the room they need; long ones 60% of the window and scroll.
        style={{ height: `${Math.max(72, Math.min(window.innerHeight * 0.6, visible.length * lineHeight + 8))}px` }}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          stuck.current = el.scrollTop + el.clientHeight >= el.scrollHeight - lineHeight * 2;
          setScrollTop(el.scrollTop);
        }}
      >
        <div class="log-space" style={{ height: `${visible.length * lineHeight}px` }}>
          <div class="log-rows" style={{ transform: `translateY(${first * lineHeight}px)` }}>
            {rows}
          </div>
        </div>
      </div>
    </div>
  );
}
