/**
 * The overlay panel: a switch per overlay plane (60xx) of the frame, and the planes fetched
 * from the worker and handed to the renderer when shown.
 * @module viewer/overlay-panel
 */
import { Request } from '../../shared/protocol.js';
import { el } from '../views.js';

/**
 * List a frame's overlays, each with a switch.
 * @param {import('./viewer.js').Viewer} viewer
 * @param {import('./frame.js').FrameDescription} d
 */
export function fillOverlays(viewer, d) {
  const box = viewer.$('viewer-overlays');
  // Most images have none: the panel stays as it is (the next image of a series redoes nothing).
  if (d.overlays.length === 0 && box.hidden && !box.querySelector('input')) return;
  const legend = el('legend', {}, 'Overlays');
  box.replaceChildren(legend);
  for (const o of d.overlays) {
    const input = /** @type {HTMLInputElement} */ (el('input', { type: 'checkbox', 'data-testid': 'viewer-overlay', 'data-group': o.group }));
    input.checked = viewer.model.overlayShown(o.group);
    const words = [o.label, o.description].filter(Boolean).join(' · ') || (o.type === 'R' ? 'region of interest' : 'graphics');
    const label = el('label');
    label.append(input, ` ${o.group}: ${words}`);
    box.append(label);
  }
  box.hidden = d.overlays.length === 0;
}

/**
 * Fetch the shown overlays of a frame and draw them once they arrive.
 * @param {import('./viewer.js').Viewer} viewer
 * @param {import('./frame.js').Frame} frame
 */
export async function loadOverlays(viewer, frame) {
  for (const o of frame.description.overlays) {
    if (!viewer.model.overlayShown(o.group) || viewer.display.renderer.overlays.has(o.group)) continue;
    try {
      const answer = await viewer.client.request(Request.OVERLAY, {
        instanceId: frame.instanceId, index: frame.description.index, group: o.group,
      });
      if (viewer.model.frame !== frame) return;
      viewer.display.renderer.setOverlay({ ...o, ...answer }, answer.buffer);
      viewer.display.draw();
    } catch (error) {
      if (viewer.model.frame === frame) viewer.$('viewer-overlays').append(el('span', { class: 'viewer-note' }, /** @type {*} */ (error).message || 'Overlay unreadable.'));
    }
  }
}
