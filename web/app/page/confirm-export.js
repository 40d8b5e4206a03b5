/**
 * The question asked before a download that may identify the patient: why it may, and an
 * explicit choice to download it anyway (or not). Asked before the file is made, never after;
 * "don't ask again" lasts until the tab is closed (kept in this page's memory only).
 * @module confirm-export
 */

let askAgain = true;

/**
 * Ask before a download; resolves to whether to go on.
 * @param {string} reason what in this download may identify the patient
 * @returns {Promise<boolean>}
 */
export function confirmExport(reason) {
  if (!askAgain) return Promise.resolve(true);
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('export-confirm'));
  const remember = /** @type {HTMLInputElement} */ (dialog.querySelector('[data-testid=export-confirm-remember]'));
  /** @type {HTMLElement} */ (dialog.querySelector('[data-testid=export-confirm-reason]')).textContent = reason;
  remember.checked = false;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      const go = dialog.returnValue === 'download';
      if (go && remember.checked) askAgain = false;
      resolve(go);
    }, { once: true });
  });
}
