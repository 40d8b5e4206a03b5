/**
 * Registers the service worker that keeps the app's own files for offline use.
 * @module offline
 */

/**
 * Resolves once the app can start without a network: 'ready', or why not ('unsupported'
 * where the browser or context has no service workers, 'failed' if registration failed).
 * @returns {Promise<'ready'|'unsupported'|'failed'>}
 */
export async function enableOffline() {
  if (!('serviceWorker' in navigator)) return 'unsupported';
  try {
    await navigator.serviceWorker.register(new URL('../../sw.js', import.meta.url), { scope: '../' });
    await navigator.serviceWorker.ready;
    return 'ready';
  } catch (error) {
    console.warn('dicomtab: offline copy unavailable:', String(error));
    return 'failed';
  }
}
