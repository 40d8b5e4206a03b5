/**
 * Counts every network request the app makes, from the page and from its worker, using the
 * browser's own Resource Timing records, so the privacy status line reports a measurement,
 * not a claim.
 * @module network-monitor
 */

/**
 * @typedef {Object} RequestRecord
 * @property {string} url
 * @property {number} time epoch milliseconds when the request started
 */

export class NetworkMonitor {
  /** @param {string[]} siteFiles the build's own files, relative to the site's root */
  constructor(siteFiles) {
    const root = new URL('../', import.meta.url);
    /** exact URLs of the build's files; a query string or any other path is not one */
    this.ownFiles = new Set(siteFiles.map((path) => new URL(path, root).href));
    /** @type {RequestRecord[]} */
    this.requests = [];
    /** @type {?number} epoch ms when the app finished loading; null while it loads */
    this.loadedAt = null;
    /** @type {Array<function(): void>} */
    this.listeners = [];
    const observer = new PerformanceObserver((list) => {
      this.add(list.getEntries().map((entry) => ({
        url: entry.name, time: performance.timeOrigin + entry.startTime,
      })));
    });
    observer.observe({ type: 'resource', buffered: true });
  }

  /** @param {RequestRecord[]} records requests seen by the page or reported by the worker */
  add(records) {
    this.requests.push(...records);
    this.listeners.forEach((callback) => callback());
  }

  /** From now on, every request counts as one made after loading. */
  markLoaded() {
    this.loadedAt = Date.now();
    this.listeners.forEach((callback) => callback());
  }

  /** @param {function(): void} callback called whenever the counts change */
  onChange(callback) {
    this.listeners.push(callback);
  }

  /**
   * `sinceLoaded`: every request since the app loaded; `ownFilesSinceLoaded`: how many of
   * those fetched one of the build's own files (by exact URL), e.g. pdf.js on a first PDF.
   * @returns {{total: number, sinceLoaded: ?number, ownFilesSinceLoaded: ?number, crossOrigin: number}}
   */
  counts() {
    const loadedAt = this.loadedAt;
    const since = loadedAt === null ? null : this.requests.filter((r) => r.time >= loadedAt);
    return {
      total: this.requests.length,
      sinceLoaded: since && since.length,
      ownFilesSinceLoaded: since && since.filter((r) => this.ownFiles.has(r.url)).length,
      crossOrigin: this.requests.filter((r) => new URL(r.url).origin !== location.origin).length,
    };
  }
}
