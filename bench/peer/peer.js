// dwv in a minimal page, instrumented like dicomtab's bench probe: times (ms since
// navigation) of ready, the files chosen, the first render and every file loaded.
import { App, AppOptions, ViewConfig } from 'dwv';

const app = new App();
const options = new AppOptions({ '*': [new ViewConfig('layerGroup0')] });
app.init(options);
window.__peer = { ready: performance.now() };
app.addEventListener('renderend', () => { window.__peer.drawn ??= performance.now(); });
app.addEventListener('load', () => { window.__peer.loaded = performance.now(); });
app.addEventListener('error', (event) => { window.__peer.error = String(event.error); });
document.getElementById('files').addEventListener('change', (event) => {
  window.__peer.chosen = performance.now();
  window.__peer.drawn = undefined;
  window.__peer.loaded = undefined;
  app.loadFiles(event.target.files);
});
