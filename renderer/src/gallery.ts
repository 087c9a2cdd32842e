import { mount } from 'svelte';
import CollectTableFixture from './screens/collect/CollectTableFixture.svelte';
import GalleryScreen from './screens/GalleryScreen.svelte';
import './styles.css';

// The component gallery: a second page of the renderer build, for screenshots and accessibility scans.
// `?collect-table=N` shows the Collect table alone with N made-up devices (screenshots, benchmark).
const params = new URLSearchParams(location.search);
const tableRows = Number(params.get('collect-table') ?? 0);
const target = document.getElementById('app')!;
if (Number.isInteger(tableRows) && tableRows > 0 && tableRows <= 10_000) mount(CollectTableFixture, { target, props: { count: tableRows, churnMs: Number(params.get('churn') ?? 0) || 0 } });
else mount(GalleryScreen, { target });
