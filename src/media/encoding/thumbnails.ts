import { EncodingError, encodingErrorCodes } from './errors.js';
import type { ImageCodec, TimeSpec } from './preset.js';

/**
 * When thumbnails are taken. MES read Start, Step and Range as frame numbers ("120"), shares of
 * the duration ("15%") or times ("00:01:00"), mixed freely; Start may be {Best} (the first
 * "interesting" frame; Step and Range are then ignored). Images are taken at Start, Start+Step, …
 * while the offset from Start stays below Range and the time stays inside the input. Start alone
 * gives one image; Step without Range runs to the end; Range without Step gives one image.
 * A Start past the end of the input fails the task, as MES's did.
 */

export type ThumbnailSchedule = { best: true; windowSec: number } | { best: false; times: number[] };

/** More images than this from one codec is surely a mistake (a Step of one frame over an hour). */
export const MAX_IMAGES = 1000;

/** {Best} looks for the most representative frame in the first seconds of the input. */
export const BEST_WINDOW_SEC = 5;

export function thumbnailSchedule(
  codec: ImageCodec,
  durationSec: number,
  frameRate: number,
): ThumbnailSchedule {
  if (codec.start.kind === 'best')
    return { best: true, windowSec: Math.min(BEST_WINDOW_SEC, durationSec || BEST_WINDOW_SEC) };
  const frame = 1 / frameRate;
  const seconds = (spec: TimeSpec): number =>
    spec.kind === 'frame'
      ? spec.value * frame
      : spec.kind === 'percent'
        ? (durationSec * spec.value) / 100
        : spec.kind === 'seconds'
          ? spec.value
          : 0;
  const start = seconds(codec.start);
  // The last frame starts one frame before the end: nothing can be taken after it.
  const last = Math.max(0, durationSec - frame);
  if (durationSec > 0 && start > last + frame / 2) {
    throw new EncodingError(
      encodingErrorCodes.unsupportedFormat,
      `The ${codec.format.toUpperCase()} thumbnail Start (${start.toFixed(3)} s) is past the end of the input (${durationSec.toFixed(3)} s).`,
    );
  }
  const range = codec.range ? seconds(codec.range) : codec.step ? Infinity : 0;
  const step = codec.step ? seconds(codec.step) : Math.max(range, frame);
  if (!(step > 0))
    throw new EncodingError(
      encodingErrorCodes.parsingConfiguration,
      'A thumbnail Step must be longer than zero.',
    );
  const frames = new Set<number>();
  for (let k = 0; ; k++) {
    const offset = k * step;
    if (k > 0 && offset >= range - 1e-9) break;
    const time = start + offset;
    if (time > last + frame / 2) break;
    frames.add(Math.round(Math.min(time, last) / frame));
    if (frames.size > MAX_IMAGES) {
      throw new EncodingError(
        encodingErrorCodes.parsingConfiguration,
        `The ${codec.format.toUpperCase()} thumbnail settings ask for more than ${MAX_IMAGES} images.`,
      );
    }
  }
  return { best: false, times: [...frames].sort((a, b) => a - b).map((n) => n * frame) };
}

/**
 * An ffmpeg `select` expression passing the first frame at or after each time: a frame passes
 * when its time has reached a mark that the previous frame's had not. Half a frame of slack
 * absorbs timestamp rounding.
 */
export function selectExpression(times: readonly number[], frameRate: number): string {
  const slack = 0.5 / frameRate;
  return times
    .map((t) => {
      const mark = String(Math.round(Math.max(0, t - slack) * 1e6) / 1e6);
      return `gte(t,${mark})*not(gte(prev_t,${mark}))`;
    })
    .join('+');
}
