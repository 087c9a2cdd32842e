import { describe, expect, it } from 'vitest';
import { checkNetKeyText, checkNetworkForm, parseSettingNumber, projectIdProblem } from '../../../renderer/src/components/network-form';

const form = (over: Partial<Record<'projectId' | 'panId' | 'channel' | 'security', string>> = {}) => ({
  projectId: 'plant-7',
  panId: '0xBEEF',
  channel: '20',
  security: 'aes-ccm-128',
  ...over,
});

describe('parseSettingNumber', () => {
  it.each([
    ['0', 0],
    ['48879', 48879],
    ['0xBEEF', 0xbeef],
    ['0xbeef', 0xbeef],
    ['  20 ', 20],
    ['0x0', 0],
  ])('reads %j as %d', (text, n) => {
    expect(parseSettingNumber(text)).toBe(n);
  });

  it.each(['', '-1', '1.5', '0x', 'beef', '12abc', '0xg1', '1e3'])('refuses %j', (text) => {
    expect(parseSettingNumber(text)).toBeNaN();
  });
});

describe('checkNetworkForm', () => {
  it('turns valid fields into the request settings, hex and decimal alike', () => {
    expect(checkNetworkForm(form())).toEqual({ ok: true, value: { projectId: 'plant-7', panId: 0xbeef, channel: 20, security: 'aes-ccm-128' } });
    expect(checkNetworkForm(form({ projectId: ' p.1_x ', panId: '65535', channel: '0xff', security: 'none' }))).toEqual({
      ok: true,
      value: { projectId: 'p.1_x', panId: 0xffff, channel: 255, security: 'none' },
    });
  });

  it('names every wrong field with its own message', () => {
    const r = checkNetworkForm(form({ projectId: 'plant 7', panId: '0x10000', channel: 'twenty', security: 'wep' }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['channel', 'panId', 'projectId', 'security']);
    expect(r.errors.panId).toMatch(/0 to 65535 \(0xFFFF\)/);
    expect(r.errors.channel).toMatch(/whole number/);
    expect(r.errors.projectId).toMatch(/no spaces/);
  });

  it('asks for empty fields rather than calling them invalid', () => {
    const r = checkNetworkForm(form({ panId: ' ', channel: '' }));
    expect(r.ok ? null : r.errors).toEqual({ panId: 'Enter the PAN ID.', channel: 'Enter the channel.' });
  });

  it('keeps the channel to one byte', () => {
    const r = checkNetworkForm(form({ channel: '256' }));
    expect(r.ok ? null : r.errors.channel).toMatch(/0 to 255/);
  });
});

describe('projectIdProblem', () => {
  it('accepts ids the keychain can name and refuses the others', () => {
    expect(projectIdProblem('plant-7')).toBeNull();
    expect(projectIdProblem('a'.repeat(64))).toBeNull();
    expect(projectIdProblem('a'.repeat(65))).not.toBeNull();
    expect(projectIdProblem('')).toMatch(/Enter the project id/);
    expect(projectIdProblem('x/y')).not.toBeNull();
  });
});

describe('checkNetKeyText', () => {
  const key = '00112233445566778899AABBCCDDEEFF';

  it('gives the core 32 lower-case hex digits, with separators between pairs allowed', () => {
    expect(checkNetKeyText(key)).toEqual({ ok: true, hex: key.toLowerCase() });
    expect(checkNetKeyText('00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff')).toEqual({ ok: true, hex: key.toLowerCase() });
    expect(checkNetKeyText(' 0011 2233-4455 6677 8899 aabb ccdd eeff ')).toEqual({ ok: true, hex: key.toLowerCase() });
  });

  it('says what is wrong without repeating the key', () => {
    const short = key.slice(0, 30);
    const r = checkNetKeyText(short);
    expect(r).toEqual({ ok: false, message: 'A network key is 16 bytes: 32 hex digits. This has 30.' });
    const bad = `${key.slice(0, 31)}g`;
    const r2 = checkNetKeyText(bad);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.message).not.toContain(key.slice(0, 8));
    expect(checkNetKeyText('   ')).toEqual({ ok: false, message: 'Type or paste the network key.' });
  });
});
