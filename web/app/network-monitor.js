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
  constructor() {
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

  /** @returns {{total: number, sinceLoaded: ?number, crossOrigin: number}} */
  counts() {
    const loadedAt = this.loadedAt;
    return {
      total: this.requests.length,
      sinceLoaded: loadedAt === null ? null : this.requests.filter((r) => r.time >= loadedAt).length,
      crossOrigin: this.requests.filter((r) => new URL(r.url).origin !== location.origin).length,
    };
  }
}
