/**
 * The panes once files are open: study tree | image | tags side by side from 1440 px wide,
 * the tags as a drawer under the image below that (layout.css). Wires the two splitters, the
 * tags toggle (its button and the T key) and the grid's height, which fills the window below
 * what sits above it so that the image takes all the height there is. Sizes are kept in the
 * page for its life only (never stored).
 * @module layout/panes
 */
import { Splitter } from './splitter.js';

/** Where the three panes sit side by side (layout.css says the same). */
const WIDE = '(min-width: 1440px)';
/** Where the panes are stacked, without splitters. */
const STACKED = '(max-width: 800px)';
/** The least the image pane keeps when a splitter grows another pane (CSS px). */
const IMAGE_MIN = 360;
/** Space left under the grid, so that its bottom edge stays in view. */
const BOTTOM_GAP = 8;

/**
 * @param {HTMLElement} layout the grid (.layout)
 * @returns {{showTags: () => void, toggleTags: () => void, fit: () => void}}
 */
export function wirePanes(layout) {
  const part = (/** @type {string} */ id) => /** @type {HTMLElement} */ (layout.querySelector(`[data-testid=${id}]`));
  const tree = part('study-tree');
  const tags = part('inspector');
  const toggle = /** @type {HTMLButtonElement} */ (part('tags-toggle'));
  const wide = window.matchMedia(WIDE);
  const stacked = window.matchMedia(STACKED);
  const width = () => layout.getBoundingClientRect().width;
  const height = () => layout.getBoundingClientRect().height;
  const px = (/** @type {string} */ name, /** @type {number} */ value) => layout.style.setProperty(name, `${value}px`);

  const treeSplitter = new Splitter(part('tree-splitter'), {
    size: () => tree.getBoundingClientRect().width,
    limits: () => ({ min: 160, max: Math.min(520, width() * 0.4) }),
    set: (value) => px('--tree-size', value),
    grows: () => 1,
  });
  const tagsSplitter = new Splitter(part('tags-splitter'), {
    size: () => (wide.matches ? tags.getBoundingClientRect().width : tags.getBoundingClientRect().height),
    limits: () => (wide.matches
      ? { min: 320, max: width() - tree.getBoundingClientRect().width - IMAGE_MIN }
      : { min: 120, max: height() - 200 }),
    set: (value) => px(wide.matches ? '--tags-size' : '--drawer-size', value),
    // Moving the bar left (or up) gives the tags more room.
    grows: () => -1,
  });

  const orient = () => {
    tagsSplitter.element.setAttribute('aria-orientation', wide.matches ? 'vertical' : 'horizontal');
    fit();
  };

  /** The grid's height: the window's below the grid's top, or, when panels above push it
   * down too far (the De-identify panel), the window's below the header (scrolled to). */
  function fit() {
    if (stacked.matches || layout.offsetParent === null) {
      layout.style.removeProperty('--layout-height');
      return;
    }
    const header = document.querySelector('header')?.getBoundingClientRect().height ?? 0;
    const top = layout.getBoundingClientRect().top + window.scrollY;
    const below = window.innerHeight - top - BOTTOM_GAP;
    const scrolledTo = window.innerHeight - header - BOTTOM_GAP;
    px('--layout-height', Math.floor(below >= 0.6 * scrolledTo ? below : scrolledTo));
    treeSplitter.report();
    tagsSplitter.report();
  }

  const setOpen = (/** @type {boolean} */ open) => {
    layout.classList.toggle('tags-closed', !open);
    toggle.setAttribute('aria-expanded', String(open));
    tagsSplitter.report();
  };
  const showTags = () => setOpen(true);
  const toggleTags = () => setOpen(layout.classList.contains('tags-closed'));
  toggle.addEventListener('click', toggleTags);
  document.addEventListener('keydown', (event) => {
    if (event.key !== 't' && event.key !== 'T') return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    const target = /** @type {HTMLElement} */ (event.target);
    if (target.closest && target.closest('input, select, textarea, dialog, [contenteditable]')) return;
    event.preventDefault();
    toggleTags();
  });

  wide.addEventListener('change', orient);
  stacked.addEventListener('change', orient);
  window.addEventListener('resize', fit);
  // What sits above the grid changes its top: the open bar, panels, messages.
  const watch = new ResizeObserver(() => fit());
  for (const node of [document.querySelector('header'), ...document.querySelectorAll('main > *'),
    ...(layout.parentElement?.children ?? [])]) {
    if (node && node !== layout) watch.observe(node);
  }
  watch.observe(layout);
  orient();
  return { showTags, toggleTags, fit };
}
