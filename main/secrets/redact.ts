/** What replaces a secret in scrubbed text. */
export const REDACTED = '[redacted]';

/**
 * Scrubs known secret values from text. The secret store registers every value it writes or reads;
 * loggers, error reporters and exports pass their text through {@link redact} before it leaves
 * memory. Values shorter than {@link Redactor.minLength} are not tracked: replacing them would
 * mangle ordinary text and they are not secrets worth the name.
 */
export class Redactor {
  static readonly minLength = 6;
  private readonly values = new Set<string>();

  /** Starts scrubbing `value` (and its URL-encoded and base64 forms, which end up in URLs and headers). */
  add(value: string): void {
    if (value.length < Redactor.minLength) return;
    this.values.add(value);
    this.values.add(encodeURIComponent(value));
    this.values.add(Buffer.from(value, 'utf8').toString('base64'));
  }

  /** Stops scrubbing `value` (after the secret was deleted). */
  remove(value: string): void {
    this.values.delete(value);
    this.values.delete(encodeURIComponent(value));
    this.values.delete(Buffer.from(value, 'utf8').toString('base64'));
  }

  /** `text` with every known secret replaced by {@link REDACTED}. */
  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is replaced whole.
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join(REDACTED);
    return out;
  }
}

/** The process-wide redactor the secret store feeds and every logger uses. */
export const secretRedactor = new Redactor();

/** Shorthand for `secretRedactor.redact(text)`. */
export const redactSecrets = (text: string): string => secretRedactor.redact(text);
