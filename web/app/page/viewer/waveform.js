/**
 * Waveforms (ECG and others): one trace per channel, each with its label and scale, drawn on
 * a canvas. Labels are drawn with fillText (text, never markup).
 * @module viewer/waveform
 */

/** Height of one channel's trace, CSS pixels. */
const TRACE_HEIGHT = 64;

/**
 * Plot a multiplex group's channels.
 * @param {HTMLCanvasElement} canvas
 * @param {{labels: string[], units: string[], samplingFrequency: number, shape: number[]}} info
 * @param {Float32Array} samples  samples × channels, interleaved
 * @param {number} width CSS pixels
 */
export function plotWaveform(canvas, info, samples, width) {
  const [count, channels] = info.shape;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(channels * TRACE_HEIGHT * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${channels * TRACE_HEIGHT}px`;
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  context.scale(ratio, ratio);
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, channels * TRACE_HEIGHT);
  context.font = '12px system-ui, sans-serif';
  const left = 70;
  const plotWidth = Math.max(10, width - left - 4);
  for (let c = 0; c < channels; c++) {
    let min = Infinity;
    let max = -Infinity;
    for (let s = 0; s < count; s++) {
      const v = samples[s * channels + c];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const top = c * TRACE_HEIGHT;
    const span = max > min ? max - min : 1;
    context.strokeStyle = '#ddd';
    context.beginPath();
    context.moveTo(left, top + TRACE_HEIGHT - 0.5);
    context.lineTo(left + plotWidth, top + TRACE_HEIGHT - 0.5);
    context.stroke();
    context.fillStyle = '#000';
    context.fillText(info.labels[c] || `channel ${c + 1}`, 4, top + 16);
    if (info.units[c]) context.fillText(info.units[c], 4, top + 32);
    context.strokeStyle = '#b00020';
    context.beginPath();
    for (let s = 0; s < count; s++) {
      const x = left + (count > 1 ? (s / (count - 1)) * plotWidth : 0);
      const y = top + 4 + (1 - (samples[s * channels + c] - min) / span) * (TRACE_HEIGHT - 8);
      if (s === 0) context.moveTo(x, y); else context.lineTo(x, y);
    }
    context.stroke();
  }
}
