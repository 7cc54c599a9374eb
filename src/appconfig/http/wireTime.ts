/** The service writes times as `2022-10-21T23:17:33+00:00` (seconds, explicit offset). */
export const isoSeconds = (epochSeconds: number): string =>
  `${new Date(epochSeconds * 1000).toISOString().slice(0, 19)}+00:00`;

/** RFC 7231 HTTP-date, for Last-Modified and Memento-Datetime. */
export const httpDate = (epochSeconds: number): string => new Date(epochSeconds * 1000).toUTCString();

/**
 * Accept-Datetime: an HTTP-date in the documentation, ISO 8601 from the SDKs. Epoch seconds, or
 * undefined when the value is not a date at all.
 */
export function parseAcceptDatetime(value: string): number | undefined {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
