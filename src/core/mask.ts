// The one masking function: every view of a job or a deployment (logs, SSE, annotations,
// step summaries, outputs, error fields) hides secret values with it before anything is
// stored. A value is hidden as written and in the encodings GitHub's runner also hides
// (actions/runner ValueEncoders): base64 at the three byte alignments (standard and
// URL-safe alphabets), URL-encoded (encodeURIComponent) and JSON-escaped.
//
// Short values: GitHub masks any non-empty value, however short (its SecretMasker has a
// minimum length of 0; `::add-mask::` of an empty value is only a warning), so the value
// itself is always masked here too. Its *derived* forms are masked only from
// `minDerivedLength` characters: a base64 fragment of two or three characters occurs in
// ordinary text and would blank the log without protecting anything.

const maskText = '***';

/** Derived forms (encodings, lines of a multi-line value) shorter than this are not masked. */
export const minDerivedLength = 6;

/**
 * Base64 of `bytes` without the digits that depend on what follows: padding is dropped, and
 * when the length is not a multiple of 3 so is the last digit (it holds bits of the next
 * byte), so `base64(secret + "\n")` — `echo $SECRET | base64` — is caught as well.
 */
function stableBase64(bytes: Buffer): string {
  const full = bytes.toString('base64').replace(/=+$/, '');
  return bytes.length % 3 === 0 ? full : full.slice(0, -1);
}

/**
 * The forms of `value` to hide. Base64 at offsets 0, 1 and 2: after 3n+1 or 3n+2 bytes of
 * other text the secret's digits shift, and skipping its first one or two bytes realigns them
 * (actions/runner EnumerateBase64Variations).
 */
export function maskVariants(value: string): string[] {
  if (value.length === 0) return [];
  // A multi-line value is also hidden line by line, as GitHub's runner does: a tool may print
  // one line of it. Lines count as values (any length), their encodings as derived forms.
  const lines = value.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  const values = [...new Set([value, ...(lines.length > 1 ? lines : [])])];
  const derived = new Set<string>();
  for (const form of values) {
    const bytes = Buffer.from(form, 'utf8');
    for (let offset = 0; offset <= 2 && offset < bytes.length; offset++) {
      const b64 = stableBase64(bytes.subarray(offset));
      derived.add(b64);
      derived.add(b64.replaceAll('+', '-').replaceAll('/', '_'));
    }
    derived.add(encodeURIComponent(form));
    derived.add(JSON.stringify(form).slice(1, -1));
  }
  for (const v of values) derived.delete(v);
  return [...values, ...[...derived].filter((d) => d.length >= minDerivedLength)];
}

/** A growing set of values to hide; `mask` replaces each occurrence of any form with `***`. */
export class Masker {
  /** Every form of every value, longest first, so a form containing another is hidden whole. */
  #forms: string[] = [];

  constructor(values: Iterable<string> = []) {
    this.add(...values);
  }

  add(...values: string[]): void {
    const known = new Set(this.#forms);
    const added = values.flatMap(maskVariants).filter((form) => !known.has(form) && known.add(form));
    if (added.length === 0) return;
    this.#forms = [...this.#forms, ...added].sort((a, b) => b.length - a.length);
  }

  get empty(): boolean {
    return this.#forms.length === 0;
  }

  mask(text: string): string {
    let out = text;
    for (const form of this.#forms) if (out.includes(form)) out = out.split(form).join(maskText);
    return out;
  }

  /**
   * How many characters at the end of `text` could be the start of a form: a stream that
   * ships text in pieces holds them back until the rest arrives, so a secret split across
   * two pieces is still hidden whole.
   */
  pendingLength(text: string): number {
    let longest = 0;
    for (const form of this.#forms) {
      for (let k = Math.min(form.length - 1, text.length); k > longest; k--) {
        if (text.endsWith(form.slice(0, k))) {
          longest = k;
          break;
        }
      }
    }
    return longest;
  }
}

/** `text` with every form of every value in `values` hidden. */
export function maskSecrets(text: string, values: Iterable<string>): string {
  return new Masker(values).mask(text);
}
