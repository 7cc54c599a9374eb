import { randomUUID } from 'node:crypto';
import type { AppRole } from '../directory/model.js';
import { TesseraError } from '../errors.js';

type MemberType = AppRole['allowedMemberTypes'][number];
const memberTypes: readonly MemberType[] = ['User', 'Application'];

const invalid = (message: string): TesseraError => new TesseraError('InvalidArgumentValue', message);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads az's `--app-roles` manifest: a JSON array of Graph appRole objects. As in az, `id` may be
 * left out (a GUID is chosen) and `isEnabled` may be a boolean or the string "true"/"false".
 */
export function parseAppRoles(text: string): AppRole[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(`Failed to parse --app-roles as JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw invalid('--app-roles must be a JSON array of app roles.');
  return parsed.map(toAppRole);
}

function toAppRole(item: unknown, index: number): AppRole {
  const where = `--app-roles[${index}]`;
  if (!isRecord(item)) throw invalid(`${where} must be a JSON object.`);
  const text = (field: string): string | undefined => {
    const value = item[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalid(`${where}.${field} must be a string.`);
    return value;
  };
  const value = text('value');
  if (!value) throw invalid(`${where}.value is required.`);
  const allowed = item.allowedMemberTypes;
  if (!Array.isArray(allowed) || allowed.length === 0) {
    throw invalid(`${where}.allowedMemberTypes must list 'User', 'Application' or both.`);
  }
  const allowedMemberTypes = allowed.map((type) => {
    const match = memberTypes.find((known) => known === type);
    if (!match) throw invalid(`${where}.allowedMemberTypes may only contain 'User' and 'Application'.`);
    return match;
  });
  const displayName = text('displayName') ?? value;
  return {
    id: text('id') ?? randomUUID(),
    value,
    displayName,
    description: text('description') ?? displayName,
    allowedMemberTypes,
    isEnabled: parseEnabled(item.isEnabled, where),
  };
}

function parseEnabled(value: unknown, where: string): boolean {
  if (value === undefined || value === null || value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalid(`${where}.isEnabled must be true or false.`);
}
