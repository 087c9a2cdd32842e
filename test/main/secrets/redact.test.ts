import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../../main/secrets/redact';

describe('Redactor', () => {
  it('replaces every occurrence of a known secret, and its URL-encoded and base64 forms', () => {
    const r = new Redactor();
    const secret = 'k3y/with+chars=';
    r.add(secret);
    const text = `key ${secret} url ${encodeURIComponent(secret)} b64 ${Buffer.from(secret).toString('base64')} again ${secret}`;
    const out = r.redact(text);
    expect(out).toBe(`key ${REDACTED} url ${REDACTED} b64 ${REDACTED} again ${REDACTED}`);
  });

  it('replaces a longer secret whole when a shorter one is inside it', () => {
    const r = new Redactor();
    r.add('abcdef');
    r.add('xxabcdefyy');
    expect(r.redact('xxabcdefyy abcdef')).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('leaves text alone that holds no secret, and ignores values too short to be secrets', () => {
    const r = new Redactor();
    r.add('abc');
    r.add('s3cr3t-value');
    expect(r.redact('abc is fine')).toBe('abc is fine');
    r.remove('s3cr3t-value');
    expect(r.redact('s3cr3t-value')).toBe('s3cr3t-value');
  });
});
