/**
 * An encapsulated PDF's pages drawn into canvases by Mozilla's pdf.js, self-hosted in
 * `pdfjs/` and pinned like the image codecs (build/pins.json, section "pdfjs").
 *
 * pdf.js is imported on the first PDF shown, never at start-up. Under the site's policy it runs
 * as it is: its worker is a module worker from this origin (worker-src 'self'), its
 * WebAssembly image decoders come from `pdfjs/` (connect-src 'self'), embedded fonts are
 * loaded from bytes through the FontFace API (no URL), and 6.x evaluates no strings as code.
 * Nothing in the PDF can act: no annotation layer is built (links are not links), no
 * scripting sandbox is loaded (PDF JavaScript never runs), XFA forms stay off. Fonts that a
 * PDF names but does not embed (the standard 14, CJK) are drawn with the browser's fallback
 * fonts: the standard font files and CMaps are not shipped.
 * @module viewer/pdf-view
 */
import { el } from '../views.js';

/** Where the builder puts pdf.js (dist/pdfjs/), relative to this module (dist/app/viewer/). */
const PDFJS_BASE = new URL('../../../pdfjs/', import.meta.url).href;
/** Pages drawn at once; more on request, so a 300-page report does not stall the tab. */
export const PAGES_AT_ONCE = 10;
/** pdf.js's VerbosityLevel.ERRORS: its warnings may quote names from the file. */
const ERRORS_ONLY = 0;

/**
 * The part of pdf.js's API used here (pdfjs-dist 6.x).
 * @typedef {Object} PdfViewport
 * @property {number} width
 * @property {number} height
 *
 * @typedef {Object} PdfPage
 * @property {function({scale: number}): PdfViewport} getViewport
 * @property {function({canvas: HTMLCanvasElement, viewport: PdfViewport}): {promise: Promise<void>}} render
 * @property {function(): void} cleanup
 *
 * @typedef {Object} PdfDocument
 * @property {number} numPages
 * @property {function(number): Promise<PdfPage>} getPage
 * @property {function(): Promise<void>} destroy
 *
 * @typedef {Object} PdfLoadingTask
 * @property {Promise<PdfDocument>} promise
 * @property {function(): Promise<void>} destroy
 *
 * @typedef {Object} PdfJs
 * @property {{workerSrc: string}} GlobalWorkerOptions
 * @property {function(Object): PdfLoadingTask} getDocument
 */

/** @type {?Promise<PdfJs>} */
let library = null;
/** The document shown last, destroyed when another PDF is shown. @type {?PdfLoadingTask} */
let shown = null;

/** @returns {Promise<PdfJs>} pdf.js, imported once from this origin */
function pdfjs() {
  if (!library) {
    const url = `${PDFJS_BASE}pdf.min.mjs`;
    library = import(url).then((/** @type {PdfJs} */ module) => {
      module.GlobalWorkerOptions.workerSrc = `${PDFJS_BASE}pdf.worker.min.mjs`;
      return module;
    });
    library.catch(() => { library = null; }); // a later PDF tries again
  }
  return library;
}

/**
 * The user's words for a failure: what happened, never pdf.js's message (which may quote
 * the file).
 * @param {unknown} error
 */
function failureText(error) {
  const name = error instanceof Error ? error.name : '';
  if (name === 'PasswordException') return 'This PDF is password-protected and cannot be shown here. Download it to open it.';
  if (name === 'InvalidPDFException') return 'This PDF is damaged or not a PDF, and cannot be shown. The download gives its bytes as stored.';
  return `This PDF could not be shown (${name || 'error'}). The download gives its bytes as stored.`;
}

/**
 * Draw the pages of a PDF into `box`: the first PAGES_AT_ONCE, then more on request.
 * On failure `box` holds a message (data-testid viewer-pdf-error) instead.
 * @param {HTMLElement} box  the container (data-testid viewer-pdf)
 * @param {ArrayBuffer} bytes  the PDF; handed over to pdf.js's worker (detached)
 * @param {function(): boolean} current  false once another instance is shown
 * @returns {Promise<void>}
 */
export async function showPdf(box, bytes, current) {
  box.replaceChildren(el('p', { class: 'viewer-note', 'data-testid': 'viewer-pdf-loading' }, 'Drawing the PDF…'));
  if (shown) shown.destroy().catch(() => {});
  /** @type {?PdfLoadingTask} */
  let task = null;
  try {
    const lib = await pdfjs();
    if (!current()) return;
    task = lib.getDocument({
      data: new Uint8Array(bytes),
      wasmUrl: PDFJS_BASE, // JPEG 2000, JBIG2 and ICC decoders, from this origin
      // No cMapUrl, no standardFontDataUrl: nothing is fetched for fonts (fallback fonts).
      enableXfa: false,
      isEvalSupported: false, // read by pdf.js up to 5.x; 6.x compiles nothing from strings
      verbosity: ERRORS_ONLY,
    });
    shown = task;
    const doc = await task.promise;
    if (!current()) { await task.destroy(); return; }
    box.replaceChildren();
    box.dataset.pages = String(doc.numPages);
    const width = Math.max(300, Math.min(box.clientWidth || 800, 1000));
    let next = 1;
    const more = el('button', { type: 'button', 'data-testid': 'viewer-pdf-more' }, '');
    const drawMore = async () => {
      more.remove();
      const last = Math.min(doc.numPages, next + PAGES_AT_ONCE - 1);
      for (; next <= last; next++) {
        if (!current()) return;
        box.append(await drawPage(await doc.getPage(next), next, width));
      }
      if (next <= doc.numPages && current()) {
        more.textContent = `Show pages ${next}–${Math.min(doc.numPages, next + PAGES_AT_ONCE - 1)} of ${doc.numPages}`;
        box.append(more);
      }
    };
    more.addEventListener('click', () => {
      drawMore().catch((error) => fail(box, error));
    });
    await drawMore();
    if (next > doc.numPages && current()) {
      box.dataset.drawn = 'all';
      // Every page is drawn: let pdf.js's worker go (the canvases stay).
      if (shown === task) shown = null;
      await task.destroy();
    }
  } catch (error) {
    if (current()) fail(box, error);
  }
}

/**
 * @param {HTMLElement} box
 * @param {unknown} error
 */
function fail(box, error) {
  // The class only: pdf.js's message and stack may quote the file.
  console.warn(`pdf.js could not draw the PDF: ${error instanceof Error ? error.name : typeof error}`);
  box.replaceChildren(el('p', { class: 'viewer-pdf-error', 'data-testid': 'viewer-pdf-error', role: 'alert' }, failureText(error)));
}

/**
 * One page as a canvas `width` CSS pixels wide, at the screen's resolution.
 * @param {PdfPage} page
 * @param {number} number  1-based
 * @param {number} width
 * @returns {Promise<HTMLCanvasElement>}
 */
async function drawPage(page, number, width) {
  const unscaled = page.getViewport({ scale: 1 });
  const scale = width / unscaled.width;
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: scale * ratio });
  const canvas = /** @type {HTMLCanvasElement} */ (el('canvas', {
    'data-testid': 'viewer-pdf-page', 'data-page': String(number), class: 'viewer-pdf-page',
    'aria-label': `Page ${number}`, role: 'img',
  }));
  canvas.width = Math.round(viewport.width);
  canvas.height = Math.round(viewport.height);
  canvas.style.width = `${width}px`;
  await page.render({ canvas, viewport }).promise;
  page.cleanup();
  return canvas;
}
