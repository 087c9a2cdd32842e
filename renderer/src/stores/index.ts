import { getBridge } from '../bridge';
import { createAppStore } from './app-store';
import { createDevicesStore } from './devices-store';
import { createPortsStore } from './ports-store';
import { createReleasesStore } from './releases-store';

/** One store per domain; components read them through `fromStore` and call their actions. */
export const portsStore = createPortsStore(getBridge);
export const appStore = createAppStore(getBridge);
export const releasesStore = createReleasesStore(getBridge);
export const devicesStore = createDevicesStore(getBridge);
