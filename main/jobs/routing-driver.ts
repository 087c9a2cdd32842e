import type { DeviceConnection, DeviceDriver } from './driver';
import type { JobTarget } from './types';

/**
 * One engine, several ways to reach devices: each target goes to the driver `pick` names (devices
 * behind the gateway to the gateway driver, the rest to the direct SMP driver). The engine sees
 * one driver; the choice is made per device, at every connect.
 */
export class RoutingDriver implements DeviceDriver {
  readonly name = 'routing';

  constructor(private readonly pick: (target: JobTarget) => DeviceDriver) {}

  connect(target: JobTarget, signal: AbortSignal): Promise<DeviceConnection> {
    return this.pick(target).connect(target, signal);
  }
}
