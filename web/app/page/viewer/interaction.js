/**
 * Mouse, wheel, touch and keyboard on the image: drag by tool or button (left: the chosen
 * tool; right: window/level; middle: pan), wheel scrolls the stack or the frames and zooms
 * with Ctrl or Shift (and pinch, which browsers report as Ctrl+wheel), two-finger pinch on
 * touch screens, the pixel probe, and the shortcuts listed in the help panel.
 * @module viewer/interaction
 */
import { dragTools } from './drag-tools.js';

/**
 * What the interaction needs of the viewer.
 * @typedef {Object} Controls
 * @property {function(PointerEvent|WheelEvent|MouseEvent): {x: number, y: number}} canvasPoint backing-store pixels
 * @property {function(): string} tool  'wl' | 'pan' | 'redact' | a measuring tool's kind
 * @property {function(): void} beginWindowDrag
 * @property {function(number, number): void} dragWindow  total dx, dy in CSS pixels since the drag began
 * @property {function(number, number): void} pan  dx, dy in backing pixels
 * @property {function(number, number, number): void} zoomAt factor, x, y
 * @property {function(number, 'stack'|'frame'): void} step
 * @property {function(): boolean} hasImage  whether an image is shown (the wheel is then the viewer's)
 * @property {function('first'|'last', 'stack'|'frame'): void} jump
 * @property {function(?{x: number, y: number}): void} probe
 * @property {function(string): boolean} annotates  whether a tool is a measuring tool
 * @property {function({x: number, y: number}): void} annotateDown
 * @property {function({x: number, y: number}): void} annotateMove  button down or not
 * @property {function({x: number, y: number}): void} annotateUp
 * @property {function({x: number, y: number}): void} redactStart
 * @property {function({x: number, y: number}): void} redactMove
 * @property {function(): void} redactEnd
 * @property {function(string): boolean} command  a shortcut key; true if it was one
 */

/** Zoom factor per wheel notch (100 units of deltaY). */
const WHEEL_ZOOM = 1.15;

/**
 * @param {HTMLElement} root the viewer: keys pressed anywhere in it (but in a form field)
 * @param {HTMLElement} stage focusable element around the canvas
 * @param {HTMLCanvasElement} canvas
 * @param {Controls} c
 */
export function wireInteraction(root, stage, canvas, c) {
  const tools = dragTools(canvas, c);
  /** @type {?{tool: import('./drag-tools.js').DragTool, id: number, startX: number, startY: number, lastX: number, lastY: number}} */
  let drag = null;
  /** @type {Map<number, {x: number, y: number}>} touch points for pinch */
  const touches = new Map();
  let pinchDistance = 0;

  canvas.addEventListener('contextmenu', (event) => event.preventDefault());
  canvas.addEventListener('pointerdown', (event) => {
    stage.focus({ preventScroll: true });
    if (event.pointerType === 'touch') {
      touches.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (touches.size === 2) {
        drag = null;
        const [a, b] = [...touches.values()];
        pinchDistance = Math.hypot(a.x - b.x, a.y - b.y);
        return;
      }
    }
    const chosen = c.tool();
    const tool = event.button === 2 ? tools.wl : event.button === 1 ? tools.pan
      : c.annotates(chosen) ? tools.annotate : tools[/** @type {'wl'|'pan'|'redact'} */ (chosen)];
    event.preventDefault();
    try {
      canvas.setPointerCapture(event.pointerId);
    } catch {
      // Not an active pointer (a synthetic event): the drag still works inside the canvas.
    }
    if (!tool) return;
    drag = { tool, id: event.pointerId, startX: event.clientX, startY: event.clientY, lastX: event.clientX, lastY: event.clientY };
    tool.down(event);
  });
  canvas.addEventListener('pointermove', (event) => {
    if (event.pointerType === 'touch' && touches.has(event.pointerId)) {
      touches.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (touches.size === 2) {
        const [a, b] = [...touches.values()];
        const distance = Math.hypot(a.x - b.x, a.y - b.y);
        if (pinchDistance > 0) {
          const rect = canvas.getBoundingClientRect();
          const ratio = canvas.width / (rect.width || 1);
          c.zoomAt(distance / pinchDistance, ((a.x + b.x) / 2 - rect.left) * ratio, ((a.y + b.y) / 2 - rect.top) * ratio);
        }
        pinchDistance = distance;
        return;
      }
    }
    c.probe(c.canvasPoint(event));
    // The angle's last point follows the pointer before its click.
    if (!drag && c.annotates(c.tool())) c.annotateMove(c.canvasPoint(event));
    if (!drag || drag.id !== event.pointerId) return;
    drag.tool.move(event, drag);
    drag.lastX = event.clientX;
    drag.lastY = event.clientY;
  });
  const end = (/** @type {PointerEvent} */ event) => {
    touches.delete(event.pointerId);
    if (touches.size < 2) pinchDistance = 0;
    if (drag && drag.id === event.pointerId) {
      drag.tool.up(event);
      drag = null;
    }
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  canvas.addEventListener('pointerleave', () => { if (!drag) c.probe(null); });

  canvas.addEventListener('wheel', (event) => {
    // Shift+wheel arrives as a horizontal scroll in some browsers.
    const delta = event.deltaY || event.deltaX;
    const zoom = event.ctrlKey || event.shiftKey || event.metaKey;
    // On the image the wheel is the viewer's, never the page's (a single image: it does nothing).
    if (!c.hasImage()) return;
    event.preventDefault();
    if (!delta) return;
    if (zoom) {
      const p = c.canvasPoint(event);
      const lines = event.deltaMode === 1 ? delta * 33 : delta;
      c.zoomAt(WHEEL_ZOOM ** (-lines / 100), p.x, p.y);
    } else {
      c.step(delta > 0 ? 1 : -1, 'stack');
    }
  }, { passive: false });

  // Keys go to the viewer when the focus is in it, or when the pointer is on the image.
  let pointerOnImage = false;
  stage.addEventListener('pointerenter', () => { pointerOnImage = true; });
  stage.addEventListener('pointerleave', () => { pointerOnImage = false; });
  document.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    const target = /** @type {HTMLElement} */ (event.target);
    if (!root.contains(target) && !(pointerOnImage && c.hasImage())) return;
    if (target.closest('input, select, textarea, dialog, [contenteditable]')) return;
    // Space and Enter on a button press that button; on a tree line, fold or unfold it.
    if ((event.key === ' ' || event.key === 'Enter') && target.closest('button, summary')) return;
    /** @type {Object<string, function(): void>} */
    const moves = {
      ArrowUp: () => c.step(-1, 'stack'),
      PageUp: () => c.step(-1, 'stack'),
      ArrowDown: () => c.step(1, 'stack'),
      PageDown: () => c.step(1, 'stack'),
      ArrowLeft: () => c.step(-1, 'frame'),
      ArrowRight: () => c.step(1, 'frame'),
      Home: () => c.jump('first', 'stack'),
      End: () => c.jump('last', 'stack'),
    };
    const move = moves[event.key];
    if (move) move();
    else if (!c.command(event.key)) return;
    event.preventDefault();
  });
}
