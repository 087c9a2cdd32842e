import { describe, expect, it } from 'vitest';
import { compareVersions, parseVersion } from '../../../main/image/version';

const v = (s: string) => {
  const p = parseVersion(s);
  if (!p) throw new Error(s);
  return p;
};

describe('versions', () => {
  it('parses imgtool and SMP spellings, filling missing parts with 0', () => {
    expect(parseVersion('1.2')).toEqual({ major: 1, minor: 2, revision: 0, build: 0 });
    expect(parseVersion('1.2.3+4')).toEqual({ major: 1, minor: 2, revision: 3, build: 4 });
    expect(parseVersion('1.2.3.4')).toEqual(parseVersion('1.2.3+4'));
    expect(parseVersion('256.0.0')).toBeNull();
    expect(parseVersion('1.2.65536')).toBeNull();
    expect(parseVersion('v1')).toBeNull();
  });
  it('orders by major, minor, revision, and by build only between equal triples', () => {
    expect(compareVersions(v('1.2.3+9'), v('1.2.4+0'))).toBeLessThan(0);
    expect(compareVersions(v('1.10.0'), v('1.9.255'))).toBeGreaterThan(0);
    expect(compareVersions(v('1.2.3+5'), v('1.2.3+4'))).toBeGreaterThan(0);
    expect(compareVersions(v('1.2.3'), v('1.2.3+0'))).toBe(0);
  });
});
