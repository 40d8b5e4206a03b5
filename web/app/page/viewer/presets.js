/**
 * Window presets: the file's own (with their explanations), modality presets for CT in
 * Hounsfield units, and "auto" from the frame's range.
 * @module viewer/presets
 */

/**
 * @typedef {Object} Preset
 * @property {string} id      stable value for the <select>
 * @property {string} label   shown to the user
 * @property {?number} center
 * @property {?number} width
 * @property {boolean} [table] the file's VOI LUT table rather than a window
 */

/** Common CT windows (centre / width, HU). */
export const CT_PRESETS = Object.freeze([
  { id: 'ct-brain', label: 'CT brain 40/80', center: 40, width: 80 },
  { id: 'ct-subdural', label: 'CT subdural 75/215', center: 75, width: 215 },
  { id: 'ct-stroke', label: 'CT stroke 40/40', center: 40, width: 40 },
  { id: 'ct-temporal', label: 'CT temporal bone 600/2800', center: 600, width: 2800 },
  { id: 'ct-lung', label: 'CT lung −600/1500', center: -600, width: 1500 },
  { id: 'ct-mediastinum', label: 'CT mediastinum 50/350', center: 50, width: 350 },
  { id: 'ct-abdomen', label: 'CT abdomen 40/400', center: 40, width: 400 },
  { id: 'ct-liver', label: 'CT liver 60/160', center: 60, width: 160 },
  { id: 'ct-bone', label: 'CT bone 400/1800', center: 400, width: 1800 },
]);

/**
 * The presets offered for a frame, in menu order.
 * @param {import('./frame.js').FrameDescription} description
 * @returns {Preset[]}
 */
export function presetsFor(description) {
  /** @type {Preset[]} */
  const list = [];
  (description.windowPresets || []).forEach((p, n) => {
    list.push({ id: `file-${n}`, label: `${p.explanation} ${fmt(p.center)}/${fmt(p.width)}`, center: p.center, width: p.width });
  });
  if (description.voiLut) {
    list.push({ id: 'file-lut', label: `VOI LUT: ${description.voiLut.explanation || 'from the file'}`, center: null, width: null, table: true });
  }
  const auto = description.autoWindow;
  if (auto) list.push({ id: 'auto', label: `Auto (data range) ${fmt(auto.center)}/${fmt(auto.width)}`, center: auto.center, width: auto.width });
  if (description.units === 'HU') list.push(...CT_PRESETS);
  return list;
}

/**
 * A number as short text (no long binary fractions).
 * @param {number} n
 */
export function fmt(n) {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}
