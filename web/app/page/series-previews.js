/**
 * The study tree's series previews. The tree puts an empty canvas in each series; each is
 * drawn when it first comes into view, from a small RGBA picture the worker makes
 * (Request.SERIES_PREVIEW: the series' middle image in its default window). Requests go one
 * at a time, so that they never hold up the image being viewed for long, and each series is
 * asked for once per set of its files. A series the core cannot preview (no image, a damaged
 * one) gets a drawn placeholder, quietly: its problem is reported when it is opened.
 * @module series-previews
 */
import { Request } from '../shared/protocol.js';

/** The previews' longer side, in CSS pixels (the core makes at most 96). */
export const PREVIEW_SIZE = 64;

/** @typedef {{rows: number, columns: number, instanceId: string, pixels: Uint8ClampedArray}} Preview */

export class SeriesPreviews {
  /**
   * @param {import('./worker-client.js').WorkerClient} client
   * @param {HTMLElement} tree the study tree, whose series hold `canvas[data-preview-ids]`
   */
  constructor(client, tree) {
    this.client = client;
    /** @type {Map<string, Promise<?Preview|undefined>>} each series' preview (null: none), by its ids */
    this.previews = new Map();
    /** @type {Promise<unknown>} the previous request: the next waits for it */
    this.queue = Promise.resolve();
    this.observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        this.observer.unobserve(entry.target);
        this.show(/** @type {HTMLCanvasElement} */ (entry.target));
      }
    }, { rootMargin: '64px' });
    // The tree is rebuilt as files arrive: watch the canvases of each rebuild.
    new MutationObserver(() => this.watch(tree)).observe(tree, { childList: true, subtree: true });
  }

  /** @param {HTMLElement} tree */
  watch(tree) {
    for (const canvas of tree.querySelectorAll('canvas[data-preview-ids]:not([data-watched])')) {
      canvas.setAttribute('data-watched', '');
      this.observer.observe(canvas);
    }
  }

  /**
   * The preview of the series with these instances (asked for once). A canvas the tree dropped
   * while it waited its turn (the tree is rebuilt as files arrive) is not asked for.
   * @param {string} key the instance ids, as JSON
   * @param {HTMLCanvasElement} canvas where it is to be drawn
   * @returns {Promise<?Preview|undefined>} undefined: not asked for
   */
  preview(key, canvas) {
    let preview = this.previews.get(key);
    if (!preview) {
      const ask = () => {
        if (!canvas.isConnected) {
          this.previews.delete(key);
          return undefined;
        }
        return this.client.request(Request.SERIES_PREVIEW, { instanceIds: JSON.parse(key), size: PREVIEW_SIZE })
          .then((p) => ({
            rows: p.rows, columns: p.columns, instanceId: p.instanceId, pixels: new Uint8ClampedArray(p.buffer),
          }), () => null);
      };
      preview = this.queue.then(ask, ask);
      this.queue = preview;
      this.previews.set(key, preview);
    }
    return preview;
  }

  /** @param {HTMLCanvasElement} canvas */
  async show(canvas) {
    const preview = await this.preview(canvas.getAttribute('data-preview-ids') || '[]', canvas);
    if (preview) draw(canvas, preview);
    else if (preview === null) placeholder(canvas);
    else if (canvas.isConnected) this.show(canvas); // another canvas's wait was dropped: ask again
  }
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {Preview} preview
 */
function draw(canvas, preview) {
  canvas.width = preview.columns;
  canvas.height = preview.rows;
  canvas.getContext('2d')?.putImageData(new ImageData(preview.pixels, preview.columns, preview.rows), 0, 0);
  canvas.setAttribute('data-instance-id', preview.instanceId);
  canvas.setAttribute('data-state', 'drawn');
}

/** A crossed-out square: this series has no picture to show. @param {HTMLCanvasElement} canvas */
function placeholder(canvas) {
  canvas.width = canvas.height = PREVIEW_SIZE;
  const g = canvas.getContext('2d');
  if (g) {
    g.fillStyle = '#222';
    g.fillRect(0, 0, PREVIEW_SIZE, PREVIEW_SIZE);
    g.strokeStyle = '#777';
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(16, 16);
    g.lineTo(48, 48);
    g.moveTo(48, 16);
    g.lineTo(16, 48);
    g.stroke();
  }
  canvas.setAttribute('data-state', 'none');
  canvas.title = 'No preview for this series';
}
