import { mount } from 'svelte';
import GalleryScreen from './screens/GalleryScreen.svelte';
import './styles.css';

// The component gallery: a second page of the renderer build, for screenshots and accessibility scans.
mount(GalleryScreen, { target: document.getElementById('app')! });
