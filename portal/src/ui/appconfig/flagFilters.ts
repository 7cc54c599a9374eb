import type { FlagFilter } from '../../api/appConfigurationFlags.js';
import { isJson, strings } from '../../api/json.js';

/**
 * The filters of a feature flag as a form holds them (text as typed), and back to the documented
 * parameters of Microsoft.FeatureManagement's built-in filters. Parameters the form does not
 * show are kept from the filter as stored.
 */
export type FilterDraft =
  | { kind: 'percentage'; value: string; original?: FlagFilter }
  | { kind: 'timeWindow'; start: string; end: string; original?: FlagFilter }
  | {
      kind: 'targeting';
      users: string;
      groups: string;
      defaultRollout: string;
      excludedUsers: string;
      excludedGroups: string;
      original?: FlagFilter;
    }
  | { kind: 'custom'; name: string; parameters: string; original?: FlagFilter };

export type FilterKind = FilterDraft['kind'];

export const FILTER_NAMES = {
  percentage: 'Microsoft.Percentage',
  timeWindow: 'Microsoft.TimeWindow',
  targeting: 'Microsoft.Targeting',
} as const;

export const FILTER_KINDS: { kind: FilterKind; label: string }[] = [
  { kind: 'percentage', label: 'Percentage (Microsoft.Percentage)' },
  { kind: 'timeWindow', label: 'Time window (Microsoft.TimeWindow)' },
  { kind: 'targeting', label: 'Targeting (Microsoft.Targeting)' },
  { kind: 'custom', label: 'Custom filter' },
];

/** Built-in filter names are matched as the libraries do: case-insensitively, "Microsoft." optional. */
const is = (name: string, builtIn: string): boolean =>
  name.toLowerCase() === builtIn.toLowerCase() || `Microsoft.${name}`.toLowerCase() === builtIn.toLowerCase();

/** `datetime-local` text (the person's time zone) of an RFC 1123 or ISO time. */
function localInput(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

const groupsText = (value: unknown): string =>
  (Array.isArray(value) ? value.filter(isJson) : [])
    .map(
      (g) =>
        `${typeof g.Name === 'string' ? g.Name : ''}=${typeof g.RolloutPercentage === 'number' ? g.RolloutPercentage : 0}`,
    )
    .join('\n');

export function draftOf(filter: FlagFilter): FilterDraft {
  const p = filter.parameters;
  if (is(filter.name, FILTER_NAMES.percentage)) {
    return { kind: 'percentage', value: p.Value === undefined ? '' : String(p.Value), original: filter };
  }
  if (is(filter.name, FILTER_NAMES.timeWindow)) {
    return { kind: 'timeWindow', start: localInput(p.Start), end: localInput(p.End), original: filter };
  }
  if (is(filter.name, FILTER_NAMES.targeting)) {
    const audience = isJson(p.Audience) ? p.Audience : {};
    const exclusion = isJson(audience.Exclusion) ? audience.Exclusion : {};
    return {
      kind: 'targeting',
      users: strings(audience.Users).join(', '),
      groups: groupsText(audience.Groups),
      defaultRollout:
        typeof audience.DefaultRolloutPercentage === 'number'
          ? String(audience.DefaultRolloutPercentage)
          : '0',
      excludedUsers: strings(exclusion.Users).join(', '),
      excludedGroups: strings(exclusion.Groups).join(', '),
      original: filter,
    };
  }
  return { kind: 'custom', name: filter.name, parameters: JSON.stringify(p, null, 2), original: filter };
}

export function newDraft(kind: FilterKind): FilterDraft {
  switch (kind) {
    case 'percentage':
      return { kind, value: '50' };
    case 'timeWindow':
      return { kind, start: '', end: '' };
    case 'targeting':
      return { kind, users: '', groups: '', defaultRollout: '0', excludedUsers: '', excludedGroups: '' };
    case 'custom':
      return { kind, name: '', parameters: '{}' };
  }
}

function percentage(text: string, what: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw new Error(`${what}: a number from 0 to 100 is expected.`);
  }
  return value;
}

