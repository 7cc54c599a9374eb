import type { ConditionAttributes } from '../../access/conditions/conditionAttributes.js';
import { parseScope } from '../../access/scopes.js';
import { isGuid } from '../../errors.js';
import type { JsonObject } from '../arm/body.js';
import { isObject, objectBody } from '../arm/body.js';
import { ArmError, armErrors } from '../arm/errors.js';
import { invalidScope } from './authorizationScope.js';

/**
 * The body of `POST /providers/Microsoft.Authorization/checkAccess`, the shape of Azure's RBAC
 * remote PDP: `{"Subject":{"Attributes":{"ObjectId"}},"Actions":[{"Id","IsDataAction","Attributes"}],
 * "Resource":{"Id","Attributes"}}`. Keys are matched case-insensitively, as the PDP's .NET
 * deserializer does; keys Tessera does not use (`Subject.Attributes.Groups`, `Environment`) are
 * ignored — groups come from the directory, transitively, never from the caller.
 */

/** At most this many actions in one request, as the PDP. */
export const CHECK_ACCESS_MAX_ACTIONS = 100;
/** Room for 100 actions with generous attributes; anything larger is not a check. */
export const CHECK_ACCESS_BODY_LIMIT = 64 * 1024;

export type AttributeValues = Record<string, string | string[]>;

export interface CheckedAction {
  id: string;
  isDataAction: boolean;
  /** `Actions[].Attributes` (`@Request[…]`), without the `SubOperation` key. */
  requestAttributes?: AttributeValues;
  subOperation?: string;
}

export interface CheckAccessRequest {
  /** Lower-cased object id of the principal asked about. */
  principalId: string;
  /** `Resource.Id`, a subscription-rooted ARM scope (checked for form only). */
  scope: string;
  actions: CheckedAction[];
  /** `Resource.Attributes` (`@Resource[…]`). */
  resourceAttributes?: AttributeValues;
}

