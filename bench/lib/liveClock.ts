/**
 * The wall-clock time burnt into a frame as blocks, so that the bench can read it back from a
 * played segment without OCR: 48 bits of milliseconds since the epoch, most significant first,
 * each a 24 × 32 block on the luma plane (white = 1), then the same bits inverted in a second row.
 * The blocks are large and only two levels, so they survive H.264 at ordinary bitrates; a bit is
 * read at mid-grey from the middle of its block, and the inverted row makes a misread block a
 * detected error rather than a wrong time.
 */

export const STAMP_BITS = 48;
const BLOCK_WIDTH = 24;
const BLOCK_HEIGHT = 32;
/** Top-left corner of the stamp: on macroblock boundaries (multiples of 16). */
const LEFT = 64;
const TOP = 32;
const WHITE = 235;
const BLACK = 16;
/** A bit's two blocks must differ by this much (of 255) to count as read. */
const MIN_CONTRAST = 64;

/** The region the stamp occupies: what the reader crops and decodes. */
export const STAMP_REGION = {
  left: LEFT,
  top: TOP,
  width: STAMP_BITS * BLOCK_WIDTH,
  height: 2 * BLOCK_HEIGHT,
};

/** Rows of the luma plane from the top that the stamp touches (the writer copies only these). */
export const STAMP_ROWS = TOP + 2 * BLOCK_HEIGHT;

const bitsOf = (ms: number): number[] =>
  Array.from({ length: STAMP_BITS }, (_, i) => Math.floor(ms / 2 ** (STAMP_BITS - 1 - i)) % 2);

/** Paints `ms` into the first STAMP_ROWS rows of a luma plane `width` pixels wide. */
export function stampLuma(luma: Buffer, width: number, ms: number): void {
  if (width < LEFT + STAMP_REGION.width) throw new Error(`a ${width}-pixel-wide frame cannot hold the stamp`);
  bitsOf(ms).forEach((bit, i) => {
    const x = LEFT + i * BLOCK_WIDTH;
    for (let row = 0; row < 2 * BLOCK_HEIGHT; row++) {
      const value = (row < BLOCK_HEIGHT ? bit : 1 - bit) === 1 ? WHITE : BLACK;
      const offset = (TOP + row) * width + x;
      luma.fill(value, offset, offset + BLOCK_WIDTH);
    }
  });
}

/** Neutral chroma under the stamp (rows of a 4:2:0 chroma plane `width / 2` wide). */
export function neutralChroma(chroma: Buffer, width: number): void {
  const half = width / 2;
  for (let row = TOP / 2; row < STAMP_ROWS / 2; row++) {
    const offset = row * half + LEFT / 2;
    chroma.fill(128, offset, offset + STAMP_REGION.width / 2);
  }
}

/**
 * Reads the stamp from a decoded grey picture of STAMP_REGION (one byte per pixel, row after
 * row); throws when a bit's two blocks do not disagree clearly.
 */
export function readStamp(grey: Buffer): number {
  const { width, height } = STAMP_REGION;
  if (grey.length < width * height)
    throw new Error(`a ${grey.length}-byte picture is not the stamp's region`);
  /** Mean of the middle half of a block. */
  const level = (bit: number, secondRow: boolean): number => {
    const x0 = bit * BLOCK_WIDTH + BLOCK_WIDTH / 4;
    const y0 = (secondRow ? BLOCK_HEIGHT : 0) + BLOCK_HEIGHT / 4;
    let sum = 0;
    for (let y = y0; y < y0 + BLOCK_HEIGHT / 2; y++)
      for (let x = x0; x < x0 + BLOCK_WIDTH / 2; x++) sum += grey[y * width + x] ?? 0;
    return sum / ((BLOCK_WIDTH / 2) * (BLOCK_HEIGHT / 2));
  };
  let ms = 0;
  for (let i = 0; i < STAMP_BITS; i++) {
    const top = level(i, false);
    const bottom = level(i, true);
    if (Math.abs(top - bottom) < MIN_CONTRAST || top > 128 === bottom > 128) {
      throw new Error(
        `the stamp's bit ${i} is unreadable (levels ${top.toFixed(0)} and ${bottom.toFixed(0)})`,
      );
    }
    ms = ms * 2 + (top > 128 ? 1 : 0);
  }
  return ms;
}
