import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { RoleAssignment } from '../../access/roleAssignments.js';
import type { Tenant } from '../../directory/model.js';
import { checkAssignmentTarget } from '../../management/assignmentTargets.js';
import { roleAssignmentResource } from '../../management/resources/roleAssignmentsApi.js';
import { relationOf } from '../../management/resources/scopeRelations.js';
import type { Tessera } from '../../tessera.js';
import type { SubscriptionOptions } from '../armContext.js';
import { subscriptionCommand, withSubscription } from '../armContext.js';
import { azResource } from '../armJson.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import { principalName, resolveAssignee } from '../principalLookup.js';

interface CreateOptions extends SubscriptionOptions {
  assignee: string;
  role: string;
  scope: string;
  description?: string;
  name?: string;
  condition?: string;
  conditionVersion?: string;
}

interface UpdateOptions extends SubscriptionOptions {
  roleAssignment: string;
}

interface ListOptions extends SubscriptionOptions {
  scope?: string;
  assignee?: string;
  role?: string;
  all?: boolean;
  includeInherited?: boolean;
  includeGroups?: boolean;
}

interface DeleteOptions extends SubscriptionOptions {
  ids?: string[];
  assignee?: string;
  role?: string;
  scope?: string;
}

const ASSIGNMENT_ID = /\/providers\/Microsoft\.Authorization\/roleAssignments\/([^/]+)$/i;

