import type { Command } from 'commander';
import type { DenyPrincipal } from '../../access/denyAssignments.js';
import { everyone } from '../../access/denyAssignments.js';
import type { Tenant } from '../../directory/model.js';
import { findPrincipal } from '../../directory/principals.js';
import { TesseraError } from '../../errors.js';
import { denyAssignmentResource } from '../../management/resources/denyAssignmentsApi.js';
import { relationOf } from '../../management/resources/scopeRelations.js';
import type { Tessera } from '../../tessera.js';
import type { SubscriptionOptions } from '../armContext.js';
import { subscriptionCommand, withSubscription } from '../armContext.js';
import { azResource } from '../armJson.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';

interface CreateOptions extends SubscriptionOptions {
  name: string;
  scope: string;
  description?: string;
  actions: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
  principalIds?: string[];
  everyone?: boolean;
  excludePrincipalIds?: string[];
  doNotApplyToChildScopes?: boolean;
}

async function denyPrincipals(
  tessera: Tessera,
  tenant: Tenant,
  ids: readonly string[],
): Promise<DenyPrincipal[]> {
  const principals: DenyPrincipal[] = [];
  for (const id of ids) {
    const principal = await findPrincipal(tessera.db, tenant.id, id);
    if (!principal)
      throw new TesseraError('PrincipalNotFound', `Principal '${id}' does not exist in the directory.`);
    principals.push({ id: principal.objectId, type: principal.type });
  }
  return principals;
}

/** Azure only creates deny assignments itself; Tessera lets an administrator make them (an extension). */
export function registerRoleDeny(role: Command, io: CliIo): void {
  const deny = role.command('deny').description('Manage deny assignments (Tessera extension).');

  subscriptionCommand(deny, 'create', 'Create a deny assignment.')
    .requiredOption('--name <name>', 'The deny assignment name shown in 403 messages.')
    .requiredOption('--scope <scope>', 'Scope at which the deny applies (and below, unless told otherwise).')
    .requiredOption('--actions <action...>', 'Actions denied, with * wildcards.')
    .option('--not-actions <action...>', 'Actions excepted from the denied ones.')
    .option('--data-actions <action...>', 'Data actions denied.')
    .option('--not-data-actions <action...>', 'Data actions excepted.')
    .option('--principal-ids <id...>', 'Object ids of the users, groups or service principals denied.')
    .option('--everyone', 'Deny every principal.')
    .option('--exclude-principal-ids <id...>', 'Object ids exempted from the deny.')
    .option('--description <text>', 'Description.')
    .option('--do-not-apply-to-child-scopes', 'Apply at the scope only, not below it.')
    .action(async (options: CreateOptions) => {
      if (Boolean(options.everyone) === Boolean(options.principalIds?.length)) {
        throw new UsageError('Give exactly one of --principal-ids or --everyone.');
      }
      const json = await withSubscription(options, async (tessera, tenant) => {
        const created = await tessera.denyAssignments.create({
          tenantId: tenant.id,
          scope: options.scope,
          denyAssignmentName: options.name,
          description: options.description,
          permissions: [
            {
              actions: options.actions,
              notActions: options.notActions ?? [],
              dataActions: options.dataActions ?? [],
              notDataActions: options.notDataActions ?? [],
            },
          ],
          principals: options.everyone
            ? [everyone]
            : await denyPrincipals(tessera, tenant, options.principalIds ?? []),
          excludePrincipals: await denyPrincipals(tessera, tenant, options.excludePrincipalIds ?? []),
          doNotApplyToChildScopes: options.doNotApplyToChildScopes,
        });
        return azResource(denyAssignmentResource(created));
      });
      printJson(io, json);
    });

  subscriptionCommand(deny, 'list', 'List deny assignments at, above and below a scope.')
    .option('--scope <scope>', 'Scope (default: the subscription).')
    .action(async (options: SubscriptionOptions & { scope?: string }) => {
      const json = await withSubscription(options, async (tessera, tenant, subscription) => {
        const scope = options.scope ?? `/subscriptions/${subscription.subscriptionId}`;
        const denies = await tessera.denyAssignments.list(tenant.id);
        return denies
          .filter((d) => relationOf(d.scope, scope) !== 'unrelated')
          .map((d) => azResource(denyAssignmentResource(d)));
      });
      printJson(io, json);
    });

  subscriptionCommand(deny, 'delete', 'Delete a deny assignment.')
    .requiredOption('--id <guid>', 'The deny assignment id (its GUID name).')
    .action(async (options: SubscriptionOptions & { id: string }) => {
      await withSubscription(options, async (tessera, tenant) => {
        const name = options.id.split('/').pop() ?? options.id;
        if (!(await tessera.denyAssignments.delete(tenant.id, name))) {
          throw new TesseraError(
            'DenyAssignmentNotFound',
            `The deny assignment '${options.id}' is not found.`,
          );
        }
      });
    });
}
