/** Graph's timestamps: ISO 8601 in UTC, whole seconds (`2024-05-14T09:28:31Z`). */
export const graphDateTime = (epochSeconds: number): string =>
  new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
