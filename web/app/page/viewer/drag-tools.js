/**
 * The viewer's drag tools as objects, as dwv's tools are: what pressing, moving and releasing
 * the pointer on the image does with each. The chosen tool is on the left button, window/level
 * on the right, pan on the middle (interaction.js picks one per drag).
 * @module viewer/drag-tools
 */

/**
 * Where a drag began and where the pointer was at its last move, in client pixels.
 * @typedef {{startX: number, startY: number, lastX: number, lastY: number}} DragTrack
 */

/**
 * @typedef {Object} DragTool
 * @property {function(PointerEvent): void} down
 * @property {function(PointerEvent, DragTrack): void} move
 * @property {function(PointerEvent): void} up
 */

/**
 * @param {HTMLCanvasElement} canvas
 * @param {import('./interaction.js').Controls} c
 * @returns {{wl: DragTool, pan: DragTool, annotate: DragTool, redact: DragTool}}
 */
export function dragTools(canvas, c) {
  /** backing-store pixels per CSS pixel */
  const ratio = () => canvas.width / (canvas.getBoundingClientRect().width || 1);
  const nothing = () => {};
  return {
    wl: {
      down: () => c.beginWindowDrag(),
      move: (event, track) => c.dragWindow(event.clientX - track.startX, event.clientY - track.startY),
      up: nothing,
    },
    pan: {
      down: nothing,
      move: (event, track) => c.pan((event.clientX - track.lastX) * ratio(), (event.clientY - track.lastY) * ratio()),
      up: nothing,
    },
    // The measuring tools (./tools/): the viewer routes the points to the chosen one.
    annotate: {
      down: (event) => c.annotateDown(c.canvasPoint(event)),
      move: (event) => c.annotateMove(c.canvasPoint(event)),
      up: (event) => c.annotateUp(c.canvasPoint(event)),
    },
    redact: {
      down: (event) => c.redactStart(c.canvasPoint(event)),
      move: (event) => c.redactMove(c.canvasPoint(event)),
      up: (event) => { c.redactMove(c.canvasPoint(event)); c.redactEnd(); },
    },
  };
}
