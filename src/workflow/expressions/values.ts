// The value model of GitHub Actions expressions over plain JS values, with the coercion
// rules of the reference implementation (actions/runner `EvaluationResult`, mirrored by
// actions/languageservices `expressions/src/result.ts`): loose equality that converts
// null/booleans/strings to numbers, NaN never equal, strings compared ignoring case.

export type Kind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'bigint':
      return 'number';
    default:
      return Array.isArray(value) ? 'array' : 'object';
  }
}

export function isPrimitive(value: unknown): boolean {
  const kind = kindOf(value);
  return kind !== 'array' && kind !== 'object';
}

/** GitHub truthiness: null, false, 0, NaN and '' are false; arrays and objects are true. */
export function toBoolean(value: unknown): boolean {
  switch (kindOf(value)) {
    case 'null':
      return false;
    case 'boolean':
      return value as boolean;
    case 'number': {
      const n = Number(value);
      return n !== 0 && !Number.isNaN(n);
    }
    case 'string':
      return (value as string).length > 0;
    default:
      return true;
  }
}

/** Number conversion: null → 0, booleans → 0/1, strings parsed, arrays/objects → NaN. */
export function toNumber(value: unknown): number {
  switch (kindOf(value)) {
    case 'null':
      return 0;
    case 'boolean':
      return value ? 1 : 0;
    case 'number':
      return Number(value);
    case 'string':
      return parseNumber(value as string);
    default:
      return Number.NaN;
  }
}

const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * String → number as the runner's `ExpressionUtility.ParseNumber`: trimmed, empty → 0,
 * decimal with sign/point/exponent, `0x` hex and `0o` octal read as Int32 (so
 * `0xffffffff` is -1 and wider values are NaN), `Infinity`/`-Infinity`, else NaN.
 */
export function parseNumber(text: string): number {
  const s = text.trim();
  if (s === '') return 0;
  if (decimal.test(s)) return Number(s);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return int32(Number.parseInt(s.slice(2), 16));
  if (/^0o[0-7]+$/.test(s)) return int32(Number.parseInt(s.slice(2), 8));
  if (s === 'Infinity') return Number.POSITIVE_INFINITY;
  if (s === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

function int32(n: number): number {
  if (n > 0xffffffff) return Number.NaN;
  return n > 0x7fffffff ? n - 0x100000000 : n;
}

/**
 * Number → string as .NET `double.ToString("G15")`, which the runner uses: 15 significant
 * digits, fixed-point when the decimal exponent is in [-5, 15), else `1.5E+20`.
 */
export function numberToString(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return 'Infinity';
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (n === 0) return '0';
  const sign = n < 0 ? '-' : '';
  const [mantissa = '', expText = '0'] = Math.abs(n).toExponential(14).split('e');
  const exp = Number(expText);
  const digits = mantissa.replace('.', '').replace(/0+$/, '');
  if (exp > -5 && exp < 15) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const fraction = digits.slice(exp + 1);
    return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}E${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** String conversion inside expressions (format, contains, join): arrays are `Array`, objects `Object`. */
export function toStringValue(value: unknown): string {
  switch (kindOf(value)) {
    case 'null':
      return '';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return numberToString(Number(value));
    case 'string':
      return value as string;
    case 'array':
      return 'Array';
    default:
      return 'Object';
  }
}

/** `toJSON()`: two-space indented JSON, as the runner's serializer writes it. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => (v === undefined ? null : v), 2);
}

/**
 * Case folding for OrdinalIgnoreCase: upper-case each character, but keep characters whose
 * upper case is not a single character (ß) and the dotless ı, as .NET's ordinal upper does.
 */
export function foldCase(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return s.toUpperCase();
  let out = '';
  for (const ch of s) {
    const upper = ch.toUpperCase();
    out += ch === 'ı' || upper.length !== ch.length ? ch : upper;
  }
  return out;
}

// Bring two values to the same kind: Number/String → numbers; Null/Boolean → numbers,
// then again. Arrays and objects are never converted.
function coerce(left: unknown, right: unknown): [unknown, unknown] {
  const lk = kindOf(left);
  const rk = kindOf(right);
  if (lk === rk) return [left, right];
  if (lk === 'number' && rk === 'string') return [left, toNumber(right)];
  if (lk === 'string' && rk === 'number') return [toNumber(left), right];
  if (lk === 'null' || lk === 'boolean') return coerce(toNumber(left), right);
  if (rk === 'null' || rk === 'boolean') return coerce(left, toNumber(right));
  return [left, right];
}

export function looseEquals(a: unknown, b: unknown): boolean {
  const [l, r] = coerce(a, b);
  const kind = kindOf(l);
  if (kind !== kindOf(r)) return false;
  switch (kind) {
    case 'null':
      return true;
    case 'number':
      return Number(l) === Number(r);
    case 'string':
      return foldCase(l as string) === foldCase(r as string);
    case 'boolean':
      return l === r;
    default:
      // Arrays and objects: the same instance only.
      return l === r;
  }
}

/** -1, 0 or 1 when the values are ordered, undefined when they are not comparable (or NaN). */
function order(a: unknown, b: unknown): number | undefined {
  const [l, r] = coerce(a, b);
  const kind = kindOf(l);
  if (kind !== kindOf(r)) return undefined;
  switch (kind) {
    case 'number': {
      const x = Number(l);
      const y = Number(r);
      if (Number.isNaN(x) || Number.isNaN(y)) return undefined;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'string': {
      const x = foldCase(l as string);
      const y = foldCase(r as string);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'boolean':
      return l === r ? 0 : l ? 1 : -1;
    default:
      return undefined;
  }
}

export function lessThan(a: unknown, b: unknown): boolean {
  return order(a, b) === -1;
}

export function greaterThan(a: unknown, b: unknown): boolean {
  return order(a, b) === 1;
}

/** `<=` and `>=` are `==` or `<`/`>`, so `null <= 0` is true and NaN is never ordered. */
export function lessOrEqual(a: unknown, b: unknown): boolean {
  return looseEquals(a, b) || lessThan(a, b);
}

export function greaterOrEqual(a: unknown, b: unknown): boolean {
  return looseEquals(a, b) || greaterThan(a, b);
}