const SUB_OPERATION = 'suboperation';
// `{Provider}/{type}[/{type}…]/{operation}`: no blanks, no wildcards (a check names one operation).
const ACTION_ID = /^[^\s/*]+(?:\/[^\s/*]+)+$/;
const ACTION_ID_MAX = 512;

export const invalidCheckAccess = (detail: string): ArmError =>
  new ArmError(400, 'InvalidCheckAccessRequest', detail);

/** `parent[name]` with the key matched case-insensitively; two spellings of one key are refused. */
function member(parent: JsonObject, name: string, path: string): unknown {
  const keys = Object.keys(parent).filter((k) => k.toLowerCase() === name.toLowerCase());
  if (keys.length > 1) {
    throw armErrors.invalidRequestContent(
      `The property '${path}' is given more than once (${keys.join(', ')}).`,
    );
  }
  const key = keys[0];
  return key === undefined ? undefined : parent[key];
}

function objectMember(parent: JsonObject, name: string, path: string): JsonObject | undefined {
  const value = member(parent, name, path);
  if (value === undefined || value === null) return undefined;
  if (!isObject(value))
    throw armErrors.invalidRequestContent(`The value of '${path}' must be a JSON object.`);
  return value;
}

function requiredString(parent: JsonObject, name: string, path: string): string {
  const value = member(parent, name, path);
  if (value === undefined || value === null || value === '') {
    throw invalidCheckAccess(`The property '${path}' is required.`);
  }
  if (typeof value !== 'string')
    throw armErrors.invalidRequestContent(`The value of '${path}' must be a string.`);
  return value;
}

/** One attribute value: a string, or a number or boolean in its JSON spelling (conditions compare text). */
function scalar(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
    return String(value);
  throw armErrors.invalidRequestContent(
    `The value of '${path}' must be a string, a number, a boolean or an array of them.`,
  );
}

function attributes(parent: JsonObject, path: string): AttributeValues | undefined {
  const given = objectMember(parent, 'Attributes', `${path}.Attributes`);
  if (!given) return undefined;
  const values: AttributeValues = {};
  for (const [key, value] of Object.entries(given)) {
    const at = `${path}.Attributes['${key}']`;
    if (key.trim() === '') throw invalidCheckAccess(`An attribute name in '${path}.Attributes' is empty.`);
    values[key] = Array.isArray(value) ? value.map((v, i) => scalar(v, `${at}[${i}]`)) : scalar(value, at);
  }
  return values;
}

function readAction(value: unknown, index: number): CheckedAction {
  const path = `Actions[${index}]`;
  if (!isObject(value))
    throw armErrors.invalidRequestContent(`The value of '${path}' must be a JSON object.`);
  const id = requiredString(value, 'Id', `${path}.Id`);
  if (!isActionId(id)) {
    throw invalidCheckAccess(
      `The action '${id.slice(0, 80)}' in '${path}.Id' is not valid: name one operation as '{Provider}/{resourceType}/{operation}', without wildcards.`,
    );
  }
  const isDataAction = member(value, 'IsDataAction', `${path}.IsDataAction`) ?? false;
  if (typeof isDataAction !== 'boolean') {
    throw armErrors.invalidRequestContent(`The value of '${path}.IsDataAction' must be a boolean.`);
  }
  const given = attributes(value, path);
  if (!given) return { id, isDataAction };
  const subKey = subOperationKey(given);
  if (subKey !== undefined && Array.isArray(given[subKey])) {
    throw armErrors.invalidRequestContent(`The value of '${path}.Attributes['${subKey}']' must be a string.`);
  }
  return { id, isDataAction, ...withSubOperation(given) };
}

/** Whether `id` names one operation: `{Provider}/{resourceType}/{operation}`, no blanks or wildcards. */
export const isActionId = (id: string): boolean => id.length <= ACTION_ID_MAX && ACTION_ID.test(id);

const subOperationKey = (values: AttributeValues) =>
  Object.keys(values).find((k) => k.toLowerCase() === SUB_OPERATION);

/** The suboperation travels with the request's attributes, under its own key; a list is not one. */
export function withSubOperation(
  values: AttributeValues,
): Pick<CheckedAction, 'requestAttributes' | 'subOperation'> {
  const key = subOperationKey(values);
  const subOperation = key === undefined ? undefined : values[key];
  const requestAttributes = Object.fromEntries(Object.entries(values).filter(([k]) => k !== key));
  return { requestAttributes, ...(typeof subOperation === 'string' ? { subOperation } : {}) };
}

export function parseCheckAccessRequest(body: unknown): CheckAccessRequest {
  const root = objectBody(body);
  const subject = objectMember(root, 'Subject', 'Subject');
  const subjectAttributes = subject && objectMember(subject, 'Attributes', 'Subject.Attributes');
  if (!subjectAttributes) throw invalidCheckAccess("The property 'Subject.Attributes.ObjectId' is required.");
  const objectId = requiredString(subjectAttributes, 'ObjectId', 'Subject.Attributes.ObjectId');
  if (!isGuid(objectId)) {
    throw new ArmError(
      400,
      'InvalidPrincipalId',
      `The principal ID '${objectId.slice(0, 80)}' is not valid. It must be a GUID.`,
    );
  }

  const actions = member(root, 'Actions', 'Actions');
  if (actions !== undefined && actions !== null && !Array.isArray(actions)) {
    throw armErrors.invalidRequestContent("The value of 'Actions' must be an array.");
  }
  if (!actions || actions.length === 0) throw invalidCheckAccess("'Actions' must list at least one action.");
  if (actions.length > CHECK_ACCESS_MAX_ACTIONS) {
    throw invalidCheckAccess(
      `'Actions' lists ${actions.length} actions; at most ${CHECK_ACCESS_MAX_ACTIONS} can be checked in one request.`,
    );
  }

  const resource = objectMember(root, 'Resource', 'Resource');
  if (!resource) throw invalidCheckAccess("The property 'Resource.Id' is required.");
  const scope = requiredString(resource, 'Id', 'Resource.Id');
  if (!parseScope(scope)) throw invalidScope(scope.slice(0, 300));
  const resourceAttributes = attributes(resource, 'Resource');

  return {
    principalId: objectId.toLowerCase(),
    scope,
    actions: actions.map(readAction),
    ...(resourceAttributes ? { resourceAttributes } : {}),
  };
}

/**
 * What a condition sees for one action. None given anywhere means "not known": a grant that
 * depends on attributes is then reported as `AttributesRequired`, not decided on missing values.
 * Any given means "these are all there are": a comparison on a missing one is false.
 */
export function conditionAttributesOf(
  action: CheckedAction,
  resourceAttributes: AttributeValues | undefined,
): ConditionAttributes | undefined {
  if (!action.requestAttributes && !resourceAttributes) return undefined;
  return {
    request: action.requestAttributes ?? {},
    resource: resourceAttributes ?? {},
    ...(action.subOperation !== undefined ? { subOperation: action.subOperation } : {}),
  };
}
