/**
 * What the viewer shows, as plain data: `window.dicomtab.viewer.state`, for the browser tests
 * and for integrators (instance, frame, window, view, tool, probe, measurements, cine, stack,
 * overlays, error, render times), read from the model (./model.js) and the display. `measurements` are the shown image's, with their results.
 * @module viewer/state
 */
/**
 * @param {import('./viewer.js').Viewer} viewer
 * @returns {Object} a snapshot; changing it changes nothing
 */
export function snapshot(viewer) {
  const { model, display } = viewer;
  const { frame, voi, view, stack, annotator } = model;
  const d = frame ? frame.description : null;
  const key = model.imageKey();
  return {
    instanceId: model.instanceId,
    loaded: model.loadedId,
    kind: model.info ? model.info.kind : null,
    frameIndex: d ? d.index : null,
    frames: d ? d.frames : null,
    rows: d ? d.rows : null,
    columns: d ? d.columns : null,
    bufferType: d ? d.bufferType : null,
    voiMode: voi ? (voi.table ? 'table' : 'window') : null,
    windowCenter: voi && !voi.table ? voi.center : null,
    windowWidth: voi && !voi.table ? voi.width : null,
    voiFunction: voi ? voi.fn : null,
    invert: voi ? voi.invert : model.wl.userInvert,
    preset: viewer.presetSelect.value || null,
    zoom: view.zoom,
    panX: view.panX,
    panY: view.panY,
    rotation: view.rotation,
    flipH: view.flipH,
    flipV: view.flipV,
    fitted: view.fitted,
    tool: model.tool,
    annotations: viewer.annotations.checked,
    lastRenderMs: model.lastRenderMs,
    renderTimes: model.renderTimes,
    pixelMs: display.renderer.lastMs,
    cine: { playing: viewer.cine.playing, fps: viewer.cine.fps, measuredFps: viewer.cine.measuredFps },
    cache: { hits: model.frames.hits, misses: model.frames.misses, frames: model.frames.frames.size },
    stack: { ids: [...stack.ids], index: model.stackIndex(), sortedBy: stack.sortedBy },
    probe: model.probe ? { ...model.probe } : null,
    measurements: key && frame ? annotator.measured(key, frame) : [],
    drawing: annotator.drawing !== null,
    redaction: model.instanceId ? model.redaction.boxes(model.instanceId) : [],
    overlays: d ? d.overlays.map((o) => ({ group: o.group, shown: model.overlayShown(o.group), loaded: display.renderer.overlays.has(o.group) })) : [],
    error: model.error,
  };
}
