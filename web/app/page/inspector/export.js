/**
 * Exports, made in the tab and handed over as downloads (Blob + <a download>), with file names
 * that carry no PHI ("instance-3.json"); copying a value or a tag to the clipboard.
 * @module inspector/export
 */

import { downloadBlob } from '../download.js';

/**
 * Offer `text` as a download named `fileName`.
 * @param {string} text
 * @param {string} fileName
 * @param {string} type MIME type
 */
export function download(text, fileName, type) {
  downloadBlob(new Blob([text], { type }), fileName);
}

/**
 * Copy text; resolves to whether it worked (the clipboard needs focus and permission).
 * @param {string} text
 */
export async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
