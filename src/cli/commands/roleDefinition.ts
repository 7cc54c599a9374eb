import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { formatScope, resolveScope } from '../../access/scopes.js';
import { roleDefinitionResource } from '../../management/resources/roleDefinitionsApi.js';
import { appliesAt } from '../../management/resources/scopeRelations.js';
import type { SubscriptionOptions } from '../armContext.js';
import { subscriptionCommand, withSubscription } from '../armContext.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import { readValue } from '../options.js';

interface ListOptions extends SubscriptionOptions {
  name?: string;
  customRoleOnly?: boolean;
  scope?: string;
}

interface CreateOptions extends SubscriptionOptions {
  roleDefinition: string;
}

/** az flattens a definition and calls `properties.type` roleType. */
function azDefinition(resource: ReturnType<typeof roleDefinitionResource>) {
  const { properties, ...rest } = resource;
  const { type: roleType, ...others } = properties;
  return { ...rest, ...others, roleType };
}

type JsonRecord = Record<string, unknown>;

/** az's role definition file: `Name`, `Actions`, … (also accepted in camelCase). */
function field(input: JsonRecord, ...names: string[]): unknown {
  for (const name of names) if (input[name] !== undefined) return input[name];
  return undefined;
}

function stringList(input: JsonRecord, ...names: string[]): string[] {
  const value = field(input, ...names) ?? [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new UsageError(`'${names[0]}' must be a list of strings.`);
  }
  return value as string[];
}

function parseDefinition(text: string): JsonRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('--role-definition is not valid JSON (give the JSON itself or @file).');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError('--role-definition must be a JSON object.');
  }
  return value as JsonRecord;
}

export function registerRoleDefinition(role: Command, io: CliIo): void {
  const definition = role.command('definition').description('Manage role definitions.');

  subscriptionCommand(definition, 'list', 'List role definitions.')
    .option('--name <name|id>', 'A role name or id.')
    .option('--custom-role-only', 'Only custom roles.')
    .option('--scope <scope>', 'Scope to list at (default: the subscription).')
    .action(async (options: ListOptions) => {
      const json = await withSubscription(options, async (tessera, tenant, subscription) => {
        const scope = options.scope ?? `/subscriptions/${subscription.subscriptionId}`;
        const all = await tessera.roleDefinitions.list(
          tenant.id,
          options.customRoleOnly ? { type: 'CustomRole' } : {},
        );
        const name = options.name?.toLowerCase();
        return all
          .filter((d) => d.roleType === 'BuiltInRole' || d.assignableScopes.some((s) => appliesAt(s, scope)))
          .filter((d) => name === undefined || d.name === name || d.roleName.toLowerCase() === name)
          .map((d) => azDefinition(roleDefinitionResource(d, scope)));
      });
      printJson(io, json);
    });

  subscriptionCommand(definition, 'create', 'Create a custom role definition.')
    .requiredOption(
      '--role-definition <json|@file>',
      'JSON with Name, Description, Actions, NotActions, DataActions, NotDataActions, AssignableScopes.',
    )
    .action(async (options: CreateOptions) => {
      const input = parseDefinition(await readValue(options.roleDefinition));
      const json = await withSubscription(options, async (tessera, tenant) => {
        const scopes = stringList(input, 'AssignableScopes', 'assignableScopes');
        const assignableScopes = [];
        for (const scope of scopes)
          assignableScopes.push(formatScope(await resolveScope(tessera.db, tenant.id, scope)));
        const roleName = field(input, 'Name', 'name', 'roleName');
        if (typeof roleName !== 'string') throw new UsageError("The role definition needs a 'Name'.");
        const description = field(input, 'Description', 'description');
        const { definition: created } = await tessera.roleDefinitions.createOrUpdate(tenant.id, {
          name: randomUUID(),
          roleName,
          description: typeof description === 'string' ? description : undefined,
          permissions: [
            {
              actions: stringList(input, 'Actions', 'actions'),
              notActions: stringList(input, 'NotActions', 'notActions'),
              dataActions: stringList(input, 'DataActions', 'dataActions'),
              notDataActions: stringList(input, 'NotDataActions', 'notDataActions'),
            },
          ],
          assignableScopes,
        });
        return azDefinition(roleDefinitionResource(created, assignableScopes[0] ?? '/'));
      });
      printJson(io, json);
    });
}
