import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AddedLinks } from '../../../main/settings/added-links';

const folder = () => mkdtempSync(join(tmpdir(), 'siteflash-added-'));

describe('ports and addresses added by hand, kept in the data folder', () => {
  it('are read back by the next run, once each, and forgotten when removed', () => {
    const dir = folder();
    const first = new AddedLinks(dir);
    first.set('ports', '/dev/rfcomm0', true);
    first.set('ports', '/dev/pts/7', true);
    first.set('ports', '/dev/rfcomm0', true);
    first.set('addresses', 'udp:192.0.2.7:1337', true);
    first.set('ports', '/dev/pts/7', false);
    const next = new AddedLinks(dir);
    expect(next.ports).toEqual(['/dev/rfcomm0']);
    expect(next.addresses).toEqual(['udp:192.0.2.7:1337']);
    expect(JSON.parse(readFileSync(join(dir, 'added-links.json'), 'utf8'))).toEqual({ ports: ['/dev/rfcomm0'], addresses: ['udp:192.0.2.7:1337'] });
  });

  it('keep the newest 256 of a kind, so the file always reads back', () => {
    const dir = folder();
    const links = new AddedLinks(dir);
    for (let i = 0; i < 300; i++) links.set('ports', `/dev/pts/${i}`, true);
    const next = new AddedLinks(dir);
    expect(next.ports).toHaveLength(256);
    expect(next.ports[0]).toBe('/dev/pts/44');
    expect(next.ports.at(-1)).toBe('/dev/pts/299');
  });

  it('start empty from a damaged file instead of stopping the app', () => {
    const dir = folder();
    writeFileSync(join(dir, 'added-links.json'), '{"ports": [');
    expect(new AddedLinks(dir).ports).toEqual([]);
  });
});
