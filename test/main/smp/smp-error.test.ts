import { describe, expect, it } from 'vitest';
import { ImageErr, MgmtErr, SettingsErr } from '../../../main/smp/error-codes';
import { errorFromBody, groupErrorBody } from '../../../main/smp/smp-error';

describe('errors in responses (smp.md §2, §4)', () => {
  it('treats a missing rc and rc 0 alike as success', () => {
    expect(errorFromBody({ r: 'hi' })).toBeUndefined();
    expect(errorFromBody({ rc: 0, off: 12 })).toBeUndefined();
    expect(errorFromBody({ err: { group: 1, rc: 0 } })).toBeUndefined();
  });

  it('maps a legacy rc to a named SMP-level error', () => {
    const e = errorFromBody({ rc: 11, rsn: 'locked' });
    expect(e).toMatchObject({ kind: 'smp', group: undefined, code: 11, codeName: 'MGMT_ERR_EACCESSDENIED', reason: 'locked' });
    expect(e?.message).toContain('access denied');
    expect(e?.message).toContain('locked');
  });

  it('maps a v2 group error to its group table', () => {
    const e = errorFromBody({ err: { group: 1, rc: 28 } });
    expect(e).toMatchObject({ kind: 'smp', group: 1, code: 28, codeName: 'IMAGE_ALREADY_PENDING' });
    expect(e?.message).toContain('image error 28 IMAGE_ALREADY_PENDING');
  });

  it('shows unknown codes as "group <g> rc <n>" and never as success (§4.5)', () => {
    expect(errorFromBody({ err: { group: 77, rc: 4 } })?.message).toContain('group 77 rc 4');
    expect(errorFromBody({ err: { group: 1, rc: 99 } })?.message).toContain('group 1 rc 99');
    expect(errorFromBody({ rc: 42 })?.message).toContain('group 0 rc 42');
    expect(errorFromBody({ rc: 300 })?.codeName).toBe('EPERUSER');
  });

  it('refuses malformed error fields instead of reading them as success', () => {
    expect(errorFromBody({ rc: 'x' })?.codeName).toBe('malformed');
    expect(errorFromBody({ err: 3 })?.codeName).toBe('malformed');
    expect(errorFromBody({ err: { group: 1 } })?.codeName).toBe('malformed');
  });

  it('builds v2 error bodies for v2 requests and translated legacy bodies for v1 requests', () => {
    expect(groupErrorBody(1, 1, ImageErr.IMAGE_ALREADY_PENDING)).toEqual({ err: { group: 1, rc: 28 } });
    expect(groupErrorBody(0, 1, ImageErr.IMAGE_ALREADY_PENDING)).toEqual({ rc: MgmtErr.EBADSTATE });
    expect(groupErrorBody(0, 1, ImageErr.NO_IMAGE)).toEqual({ rc: MgmtErr.ENOENT });
    expect(groupErrorBody(0, 1, ImageErr.NO_FREE_MEMORY)).toEqual({ rc: MgmtErr.ENOMEM });
    expect(groupErrorBody(0, 1, ImageErr.INVALID_HASH)).toEqual({ rc: MgmtErr.EINVAL });
    expect(groupErrorBody(0, 1, ImageErr.FLASH_WRITE_FAILED)).toEqual({ rc: MgmtErr.EUNKNOWN });
    expect(groupErrorBody(0, 3, SettingsErr.KEY_NOT_FOUND)).toEqual({ rc: MgmtErr.ENOENT });
  });
});
