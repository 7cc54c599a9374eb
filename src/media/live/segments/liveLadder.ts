import { systemPreset } from '../../encoding/systemPresets.js';

/**
 * The layers a Standard (live encoding) channel transcodes to. Azure's `Default720p` system
 * preset was a ladder topped at 720p; Tessera takes the sizes and bitrates of Media Encoder
 * Standard's "H264 Multiple Bitrate 720p" (the same table the on-demand encoder uses), one layer
 * per picture height, at most three of them, and none taller than the source, so that a small
 * machine can keep up in real time (a layer costs an x264 encode per frame).
 */
export interface LiveLayer {
  width: number;
  height: number;
  /** kbps. */
  bitrate: number;
}

export const LIVE_PRESET = 'H264 Multiple Bitrate 720p';
const MAX_LAYERS = 3;
/** When the encoder did not say how tall its picture is. */
const ASSUMED_HEIGHT = 720;

function presetLayers(): LiveLayer[] {
  const preset = systemPreset(LIVE_PRESET);
  if (!preset?.video) throw new Error(`the system preset ${LIVE_PRESET} is missing`);
  const byHeight = new Map<number, LiveLayer>();
  for (const layer of preset.video.layers) {
    const width = layer.width?.value;
    const height = layer.height?.value;
    if (!width || !height || layer.width?.percent || layer.height?.percent) continue;
    // The first (highest-bitrate) layer of each height.
    if (!byHeight.has(height)) byHeight.set(height, { width, height, bitrate: layer.bitrate });
  }
  return [...byHeight.values()].sort((a, b) => b.height - a.height);
}

/** The ladder for a source of `sourceHeight` lines, tallest first. */
export function liveLadder(sourceHeight: number | undefined): LiveLayer[] {
  const layers = presetLayers();
  const limit = sourceHeight && sourceHeight > 0 ? sourceHeight : ASSUMED_HEIGHT;
  const fitting = layers.filter((layer) => layer.height <= limit);
  const smallest = layers[layers.length - 1];
  const chosen = fitting.length > 0 ? fitting : smallest ? [smallest] : [];
  return chosen.slice(0, MAX_LAYERS);
}
