/**
 * The help dialog (shortcuts and tools): `?` opens it from anywhere on the page, but not while
 * typing in a field; Escape or its Close button closes it.
 * @module help
 */

/**
 * @param {HTMLDialogElement} dialog
 * @param {HTMLElement[]} openers buttons that open it
 */
export function wireHelp(dialog, openers) {
  const open = () => { if (!dialog.open) dialog.showModal(); };
  for (const button of openers) button.addEventListener('click', open);
  dialog.querySelector('[data-close]')?.addEventListener('click', () => dialog.close());
  document.addEventListener('keydown', (event) => {
    if (event.key !== '?' || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = /** @type {HTMLElement} */ (event.target);
    if (target.closest && target.closest('input, select, textarea, [contenteditable]')) return;
    event.preventDefault();
    open();
  });
}