/** az's list entries: the ARM resource flattened, plus the names az looks up for display. */
async function describe(tessera: Tessera, tenant: Tenant, assignment: RoleAssignment) {
  const role = await tessera.roleDefinitions.find(tenant.id, assignment.roleDefinitionId);
  return {
    ...azResource(roleAssignmentResource(assignment)),
    principalName: await principalName(tessera, tenant, assignment.principalId),
    roleDefinitionName: role?.roleName ?? null,
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** `--role-assignment`: JSON text, or `@file` holding it, as az reads it. */
async function assignmentJson(value: string): Promise<Record<string, unknown>> {
  const source = value.startsWith('@') ? await readFile(value.slice(1), 'utf8') : value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    throw new UsageError('--role-assignment is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError('--role-assignment must be a JSON object.');
  }
  const object = parsed as Record<string, unknown>;
  // az's own list output is flat; an ARM resource nests the same fields under `properties`.
  const properties = object.properties;
  return properties !== null && typeof properties === 'object'
    ? { ...object, ...(properties as object) }
    : object;
}

async function roleGuid(tessera: Tessera, tenant: Tenant, role: string): Promise<string> {
  const definition = await tessera.roleDefinitions.find(tenant.id, role);
  if (!definition) throw new UsageError(`Role '${role}' doesn't exist.`);
  return definition.name;
}

export function registerRoleAssignment(role: Command, io: CliIo): void {
  const assignment = role.command('assignment').description('Manage role assignments.');

  subscriptionCommand(
    assignment,
    'create',
    'Create a new role assignment for a user, group, or service principal.',
  )
    .requiredOption(
      '--assignee <id>',
      "Represent a service principal's appId or object id, or a group's name or id.",
    )
    .requiredOption('--role <name|id>', 'Role name or id.')
    .requiredOption('--scope <scope>', 'Scope at which the role assignment applies.')
    .option('--description <text>', 'Description of the role assignment.')
    .option('--name <guid>', 'A GUID for the role assignment (default: a new one).')
    .option('--condition <text>', 'A condition (ABAC) the assignment grants under.')
    .option('--condition-version <version>', "The condition's version: 2.0, the default and the only one.")
    .action(async (options: CreateOptions) => {
      if (options.conditionVersion !== undefined && options.condition === undefined) {
        throw new UsageError('--condition must be set when --condition-version is given.');
      }
      const json = await withSubscription(options, async (tessera, tenant) => {
        const principal = await resolveAssignee(tessera, tenant, options.assignee);
        await checkAssignmentTarget(tessera, {
          tenantId: tenant.id,
          roleDefinition: options.role,
          scope: options.scope,
          name: options.name,
        });
        const created = await tessera.roleAssignments.create({
          tenantId: tenant.id,
          scope: options.scope,
          roleDefinition: options.role,
          principalId: principal.objectId,
          description: options.description,
          name: options.name,
          condition: options.condition,
          conditionVersion: options.conditionVersion,
        });
        return azResource(roleAssignmentResource(created));
      });
      printJson(io, json);
    });

  subscriptionCommand(assignment, 'update', "Update a role assignment's condition or description.")
    .requiredOption(
      '--role-assignment <json|@file>',
      'The assignment as `role assignment list` prints it, with its condition, conditionVersion or description changed.',
    )
    .action(async (options: UpdateOptions) => {
      const wanted = await assignmentJson(options.roleAssignment);
      const json = await withSubscription(options, async (tessera, tenant) => {
        const name =
          typeof wanted.name === 'string' ? wanted.name : ASSIGNMENT_ID.exec(String(wanted.id ?? ''))?.[1];
        const existing = name === undefined ? undefined : await tessera.roleAssignments.find(name);
        if (!existing)
          throw new UsageError('The role assignment to update does not exist (give its name or id).');
        // What identifies an assignment cannot change, as in az (which refuses it client-side).
        for (const [key, value] of [
          ['principalId', existing.principalId],
          ['scope', existing.scope],
        ] as const) {
          const given = wanted[key];
          if (typeof given === 'string' && given.toLowerCase() !== value.toLowerCase()) {
            throw new UsageError(`The ${key} of a role assignment cannot be updated.`);
          }
        }
        const version = text(wanted.conditionVersion);
        if (version?.startsWith('1') && existing.conditionVersion?.startsWith('2')) {
          throw new UsageError('Condition version cannot be downgraded to 1.X.');
        }
        const updated = await tessera.roleAssignments.update(tenant.id, existing.name, {
          ...('condition' in wanted ? { condition: text(wanted.condition) ?? null } : {}),
          ...('conditionVersion' in wanted ? { conditionVersion: version ?? null } : {}),
          ...('description' in wanted ? { description: text(wanted.description) ?? null } : {}),
        });
        return azResource(roleAssignmentResource(updated));
      });
      printJson(io, json);
    });

  subscriptionCommand(assignment, 'list', 'List role assignments.')
    .option('--scope <scope>', 'Scope to list at (default: the subscription).')
    .option('--assignee <id>', 'Only assignments of this principal.')
    .option('--role <name|id>', 'Only assignments of this role.')
    .option('--all', 'Everything in the subscription, at, above and below the scope.')
    .option('--include-inherited', 'Also assignments above the scope.')
    .option('--include-groups', "Also assignments of the assignee's groups.")
    .action(async (options: ListOptions) => {
      const json = await withSubscription(options, async (tessera, tenant, subscription) => {
        const scope = options.scope ?? `/subscriptions/${subscription.subscriptionId}`;
        const wanted = options.all
          ? ['at', 'above', 'below']
          : options.includeInherited
            ? ['at', 'above']
            : ['at'];
        let found = (await tessera.roleAssignments.list()).filter((a) =>
          wanted.includes(relationOf(a.scope, scope)),
        );
        if (options.assignee !== undefined) {
          const principal = await resolveAssignee(tessera, tenant, options.assignee);
          const identities = options.includeGroups
            ? new Set((await tessera.access.current()).identitiesOf(principal.objectId))
            : new Set([principal.objectId]);
          found = found.filter((a) => identities.has(a.principalId));
        }
        if (options.role !== undefined) {
          const guid = await roleGuid(tessera, tenant, options.role);
          found = found.filter((a) => a.roleDefinitionId === guid);
        }
        return Promise.all(found.map((a) => describe(tessera, tenant, a)));
      });
      printJson(io, json);
    });

  subscriptionCommand(assignment, 'delete', 'Delete role assignments.')
    .option('--ids <id...>', 'Full ids of the role assignments.')
    .option('--assignee <id>', 'Delete the assignments of this principal.')
    .option('--role <name|id>', 'Delete the assignments of this role.')
    .option('--scope <scope>', 'Delete the assignments made at this scope.')
    .action(async (options: DeleteOptions) => {
      if (options.ids === undefined && !options.assignee && !options.role && !options.scope) {
        throw new UsageError('Please provide at least one of --ids, --assignee, --role or --scope.');
      }
      await withSubscription(options, async (tessera, tenant, subscription) => {
        let targets: RoleAssignment[];
        if (options.ids !== undefined) {
          const named = await Promise.all(
            options.ids.map((id) => tessera.roleAssignments.find(ASSIGNMENT_ID.exec(id)?.[1] ?? id)),
          );
          targets = named.filter((a): a is RoleAssignment => a !== undefined);
        } else {
          const scope = options.scope ?? `/subscriptions/${subscription.subscriptionId}`;
          targets = (await tessera.roleAssignments.list()).filter((a) => relationOf(a.scope, scope) === 'at');
          if (options.assignee !== undefined) {
            const principal = await resolveAssignee(tessera, tenant, options.assignee);
            targets = targets.filter((a) => a.principalId === principal.objectId);
          }
          if (options.role !== undefined) {
            const guid = await roleGuid(tessera, tenant, options.role);
            targets = targets.filter((a) => a.roleDefinitionId === guid);
          }
        }
        for (const target of targets) await tessera.roleAssignments.delete(target.name);
      });
    });
}
