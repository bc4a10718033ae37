// ANSI SGR escapes (colours, bold, italic, underline) to styled segments; every other escape
// is dropped. Written by hand: the subset CI logs use is ~60 lines, smaller than a library.
export interface Segment {
  text: string;
  /** Class names for the 16 standard colours and text attributes. */
  cls: string;
  /** 256-colour and truecolour values, applied through the CSSOM (CSP allows it). */
  fg?: string;
  bg?: string;
}

interface State {
  fg?: number | string;
  bg?: number | string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
}

// ESC [ params m (SGR), or any other CSI / OSC sequence to strip.
// eslint-disable-next-line no-control-regex
const escape = /\x1b\[([0-9;]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-B]/g;

export function hasEscapes(line: string): boolean {
  return line.includes('\x1b');
}

export function stripAnsi(line: string): string {
  return hasEscapes(line) ? line.replace(escape, '') : line;
}

function color256(n: number): string {
  if (n < 16) return ['#000', '#c33', '#3a3', '#cc3', '#36c', '#c3c', '#3cc', '#ccc', '#666', '#f66', '#6f6', '#ff6', '#69f', '#f6f', '#6ff', '#fff'][n]!;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

function apply(s: State, params: number[]): void {
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p === 0) {
      for (const k of Object.keys(s)) delete s[k as keyof State];
    } else if (p === 1) s.bold = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 22) s.bold = false;
    else if (p === 23) s.italic = false;
    else if (p === 24) s.underline = false;
    else if ((p >= 30 && p <= 37) || (p >= 90 && p <= 97)) s.fg = p >= 90 ? p - 90 + 8 : p - 30;
    else if ((p >= 40 && p <= 47) || (p >= 100 && p <= 107)) s.bg = p >= 100 ? p - 100 + 8 : p - 40;
    else if (p === 39) delete s.fg;
    else if (p === 49) delete s.bg;
    else if (p === 38 || p === 48) {
      const key = p === 38 ? 'fg' : 'bg';
      if (params[i + 1] === 5 && params[i + 2] !== undefined) {
        s[key] = params[i + 2]! < 16 ? params[i + 2]! : color256(params[i + 2]!);
        i += 2;
      } else if (params[i + 1] === 2 && params[i + 4] !== undefined) {
        s[key] = `rgb(${params[i + 2]},${params[i + 3]},${params[i + 4]})`;
        i += 4;
      }
    }
  }
}

function segment(text: string, s: State): Segment {
  const cls: string[] = [];
  if (typeof s.fg === 'number') cls.push(`fg${s.fg}`);
  if (typeof s.bg === 'number') cls.push(`bg${s.bg}`);
  if (s.bold) cls.push('b');
  if (s.italic) cls.push('i');
  if (s.underline) cls.push('u');
  const seg: Segment = { text, cls: cls.join(' ') };
  if (typeof s.fg === 'string') seg.fg = s.fg;
  if (typeof s.bg === 'string') seg.bg = s.bg;
  return seg;
}

/** One line's segments. Colours do not carry over lines (each step's tool resets them anyway). */
export function parseAnsi(line: string): Segment[] {
  if (!hasEscapes(line)) return [{ text: line, cls: '' }];
  const out: Segment[] = [];
  const s: State = {};
  let last = 0;
  for (const m of line.matchAll(escape)) {
    if (m.index > last) out.push(segment(line.slice(last, m.index), s));
    last = m.index + m[0].length;
    if (m[2] === 'm') apply(s, (m[1] || '0').split(';').map((x) => Number(x) || 0));
  }
  if (last < line.length) out.push(segment(line.slice(last), s));
  return out;
}
