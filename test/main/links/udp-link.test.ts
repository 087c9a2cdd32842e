import { afterEach, describe, expect, it } from 'vitest';
import { parsePortArgs } from '../../../main/cli/port-session';
import { echo } from '../../../main/devices/commands/os';
import { imageState } from '../../../main/devices/commands/image';
import { bytesSource } from '../../../main/devices/image-source';
import { SmpSession } from '../../../main/devices/session';
import { uploadImage } from '../../../main/devices/upload';
import { systemClock } from '../../../main/links/clock';
import { createLink } from '../../../main/links/factory';
import { parseDeviceAddress, parseUdpAddress, UdpLink } from '../../../main/links/udp-link';
import { SimDevice } from '../../../main/sim/device';
import { buildSimImage } from '../../../main/sim/image-builder';
import { startUdpHost, type SimUdpHost } from '../../../main/sim/udp-host';

const FAST = { processingMs: 0, eraseMsPerSector: 0.1, writeBytesPerMs: 50_000, resetDelayMs: 5, bootMs: 20, swapMsPerSector: 0.1 };

let host: SimUdpHost | undefined;
let device: SimDevice | undefined;
let link: UdpLink | undefined;
afterEach(async () => {
  await link?.close();
  await host?.stop();
  device?.dispose();
  [link, host, device] = [undefined, undefined, undefined];
});

describe('parseUdpAddress / --port udp:…', () => {
  it.each([
    ['udp:127.0.0.1:1337', { host: '127.0.0.1', port: 1337 }],
    ['udp:192.0.2.7', { host: '192.0.2.7', port: 1337 }],
    ['udp:[::1]:9000', { host: '::1', port: 9000 }],
    ['udp:sensor.local:1338', { host: 'sensor.local', port: 1338 }],
  ])('%s', (text, want) => expect(parseUdpAddress(text)).toEqual(want));

  it.each(['udp:', 'udp:1.2.3.4:0', 'udp:1.2.3.4:70000', 'tcp:1.2.3.4', 'udp:a:b'])('refuses %s', (text) => expect(parseUdpAddress(text)).toBeNull());

  it('the CLI port options make a UDP link for udp: addresses and a usage error for bad ones', () => {
    expect(parsePortArgs(['--port', 'udp:127.0.0.1:1400'], {}).descriptor).toEqual({ kind: 'udp', host: '127.0.0.1', port: 1400 });
    expect(() => parsePortArgs(['--port', 'udp:1.2.3.4:99999'], {})).toThrow(/udp:HOST/);
    expect(createLink({ kind: 'udp', host: '127.0.0.1', port: 1400 }).id).toBe('udp:127.0.0.1:1400');
  });
});

describe('UdpLink against the simulator on loopback (one SMP packet per datagram)', () => {
  it('echoes, lists images and uploads an image byte-exact', async () => {
    device = new SimDevice({ board: 'sf-dev-1', id: '00124b00000000c3', version: '1.0.0+0', clock: systemClock, timing: FAST });
    host = await startUdpHost(device);
    const parsed = parseUdpAddress(host.address)!;
    link = new UdpLink(parsed.host, parsed.port);
    const datagrams: number[] = [];
    const write = link.write.bind(link);
    link.write = (d) => (datagrams.push(d.length), write(d));
    await link.open();
    const session = new SmpSession(link, { timeoutMs: 2000 });
    expect(await echo(session, 'over udp')).toBe('over udp');
    // One write per request, unframed: an 8-byte SMP header plus CBOR, no serial markers or base64.
    expect(datagrams).toHaveLength(1);
    expect(datagrams[0]).toBeLessThan(30);
    const bytes = buildSimImage({ version: '1.1.0+0', board: 'sf-dev-1', bodySize: 30_000 });
    const result = await uploadImage(session, bytesSource(bytes), { bufSize: 1024 });
    expect(result.total).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(device.flash.image(1)!.bytes.subarray(0, bytes.length)), Buffer.from(bytes))).toBe(0);
    expect((await imageState(session)).map((s) => [s.slot, s.version])).toEqual([
      [0, '1.0.0+0'],
      [1, '1.1.0+0'],
    ]);
    session.dispose();
  });

  it('closes with a close event and refuses writes once closed', async () => {
    link = new UdpLink('127.0.0.1', 9);
    await link.open();
    const reasons: string[] = [];
    link.onClose((r) => reasons.push(r.kind));
    await link.close();
    expect(reasons).toEqual(['closed']);
    await expect(link.write(new Uint8Array([1]))).rejects.toMatchObject({ kind: 'not-open' });
  });
});

describe('parseDeviceAddress (Connect: add a device by address)', () => {
  it('takes udp:HOST[:PORT] and HOST:PORT, port 1337 by default, IPv6 in brackets', () => {
    expect(parseDeviceAddress('udp:192.0.2.7')).toEqual({ ok: true, host: '192.0.2.7', port: 1337 });
    expect(parseDeviceAddress(' 192.0.2.7:5683 ')).toEqual({ ok: true, host: '192.0.2.7', port: 5683 });
    expect(parseDeviceAddress('[fd00::7]:1337')).toEqual({ ok: true, host: 'fd00::7', port: 1337 });
    expect(parseDeviceAddress('udp:[::1]')).toEqual({ ok: true, host: '::1', port: 1337 });
    expect(parseDeviceAddress('sensor-7.site.lan:1337')).toEqual({ ok: true, host: 'sensor-7.site.lan', port: 1337 });
  });

  it('says what is wrong with an address it cannot take', () => {
    const why = (t: string) => {
      const r = parseDeviceAddress(t);
      return r.ok ? 'accepted' : r.message;
    };
    expect(why('192.0.2.7')).toContain('has no port');
    expect(why('192.0.2.7:0')).toContain('out of range');
    expect(why('udp:192.0.2.7:99999')).toContain('is not a device address');
    expect(why('1.2.3:1337')).toContain('neither an IP address nor a host name');
    expect(why('bad_host!:1337')).toContain('neither an IP address nor a host name');
    expect(why('')).toContain('No address given');
  });
});
