import type { Command } from 'commander';
import { formatScope, parseScope, resolveScope } from '../../access/scopes.js';
import { TesseraError } from '../../errors.js';
import { checkAccessEntries } from '../../management/resources/checkAccessDecision.js';
import type { AttributeValues, CheckedAction } from '../../management/resources/checkAccessRequest.js';
import { isActionId, withSubOperation } from '../../management/resources/checkAccessRequest.js';
import type { Tessera } from '../../tessera.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { DataOptions } from '../options.js';
import { dataCommand, withTessera } from '../options.js';
import { resolveAssignee } from '../principalLookup.js';

interface CheckOptions extends DataOptions {
  assignee: string;
  action: string;
  scope: string;
  dataAction?: boolean;
  requestAttribute?: string[];
  resourceAttribute?: string[];
}

/** `k=v` pairs; a key given twice is a multi-valued attribute. */
function attributeValues(pairs: readonly string[] | undefined, option: string): AttributeValues | undefined {
  if (!pairs) return undefined;
  const values: AttributeValues = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${option} '${pair}' is not of the form <name>=<value>.`);
    const key = pair.slice(0, at);
    const value = pair.slice(at + 1);
    const existing = values[key];
    values[key] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return values;
}

function checkedAction(options: CheckOptions): CheckedAction {
  if (!isActionId(options.action)) {
    throw new UsageError(
      `--action '${options.action}' is not valid: name one operation as '{Provider}/{resourceType}/{operation}', without wildcards.`,
    );
  }
  const action: CheckedAction = { id: options.action, isDataAction: options.dataAction === true };
  const request = attributeValues(options.requestAttribute, '--request-attribute');
  if (!request) return action;
  const subOperation = Object.entries(request).find(([key]) => key.toLowerCase() === 'suboperation');
  if (subOperation && Array.isArray(subOperation[1])) {
    throw new UsageError(
      '--request-attribute SubOperation names one suboperation; it was given more than once.',
    );
  }
  return { ...action, ...withSubOperation(request) };
}

/** The scope's tenant is its subscription's: the assignee is looked for there. */
async function scopeAndTenant(tessera: Tessera, scope: string) {
  const parsed = parseScope(scope);
  if (!parsed) {
    throw new UsageError(
      `--scope '${scope}' is not valid. Use /subscriptions/{id}, /subscriptions/{id}/resourceGroups/{name}, or a resource id under one of them.`,
    );
  }
  const subscription = await tessera.subscriptions.find(parsed.subscriptionId);
  if (!subscription)
    throw new UsageError(`--scope: the subscription '${parsed.subscriptionId}' could not be found.`);
  const tenant = await tessera.directory.tenants.get(subscription.tenantId);
  try {
    return { tenant, scope: formatScope(await resolveScope(tessera.db, tenant.id, scope)) };
  } catch (error) {
    if (error instanceof TesseraError) throw new UsageError(`--scope: ${error.message}`);
    throw error;
  }
}

/**
 * `tessera role check`: the check-access API's decision for any principal, evaluated in-process
 * against the store (an administrator's view: no caller whose own access limits what it may ask).
 */
export function registerRoleCheck(role: Command, io: CliIo): void {
  dataCommand(
    role,
    'check',
    "Check whether a principal may perform an action at a scope, and why (the check-access API's entry).",
  )
    .requiredOption(
      '--assignee <id>',
      "A user's object id or UPN, a service principal's appId or object id, or a group's name or id.",
    )
    .requiredOption(
      '--action <action>',
      "The action or data action, e.g. 'Microsoft.Storage/storageAccounts/read'.",
    )
    .requiredOption('--scope <scope>', 'Scope to check at: a subscription, resource group or resource id.')
    .option('--data-action', 'The action is a data action.')
    .option(
      '--request-attribute <name=value...>',
      'A request attribute for conditions (@Request); repeat a name for several values.',
    )
    .option('--resource-attribute <name=value...>', 'A resource attribute for conditions (@Resource).')
    .action(async (options: CheckOptions) => {
      const action = checkedAction(options);
      const resourceAttributes = attributeValues(options.resourceAttribute, '--resource-attribute');
      const entry = await withTessera(options, async (tessera) => {
        const { tenant, scope } = await scopeAndTenant(tessera, options.scope);
        let principalId: string;
        try {
          principalId = (await resolveAssignee(tessera, tenant, options.assignee)).objectId;
        } catch (error) {
          if (error instanceof TesseraError) throw new UsageError(`--assignee: ${error.message}`);
          throw error;
        }
        const [decided] = await checkAccessEntries(await tessera.access.current(), tessera.roleAssignments, {
          principalId,
          scope,
          actions: [action],
          ...(resourceAttributes ? { resourceAttributes } : {}),
        });
        return decided;
      });
      printJson(io, entry);
    });
}
