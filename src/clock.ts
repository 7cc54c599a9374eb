/** Epoch seconds: the unit of JWT claims and of every timestamp column. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function isoFromSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
