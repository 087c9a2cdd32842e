import type { LinkFraming } from '../links/link';
import { bleFraming } from './ble-framing';
import type { Framing, FramingOptions } from './framing';
import { hidFraming } from './hid-framing';
import { rawFraming } from './raw-framing';
import { serialFraming } from './serial-framing';

/**
 * The framing a link names (`link.framing`), e.g. `framingFor(link.framing, { maxWrite: link.maxWrite })`.
 * `maxWrite` matters only for BLE (ATT MTU − 3); an infinite or missing value keeps the BLE default of 20.
 */
export function framingFor(kind: LinkFraming, opts: FramingOptions = {}): Framing {
  const timeout = opts.partialTimeoutMs === undefined ? {} : { partialTimeoutMs: opts.partialTimeoutMs };
  switch (kind) {
    case 'serial':
      return serialFraming(timeout);
    case 'ble':
      return bleFraming({ ...timeout, ...(opts.maxWrite !== undefined && Number.isFinite(opts.maxWrite) ? { maxWrite: opts.maxWrite } : {}) });
    case 'hid':
      return hidFraming(timeout);
    case 'raw':
      return rawFraming();
  }
}
