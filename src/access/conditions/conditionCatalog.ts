import { actionMatches } from '../actionPattern.js';
import type { ValueType } from './conditionOperators.js';
import type { AttributeSource } from './conditionSyntax.js';

/**
 * The actions a condition may target, with the attributes each offers. Authorization is exact
 * (Microsoft's "Actions and attributes for Azure role assignment conditions for delegation"):
 * writing an assignment offers its would-be role, principal and principal type as request
 * attributes, deleting one the same three of the existing assignment as resource attributes.
 * Storage (blobs, ADLS Gen2, queues) goes by namespace: its attributes are stored and checked only
 * for their source and name prefix, a stated gap. App Configuration and Media Services have no
 * ABAC in Azure: a condition targeting them is refused, as Azure refuses unsupported services.
 */

export interface CatalogAttribute {
  source: AttributeSource;
  name: string;
  type: ValueType;
}

const ASSIGNMENT_ATTRIBUTES: ReadonlyArray<[string, ValueType]> = [
  ['Microsoft.Authorization/roleAssignments:RoleDefinitionId', 'Guid'],
  ['Microsoft.Authorization/roleAssignments:PrincipalId', 'Guid'],
  ['Microsoft.Authorization/roleAssignments:PrincipalType', 'String'],
];

/** Lower-cased action → the attributes its conditions may read. */
export const AUTHORIZATION_ACTIONS: ReadonlyMap<string, readonly CatalogAttribute[]> = new Map<
  string,
  readonly CatalogAttribute[]
>([
  [
    'microsoft.authorization/roleassignments/write',
    ASSIGNMENT_ATTRIBUTES.map(([name, type]) => ({ source: 'Request' as const, name, type })),
  ],
  [
    'microsoft.authorization/roleassignments/delete',
    ASSIGNMENT_ATTRIBUTES.map(([name, type]) => ({ source: 'Resource' as const, name, type })),
  ],
]);

/** The attribute names `AccessIndex.evaluate` is given for role assignment writes and deletes. */
export const ROLE_ASSIGNMENT_ATTRIBUTE = {
  roleDefinitionId: 'Microsoft.Authorization/roleAssignments:RoleDefinitionId',
  principalId: 'Microsoft.Authorization/roleAssignments:PrincipalId',
  principalType: 'Microsoft.Authorization/roleAssignments:PrincipalType',
} as const;

const STORAGE_NAMESPACES = [
  'microsoft.storage/storageaccounts/blobservices/',
  'microsoft.storage/storageaccounts/queueservices/',
];
/** Served by Tessera, with no ABAC in Azure. */
const UNSUPPORTED_NAMESPACES = ['microsoft.appconfiguration/', 'microsoft.media/'];

export type TargetClass =
  { kind: 'authorization'; actions: readonly string[] } | { kind: 'storage' } | { kind: 'unsupported' };

/** Whether `pattern` could match an action of `namespace` (its text before any star is a prefix either way). */
function reaches(pattern: string, namespace: string): boolean {
  const star = pattern.indexOf('*');
  const head = star < 0 ? pattern : pattern.slice(0, star);
  return star < 0 ? pattern.startsWith(namespace) : head.startsWith(namespace) || namespace.startsWith(head);
}

/** What an `ActionMatches` pattern targets. A pattern reaching an unsupported service is unsupported. */
export function classifyTarget(pattern: string): TargetClass {
  const p = pattern.toLowerCase();
  if (UNSUPPORTED_NAMESPACES.some((n) => reaches(p, n))) return { kind: 'unsupported' };
  const actions = [...AUTHORIZATION_ACTIONS.keys()].filter((a) => actionMatches(p, a));
  if (actions.length > 0) return { kind: 'authorization', actions };
  if (STORAGE_NAMESPACES.some((n) => p.startsWith(n))) return { kind: 'storage' };
  return { kind: 'unsupported' };
}

const STORAGE_ATTRIBUTE_PREFIX: Readonly<Record<AttributeSource, readonly string[]>> = {
  Resource: ['microsoft.storage/'],
  Request: ['microsoft.storage/', 'suboperation'],
  Principal: ['microsoft.directory/customsecurityattributes/id:'],
  Environment: [
    'isprivatelink',
    'microsoft.network/privateendpoints',
    'microsoft.network/virtualnetworks/subnets',
    'utcnow',
  ],
};

/** Whether a storage condition may name this attribute (by source and name prefix only). */
export const storageAttributeKnown = (source: AttributeSource, name: string): boolean =>
  STORAGE_ATTRIBUTE_PREFIX[source].some((prefix) => name.toLowerCase().startsWith(prefix));
