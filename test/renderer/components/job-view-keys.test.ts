import { describe, expect, it } from 'vitest';
import { deviceIdOf, linkTypeOf } from '../../../renderer/src/components/job-view';

describe('device keys of gateway targets', () => {
  it.each([
    ['loopback:gateway/5f1a550000000007', '5f1a550000000007', 'gateway'],
    ['loopback:gateway/5f1a6a7e00000002/5f1a550000000041', '5f1a550000000041', 'gateway'],
    ['loopback:gateway-self/5f1a6a7e00000003', '5f1a6a7e00000003', 'serial'],
    ['loopback:demo/5f1a550000000009', '5f1a550000000009', 'loopback'],
    ['serial:/dev/ttyACM0', null, 'serial'],
  ])('%s names device %s, reached %s', (key, id, link) => {
    expect(deviceIdOf({ key, deviceId: null })).toBe(id);
    expect(linkTypeOf(key)).toBe(link);
  });
});
