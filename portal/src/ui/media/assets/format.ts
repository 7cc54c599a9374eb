/** How the media screens write sizes, times and percentages. */

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const;

/** 1,536 → "1.5 KB" (powers of 1024, as storage tools count). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** An ISO time in the person's locale; blank for none (the service's "not yet"). */
export function formatTime(iso: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  // .NET's DateTime.MinValue stands for "never" in some v2 answers.
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() <= 1) return '';
  return date.toLocaleString();
}

/** Milliseconds since the epoch, for sorting by time (blank sorts last). */
export const timeValue = (iso: string): number | undefined => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

export const formatPercent = (value: number): string => `${Math.round(value)}%`;
