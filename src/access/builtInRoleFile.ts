import { isGuid } from '../errors.js';
import data from './data/built-in-roles.json' with { type: 'json' };
import { compile } from './conditions/conditionEvaluation.js';
import type { Permission } from './permissions.js';

/**
 * Azure's built-in role definitions, read from `data/built-in-roles.json` (Microsoft's GUIDs, names
 * and permissions as the docs and `az role definition list` give them; see
 * ../shared/reference/built-in-roles.README.md for where each came from). The file is the source:
 * nothing here retypes a role. It is checked once, when the module loads: a malformed entry stops
 * the process at start, naming the role, rather than granting or refusing something at random.
 */

export interface BuiltInRole {
  name: string;
  roleName: string;
  description: string;
  assignableScopes: readonly string[];
  permissions: readonly Permission[];
}

/**
 * The file leaves assignable scopes out: every built-in role is assignable at `/` except these,
 * which Azure confines to a provider's own scopes (so no subscription-rooted assignment takes them).
 */
const ASSIGNABLE_SCOPES: Readonly<Record<string, readonly string[]>> = {
  'a8889054-8d42-49c9-bc1c-52486c10e7cd': ['/providers/Microsoft.Capacity'], // Reservations Administrator
  '582fc458-8989-419f-a480-75249bc5db7e': ['/providers/Microsoft.Capacity'], // Reservations Reader
  '4e50c84c-c78e-4e37-b47e-e60ffea0a775': ['/providers/Microsoft.Management/serviceGroups'], // Service Group Administrator
  '32e6a4ec-6095-4e37-b54b-12aa350ba81f': ['/providers/Microsoft.Management/serviceGroups'], // Service Group Contributor
  'de754d53-652d-4c75-a67f-1e48d8b49c97': ['/providers/Microsoft.Management/serviceGroups'], // Service Group Reader
};
const ROOT: readonly string[] = ['/'];

const ROLE_KEYS = ['description', 'name', 'permissions', 'roleName'];
const LISTS = ['actions', 'notActions', 'dataActions', 'notDataActions'] as const;
const PERMISSION_KEYS = new Set<string>([...LISTS, 'condition', 'conditionVersion']);

type Entry = Record<string, unknown>;

const isEntry = (value: unknown): value is Entry =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

class MalformedRole extends Error {}

function checkList(block: Entry, key: (typeof LISTS)[number]): void {
  const value = block[key];
  if (!Array.isArray(value)) throw new MalformedRole(`permissions.${key} is not a list`);
  for (const item of value as unknown[]) {
    if (typeof item !== 'string' || item === '' || item.trim() !== item) {
      throw new MalformedRole(`permissions.${key} holds ${JSON.stringify(item)}, not an action`);
    }
  }
}

/** The block itself once checked: the parsed file is kept, not copied (start-up cost). */
function permissionOf(block: unknown): Permission {
  if (!isEntry(block)) throw new MalformedRole('a permission is not an object');
  for (const key in block) {
    if (!PERMISSION_KEYS.has(key)) throw new MalformedRole(`a permission has the unknown key ${key}`);
  }
  for (const key of LISTS) checkList(block, key);
  const { condition, conditionVersion } = block;
  if (condition === undefined && conditionVersion === undefined) return block as unknown as Permission;
  if (typeof condition !== 'string' || condition.trim() === '' || conditionVersion !== '2.0') {
    throw new MalformedRole('a permission condition needs a non-empty condition and conditionVersion "2.0"');
  }
  // Compiled now (and memoised for the engine): a condition that does not parse stops the start.
  const { invalid } = compile(condition);
  if (invalid !== undefined) throw new MalformedRole(`has a condition that does not parse: ${invalid}`);
  return block as unknown as Permission;
}

function roleOf(entry: Entry): BuiltInRole {
  const keys = Object.keys(entry);
  if (keys.length !== ROLE_KEYS.length || !keys.every((k) => ROLE_KEYS.includes(k))) {
    throw new MalformedRole(`has keys ${keys.join(', ')}, not exactly ${ROLE_KEYS.join(', ')}`);
  }
  const { name, roleName, description, permissions } = entry;
  if (typeof name !== 'string' || !isGuid(name) || name !== name.toLowerCase()) {
    throw new MalformedRole(`name ${JSON.stringify(name)} is not a lower-case GUID`);
  }
  if (typeof roleName !== 'string' || roleName.trim() === '') throw new MalformedRole('roleName is empty');
  if (typeof description !== 'string') throw new MalformedRole('description is not a string');
  if (!Array.isArray(permissions) || permissions.length === 0) {
    throw new MalformedRole('permissions is not a non-empty list');
  }
  return {
    name,
    roleName,
    description,
    assignableScopes: ASSIGNABLE_SCOPES[name] ?? ROOT,
    permissions: permissions.map(permissionOf),
  };
}

/** Validates the file's contents; throws an Error naming the first malformed role. */
export function parseBuiltInRoles(contents: unknown, source = 'built-in-roles.json'): BuiltInRole[] {
  if (!Array.isArray(contents)) throw new Error(`${source}: the file does not hold a list of roles.`);
  const roles: BuiltInRole[] = [];
  const guids = new Set<string>();
  const names = new Set<string>();
  contents.forEach((entry: unknown, i) => {
    const label = isEntry(entry) && typeof entry.roleName === 'string' ? `'${entry.roleName}'` : `#${i}`;
    try {
      if (!isEntry(entry)) throw new MalformedRole('is not an object');
      const role = roleOf(entry);
      if (guids.has(role.name)) throw new MalformedRole(`repeats the GUID ${role.name}`);
      if (names.has(role.roleName.toLowerCase())) throw new MalformedRole('repeats a role name');
      guids.add(role.name);
      names.add(role.roleName.toLowerCase());
      roles.push(role);
    } catch (error) {
      if (!(error instanceof MalformedRole)) throw error;
      throw new Error(`${source}: built-in role ${label} (entry ${i}) ${error.message}.`);
    }
  });
  return roles;
}

/** Every built-in role, validated: the module fails to load (and the process to start) otherwise. */
export const builtInRoles: readonly BuiltInRole[] = parseBuiltInRoles(data as unknown);
