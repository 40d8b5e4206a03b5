/**
 * The first screen's controls: each task card opens files straight into its task, and files
 * or folders dropped anywhere on the page open (onto a card: into that card's task), with an
 * overlay while they are dragged over the page. Which task shows what is main.js's concern.
 * @module first-screen
 */

/** @typedef {'view'|'inspect'|'deid'|'verify'} Task */

/**
 * The task an element belongs to: that of its closest `[data-task]` ancestor (a card, or a
 * button with a task of its own).
 * @param {EventTarget|null} target
 * @returns {?Task}
 */
export function taskOf(target) {
  const holder = target instanceof Element ? target.closest('[data-task]') : null;
  return holder ? /** @type {Task} */ (/** @type {HTMLElement} */ (holder).dataset.task) : null;
}

/**
 * Wire the cards' buttons (`button[data-pick=files|folder]`) to the shared hidden pickers.
 * The task is taken when the button is pressed, so the files chosen go to that task.
 * @param {HTMLElement} root the first screen
 * @param {{files: HTMLInputElement, folder: HTMLInputElement}} pickers
 * @param {(files: File[], task: Task) => void} onPicked
 */
export function wireTaskPickers(root, pickers, onPicked) {
  /** @type {?Task} */
  let task = null;
  for (const button of root.querySelectorAll('button[data-pick]')) {
    const pick = /** @type {HTMLElement} */ (button).dataset.pick;
    button.addEventListener('click', () => {
      task = taskOf(button);
      (pick === 'folder' ? pickers.folder : pickers.files).click();
    });
  }
  for (const input of [pickers.files, pickers.folder]) {
    input.addEventListener('change', () => {
      const files = [...(input.files || [])];
      // Cleared, so that picking the same files again opens them again.
      input.value = '';
      if (task && files.length) onPicked(files, task);
    });
  }
}

/**
 * Whether a drag carries files (not text or a link dragged within the page).
 * @param {DragEvent} event
 */
const carriesFiles = (event) => !!event.dataTransfer && [...event.dataTransfer.types].includes('Files');

/**
 * A file input keeps the drops made on it (a profile or key file dropped on its own input).
 * @param {Event} event
 */
const inputOwnsDrop = (event) => event.target instanceof HTMLInputElement && event.target.type === 'file';

/**
 * Open whatever is dropped anywhere on the page; show `overlay` while files are dragged over it.
 * @param {HTMLElement} overlay shown over the page; it must not take pointer events, so that
 *   the element under the pointer (a card) stays the drop's target
 * @param {(transfer: DataTransfer, target: EventTarget|null) => void} onDrop
 */
export function wireDropAnywhere(overlay, onDrop) {
  // dragenter and dragleave fire for every element crossed: the overlay goes when the count of
  // entered elements is back to nothing (the pointer left the page).
  let entered = 0;
  const hide = () => { entered = 0; overlay.hidden = true; };
  document.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event)) return;
    entered++;
    overlay.hidden = false;
  });
  document.addEventListener('dragleave', (event) => {
    if (!carriesFiles(event)) return;
    entered = Math.max(0, entered - 1);
    if (entered === 0) overlay.hidden = true;
  });
  document.addEventListener('dragover', (event) => {
    // Accepting the drag (preventDefault) is what lets the drop happen here.
    if (carriesFiles(event) && !inputOwnsDrop(event)) event.preventDefault();
  });
  document.addEventListener('drop', (event) => {
    hide();
    if (inputOwnsDrop(event) || !event.dataTransfer) return;
    // Otherwise the browser would open the file in place of the app.
    event.preventDefault();
    onDrop(event.dataTransfer, event.target);
  });
  document.addEventListener('dragend', hide);
}
