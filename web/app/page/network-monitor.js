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

/**
 * A request the Content Security Policy refused: never sent.
 * @typedef {Object} BlockedRecord
 * @property {string} url
 * @property {string} directive the policy's directive that refused it, e.g. connect-src
 * @property {number} time epoch milliseconds
 */

/**
 * @typedef {Object} NetworkCounts
 * @property {number} total every request made
 * @property {?number} sinceLoaded requests made since the app loaded (null while it loads)
 * @property {?number} ownFilesSinceLoaded of those, the build's own files fetched on first use
 * @property {number} crossOrigin requests made to another origin (sent)
 * @property {number} blocked requests the policy refused (not sent)
 */

/** Within this many ms, the same refusal reported by both policies (header and meta) is one. */
const SAME_REFUSAL_MS = 50;

export class NetworkMonitor {
  /** @param {string[]} siteFiles the build's own files, relative to the site's root */
  constructor(siteFiles) {
    const root = new URL('../../', import.meta.url);
    /** exact URLs of the build's files; a query string or any other path is not one */
    this.ownFiles = new Set(siteFiles.map((path) => new URL(path, root).href));
    /** @type {RequestRecord[]} */
    this.requests = [];
    /** @type {BlockedRecord[]} one per refused request */
    this.blocked = [];
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
    document.addEventListener('securitypolicyviolation', (event) => this.addBlocked([{
      url: event.blockedURI, directive: event.effectiveDirective,
      time: performance.timeOrigin + event.timeStamp,
    }]));
  }

  /**
   * Requests the policy refused, seen by the page or reported by the worker. The browser
   * still records a refused image as a (zero-byte) resource: it must not count as sent.
   * @param {BlockedRecord[]} records
   */
  addBlocked(records) {
    for (const record of records) {
      // Both policies (the header's and the page's meta) refuse the same request.
      const again = this.blocked.some((b) => b.url === record.url && b.directive === record.directive
        && Math.abs(b.time - record.time) < SAME_REFUSAL_MS);
      if (!again) this.blocked.push(record);
    }
    this.listeners.forEach((callback) => callback());
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
   * those fetched one of the build's own files (by exact URL), e.g. pdf.js on a first PDF;
   * `crossOrigin`: requests sent to another origin; `blocked`: requests refused, not sent.
   * @returns {NetworkCounts}
   */
  counts() {
    const refused = new Set(this.blocked.map((b) => b.url));
    const sent = this.requests.filter((r) => !refused.has(r.url));
    const loadedAt = this.loadedAt;
    const since = loadedAt === null ? null : sent.filter((r) => r.time >= loadedAt);
    return {
      total: sent.length,
      sinceLoaded: since && since.length,
      ownFilesSinceLoaded: since && since.filter((r) => this.ownFiles.has(r.url)).length,
      crossOrigin: sent.filter((r) => new URL(r.url).origin !== location.origin).length,
      blocked: this.blocked.length,
    };
  }
}
