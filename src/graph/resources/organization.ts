import { graphErrors } from '../errors.js';
import type { GraphOperation } from '../http/context.js';
import { paramOf } from '../http/context.js';
import { organizationJson, organizationType } from '../shapes/organization.js';
import { entityReply, listReply } from './replies.js';

/** The caller's tenant: the one organization a directory has. */
export const listOrganization: GraphOperation = async (context) =>
  listReply(context, [{ type: organizationType, json: organizationJson(context.tenant) }], 'organization', [
    organizationType,
  ]);

export const getOrganization: GraphOperation = async (context) => {
  const key = paramOf(context, 'id');
  if (key.value.toLowerCase() !== context.tenant.id) throw graphErrors.notFound(key.value);
  return entityReply(
    context,
    { type: organizationType, json: organizationJson(context.tenant) },
    'organization',
  );
};
