import type { Group } from '../../directory/groups.js';
import type { EntityType } from '../odata/entityType.js';
import type { Json } from '../odata/evaluate.js';
import { graphDateTime } from './dates.js';

/** Graph's group. Tessera's groups are security groups: assigned membership, no mail. */
export const groupType: EntityType = {
  name: 'microsoft.graph.group',
  properties: {
    id: 'string',
    deletedDateTime: 'dateTime',
    classification: 'string',
    createdDateTime: 'dateTime',
    creationOptions: 'collection',
    description: 'string',
    displayName: 'string',
    expirationDateTime: 'dateTime',
    groupTypes: 'collection',
    isAssignableToRole: 'boolean',
    mail: 'string',
    mailEnabled: 'boolean',
    mailNickname: 'string',
    membershipRule: 'string',
    membershipRuleProcessingState: 'string',
    onPremisesSyncEnabled: 'boolean',
    preferredDataLocation: 'string',
    preferredLanguage: 'string',
    proxyAddresses: 'collection',
    renewedDateTime: 'dateTime',
    resourceBehaviorOptions: 'collection',
    resourceProvisioningOptions: 'collection',
    securityEnabled: 'boolean',
    securityIdentifier: 'string',
    theme: 'string',
    visibility: 'string',
  },
};

export function groupJson(group: Group): Json {
  const created = graphDateTime(group.createdAt);
  return {
    id: group.objectId,
    deletedDateTime: null,
    classification: null,
    createdDateTime: created,
    creationOptions: [],
    description: group.description,
    displayName: group.displayName,
    expirationDateTime: null,
    groupTypes: [],
    isAssignableToRole: null,
    mail: null,
    mailEnabled: false,
    mailNickname: group.mailNickname,
    membershipRule: null,
    membershipRuleProcessingState: null,
    onPremisesSyncEnabled: null,
    preferredDataLocation: null,
    preferredLanguage: null,
    proxyAddresses: [],
    renewedDateTime: created,
    resourceBehaviorOptions: [],
    resourceProvisioningOptions: [],
    securityEnabled: true,
    securityIdentifier: null,
    theme: null,
    visibility: null,
  };
}
