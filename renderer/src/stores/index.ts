import { getBridge } from '../bridge';
import { createAppStore } from './app-store';
import { createCollectStore } from './collect-store';
import { createDemoStore } from './demo-store';
import { createDevicesStore } from './devices-store';
import { createGatewayStore } from './gateway-store';
import { createHistoryStore } from './history-store';
import { createJobsStore } from './jobs-store';
import { createNavStore } from './nav-store';
import { createPortsStore } from './ports-store';
import { createReleasesStore } from './releases-store';
import { createReportStore } from './report-store';
import { createSettingsStore } from './settings-store';
import { createSyncStore } from './sync-store';

/** One store per domain; components read them through `fromStore` and call their actions. */
export const navStore = createNavStore();
export const portsStore = createPortsStore(getBridge);
export const appStore = createAppStore(getBridge);
export const releasesStore = createReleasesStore(getBridge);
export const devicesStore = createDevicesStore(getBridge);
export const settingsStore = createSettingsStore(getBridge);
export const syncStore = createSyncStore(getBridge);
export const gatewayStore = createGatewayStore(getBridge);
export const demoStore = createDemoStore(getBridge);
export const collectStore = createCollectStore(getBridge);
export const jobsStore = createJobsStore(getBridge);
export const historyStore = createHistoryStore(getBridge);
export const reportStore = createReportStore(getBridge);
