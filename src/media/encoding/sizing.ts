import type { Dimension, StretchMode } from './preset.js';

/**
 * The picture size of one output layer.
 *
 * MES's StretchMode decides how the preset's Width × Height window is used: AutoSize (the
 * default) fits the input's display aspect ratio inside the window without padding; AutoFit fits
 * it inside and pads to the full window (letterbox or pillarbox); None takes the window as it is.
 * Percentages are of the input picture.
 *
 * One rule MES did not have is added here: a layer is never larger than the input. When the
 * window (AutoFit, None) or the fitted picture (AutoSize) is wider or taller than the input, it is
 * scaled down, keeping its own aspect ratio, until it fits the input — so a 320x240 input encoded
 * with "H264 Multiple Bitrate 720p" gives 320x240 layers instead of upscaled 960x720 ones. Every
 * dimension is even (4:2:0 H.264 needs it), and at least 2.
 */
export interface LayerSize {
  /** The encoded frame. */
  width: number;
  height: number;
  /** The picture inside it and its offset (differs from the frame only for AutoFit). */
  activeWidth: number;
  activeHeight: number;
  padX: number;
  padY: number;
}

const even = (value: number): number => Math.max(2, Math.round(value / 2) * 2);
const evenFloor = (value: number): number => Math.max(0, Math.floor(value / 2) * 2);

const resolve = (dimension: Dimension | undefined, source: number): number | undefined =>
  dimension === undefined
    ? undefined
    : dimension.percent
      ? (source * dimension.value) / 100
      : dimension.value;

export function layerSize(
  requested: { width?: Dimension; height?: Dimension },
  source: { width: number; height: number },
  stretch: StretchMode,
): LayerSize {
  const aspect = source.width / source.height;
  let boxWidth = resolve(requested.width, source.width);
  let boxHeight = resolve(requested.height, source.height);
  if (boxWidth === undefined && boxHeight === undefined) {
    boxWidth = source.width;
    boxHeight = source.height;
  } else if (boxWidth === undefined) boxWidth = boxHeight! * aspect;
  else if (boxHeight === undefined) boxHeight = boxWidth / aspect;
  const box = { width: boxWidth, height: boxHeight! };

  // The picture fitted inside the window, keeping the input's aspect ratio.
  const fitted =
    box.width / box.height > aspect
      ? { width: box.height * aspect, height: box.height }
      : { width: box.width, height: box.width / aspect };

  if (stretch === 'AutoSize') {
    const cap = Math.min(1, source.width / fitted.width, source.height / fitted.height);
    const width = even(fitted.width * cap);
    const height = even(fitted.height * cap);
    return { width, height, activeWidth: width, activeHeight: height, padX: 0, padY: 0 };
  }
  const cap = Math.min(1, source.width / box.width, source.height / box.height);
  const width = even(box.width * cap);
  const height = even(box.height * cap);
  if (stretch === 'None')
    return { width, height, activeWidth: width, activeHeight: height, padX: 0, padY: 0 };
  const activeWidth = Math.min(width, even(fitted.width * cap));
  const activeHeight = Math.min(height, even(fitted.height * cap));
  return {
    width,
    height,
    activeWidth,
    activeHeight,
    padX: evenFloor((width - activeWidth) / 2),
    padY: evenFloor((height - activeHeight) / 2),
  };
}
