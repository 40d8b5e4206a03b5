/**
 * The paths of this build's own files, relative to the site's root, as the builder wrote
 * them (build/build_site.py fills the list in). The status line uses it to tell the app
 * fetching one of its own, unchanged files on first use (pdf.js for a first PDF) from any
 * other request: only the exact URL of a build file counts as one.
 * @module site-files
 */

/** @type {string[]} */
export const SITE_FILES = /** @type {any} */ ("__SITE_FILES__");
