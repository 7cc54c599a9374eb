/**
 * Time values as presets write them and as the metadata files print them. Presets use xs:time
 * clock values ("00:00:02", "00:01:30.5"); XML presets' Sources use xs:duration ("PT4S"); both
 * are accepted wherever a time is expected.
 */

const CLOCK = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/;
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Seconds, from "HH:MM:SS[.fff]", "MM:SS" or an ISO 8601 duration; undefined when it is neither. */
export function parseTime(value: string): number | undefined {
  const text = value.trim();
  const clock = CLOCK.exec(text);
  if (clock) {
    const [, hours, minutes, seconds] = clock;
    return Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds);
  }
  const iso = ISO.exec(text);
  if (iso && text.length > 1 && text.toUpperCase() !== 'PT') {
    const [, days, hours, minutes, seconds] = iso;
    return (
      Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0)
    );
  }
  return undefined;
}

/** xs:duration as MES printed it: "PT25M37.757S", "PT2S", "PT0S". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms)) / 1000;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = Math.round((total - hours * 3600 - minutes * 60) * 1000) / 1000;
  let out = 'PT';
  if (hours) out += `${hours}H`;
  if (minutes) out += `${minutes}M`;
  if (seconds || (!hours && !minutes)) out += `${seconds}S`;
  return out;
}

/** "30000/1001" → 29.97…; "25" → 25; "0/0" or junk → undefined. */
export function parseRational(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const [numerator, denominator = '1'] = value.split('/');
  const n = Number(numerator);
  const d = Number(denominator);
  if (!Number.isFinite(n) || !Number.isFinite(d) || d === 0 || n <= 0) return undefined;
  return n / d;
}
