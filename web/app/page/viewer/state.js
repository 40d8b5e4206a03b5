/**
 * What the viewer shows, as plain data: `window.dicomtab.viewer.state`, for the browser tests
 * and for integrators (instance, frame, window, view, tool, probe, measurements, cine, stack,
 * overlays, error, render times). `measurements` are the shown image's, with their results.
 * @module viewer/state
 */
/**
 * @param {import('./viewer.js').Viewer} viewer
 * @returns {Object} a snapshot; changing it changes nothing
 */
export function snapshot(viewer) {
  const d = viewer.frame ? viewer.frame.description : null;
  const voi = viewer.voi;
  const key = viewer.imageKey();
  const stackIndex = viewer.instanceId ? viewer.stack.ids.indexOf(viewer.instanceId) : -1;
  return {
    instanceId: viewer.instanceId,
    loaded: viewer.loadedId,
    kind: viewer.info ? viewer.info.kind : null,
    frameIndex: d ? d.index : null,
    frames: d ? d.frames : null,
    rows: d ? d.rows : null,
    columns: d ? d.columns : null,
    bufferType: d ? d.bufferType : null,
    voiMode: voi ? (voi.table ? 'table' : 'window') : null,
    windowCenter: voi && !voi.table ? voi.center : null,
    windowWidth: voi && !voi.table ? voi.width : null,
    voiFunction: voi ? voi.fn : null,
    invert: voi ? voi.invert : viewer.wl.userInvert,
    preset: viewer.presetSelect.value || null,
    zoom: viewer.view.zoom,
    panX: viewer.view.panX,
    panY: viewer.view.panY,
    rotation: viewer.view.rotation,
    flipH: viewer.view.flipH,
    flipV: viewer.view.flipV,
    fitted: viewer.view.fitted,
    tool: viewer.tool,
    annotations: viewer.annotations.checked,
    lastRenderMs: viewer.lastRenderMs,
    renderTimes: [...viewer.renderTimes],
    pixelMs: viewer.renderer.lastMs,
    cine: { playing: viewer.cine.playing, fps: viewer.cine.fps, measuredFps: viewer.cine.measuredFps },
    cache: { hits: viewer.frames.hits, misses: viewer.frames.misses, frames: viewer.frames.frames.size },
    stack: { ids: [...viewer.stack.ids], index: stackIndex, sortedBy: viewer.stack.sortedBy },
    probe: viewer.probeValue ? { ...viewer.probeValue } : null,
    measurements: key && viewer.frame ? viewer.annotator.measured(key, viewer.frame) : [],
    drawing: viewer.annotator.drawing !== null,
    redaction: viewer.instanceId ? viewer.redaction.boxes(viewer.instanceId) : [],
    overlays: d ? d.overlays.map((o) => ({ group: o.group, shown: !viewer.hiddenOverlays.has(o.group), loaded: viewer.renderer.overlays.has(o.group) })) : [],
    error: viewer.errorText,
  };
}
