import { MockBinding } from './mock-binding';
import { afterEach, describe, expect, it } from 'vitest';
import { createLink } from '../../../main/links/factory';

describe('createLink', () => {
  afterEach(() => MockBinding.reset());

  it('makes an unopened serial link for a serial descriptor, on the binding it is given', async () => {
    MockBinding.createPort('/dev/ttyF0');
    const link = createLink({ kind: 'serial', path: '/dev/ttyF0', baudRate: 9600 }, { serialBinding: MockBinding });
    expect(link.id).toBe('serial:/dev/ttyF0');
    expect(link.framing).toBe('serial');
    expect(link.isOpen).toBe(false);
    await link.open();
    expect(link.isOpen).toBe(true);
    await link.close();
  });
});
