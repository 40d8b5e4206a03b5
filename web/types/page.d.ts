/** Globals of the page (web/index.html, web/app/page/main.js and the modules it imports). */

interface Window {
  /**
   * The automation API web/app/page/main.js exposes, for integrators and the browser tests (see
   * the README); its members are documented where it is made. The page itself never reads it.
   */
  dicomtab: unknown;
}