const list = (text: string): string[] =>
  text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

function utc(text: string, what: string): string | undefined {
  if (text === '') return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new Error(`${what}: a date and time is expected.`);
  // RFC 1123, as the documentation and the Azure portal write it.
  return date.toUTCString();
}

/** The filter as stored; throws with what to fix when a field is not valid. */
export function filterOf(draft: FilterDraft, position: number): FlagFilter {
  const at = `Filter ${position}`;
  const kept = draft.original?.parameters ?? {};
  switch (draft.kind) {
    case 'percentage':
      return {
        name: draft.original?.name ?? FILTER_NAMES.percentage,
        parameters: { ...kept, Value: percentage(draft.value, `${at}, percentage`) },
      };
    case 'timeWindow': {
      const start = utc(draft.start, `${at}, start`);
      const end = utc(draft.end, `${at}, end`);
      if (!start && !end) throw new Error(`${at}: a time window needs a start, an end or both.`);
      if (start && end && new Date(start) >= new Date(end))
        throw new Error(`${at}: the end must come after the start.`);
      const { Start: _s, End: _e, ...rest } = kept;
      return {
        name: draft.original?.name ?? FILTER_NAMES.timeWindow,
        parameters: { ...rest, ...(start ? { Start: start } : {}), ...(end ? { End: end } : {}) },
      };
    }
    case 'targeting': {
      const groups = list(draft.groups.replace(/,/g, '\n')).map((line) => {
        const equals = line.lastIndexOf('=');
        if (equals <= 0) throw new Error(`${at}, groups: write each group as name=percentage.`);
        return {
          Name: line.slice(0, equals).trim(),
          RolloutPercentage: percentage(
            line.slice(equals + 1),
            `${at}, group ${line.slice(0, equals).trim()}`,
          ),
        };
      });
      const excludedUsers = list(draft.excludedUsers);
      const excludedGroups = list(draft.excludedGroups);
      const audience = isJson(kept.Audience) ? kept.Audience : {};
      return {
        name: draft.original?.name ?? FILTER_NAMES.targeting,
        parameters: {
          ...kept,
          Audience: {
            ...audience,
            Users: list(draft.users),
            Groups: groups,
            DefaultRolloutPercentage: percentage(draft.defaultRollout, `${at}, default rollout`),
            ...(excludedUsers.length || excludedGroups.length
              ? { Exclusion: { Users: excludedUsers, Groups: excludedGroups } }
              : {}),
          },
        },
      };
    }
    case 'custom': {
      const name = draft.name.trim();
      if (!name) throw new Error(`${at}: a custom filter needs a name.`);
      let parameters: unknown;
      try {
        parameters = JSON.parse(draft.parameters.trim() || '{}');
      } catch {
        throw new Error(`${at}, parameters: not valid JSON.`);
      }
      if (!isJson(parameters)) throw new Error(`${at}, parameters: a JSON object is expected.`);
      return { name, parameters };
    }
  }
}

/** One line for a list: "Percentage 30%", "Targeting: 2 users, 1 group, 10%". */
export function filterSummary(filter: FlagFilter): string {
  const draft = draftOf(filter);
  switch (draft.kind) {
    case 'percentage':
      return `Percentage ${draft.value}%`;
    case 'timeWindow':
      return `Time window${filter.parameters.Start ? ` from ${String(filter.parameters.Start)}` : ''}${filter.parameters.End ? ` until ${String(filter.parameters.End)}` : ''}`;
    case 'targeting': {
      const users = list(draft.users).length;
      const groups = list(draft.groups.replace(/,/g, '\n')).length;
      return `Targeting: ${users} user${users === 1 ? '' : 's'}, ${groups} group${groups === 1 ? '' : 's'}, ${draft.defaultRollout}% of others`;
    }
    case 'custom':
      return filter.name || 'Unnamed filter';
  }
}
