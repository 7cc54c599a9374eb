import type { VideoInfo } from './probe.js';

/**
 * The bitrate ladder of "Adaptive Streaming" and "Content Adaptive Multiple Bitrate MP4".
 *
 * MES published three examples of the ladders it generated ("Use Media Encoder Standard to
 * auto-generate a bitrate ladder"): 1080p at 29.97 fps → 6780/3520/2210/1150/720/380 kbps at
 * 1080/720/540/360/270/180 lines; 720p at 23.976 fps → 2940/1850/960/600/320; 360p at 29.97 fps →
 * 700/440/230. The rule implemented here reproduces the first two exactly:
 *
 * - the rungs are the 1080p example's (height, kbps) pairs, for 29.97 fps;
 * - a rung is kept when its height does not exceed the input's (display) height; inputs taller
 *   than 1080 lines stop at 1080p, as MES's ladder did;
 * - an input whose height falls between rungs (and at least 15% above the rung below) gets a top
 *   layer at its own height, with a bitrate interpolated between the neighbouring rungs; an input
 *   below 180 lines gets one layer at its own size, scaled from the 180-line rung by pixel count;
 * - bitrates scale with the frame rate as (fps / 29.97)^0.8 (2940 = 3520 × (23.976/29.97)^0.8,
 *   rounded to 10 kbps);
 * - the ladder never exceeds the input's bitrate: when the top layer would, every layer is scaled
 *   down by the same factor (the 360p example is such a low-bitrate source).
 *
 * Widths follow the input's display aspect ratio; both dimensions are even.
 */

export interface LadderRung {
  width: number;
  height: number;
  /** kbps. */
  bitrate: number;
}

const RUNGS: readonly (readonly [number, number])[] = [
  [1080, 6780],
  [720, 3520],
  [540, 2210],
  [360, 1150],
  [270, 720],
  [180, 380],
];

const REFERENCE_FPS = 29.97;
const even = (value: number): number => Math.max(2, Math.round(value / 2) * 2);
const round10 = (kbps: number): number => Math.max(10, Math.round(kbps / 10) * 10);

export function adaptiveLadder(
  video: Pick<VideoInfo, 'displayWidth' | 'displayHeight' | 'frameRate' | 'bitrate'>,
): LadderRung[] {
  const aspect = video.displayWidth / video.displayHeight;
  const height = Math.min(video.displayHeight, 1080);
  const kept = RUNGS.filter(([h]) => h <= height).map(([h, kbps]) => ({ height: h, kbps }));
  const below = kept[0];
  if (!below) {
    kept.push({ height, kbps: 380 * ((height * height) / (180 * 180)) });
  } else if (below.height !== height && height >= below.height * 1.15) {
    const above = RUNGS.slice()
      .reverse()
      .find(([h]) => h > height);
    const [aboveHeight, aboveKbps] = above ?? [below.height, below.kbps];
    const share = aboveHeight === below.height ? 0 : (height - below.height) / (aboveHeight - below.height);
    kept.unshift({ height, kbps: below.kbps + (aboveKbps - below.kbps) * share });
  }
  const fps = Math.min(Math.max(video.frameRate || REFERENCE_FPS, 1), 120);
  const fpsFactor = Math.pow(fps / REFERENCE_FPS, 0.8);
  const sourceKbps = video.bitrate / 1000;
  const top = (kept[0]?.kbps ?? 0) * fpsFactor;
  const cap = sourceKbps > 0 && top > sourceKbps ? sourceKbps / top : 1;
  return kept.map((rung) => ({
    width: even(rung.height * aspect),
    height: even(rung.height),
    bitrate: round10(rung.kbps * fpsFactor * cap),
  }));
}
