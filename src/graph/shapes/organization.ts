import type { Tenant } from '../../directory/model.js';
import type { EntityType } from '../odata/entityType.js';
import type { Json } from '../odata/evaluate.js';
import { graphDateTime } from './dates.js';

/** Graph's organization: the tenant, with its one (initial, default) verified domain. */
export const organizationType: EntityType = {
  name: 'microsoft.graph.organization',
  properties: {
    id: 'string',
    deletedDateTime: 'dateTime',
    businessPhones: 'collection',
    city: 'string',
    country: 'string',
    countryLetterCode: 'string',
    createdDateTime: 'dateTime',
    displayName: 'string',
    marketingNotificationEmails: 'collection',
    onPremisesSyncEnabled: 'boolean',
    postalCode: 'string',
    preferredLanguage: 'string',
    securityComplianceNotificationMails: 'collection',
    securityComplianceNotificationPhones: 'collection',
    state: 'string',
    street: 'string',
    technicalNotificationMails: 'collection',
    tenantType: 'string',
    assignedPlans: 'collection',
    privacyProfile: 'complex',
    provisionedPlans: 'collection',
    verifiedDomains: 'collection',
  },
};

export function organizationJson(tenant: Tenant): Json {
  return {
    id: tenant.id,
    deletedDateTime: null,
    businessPhones: [],
    city: null,
    country: null,
    countryLetterCode: null,
    createdDateTime: graphDateTime(tenant.createdAt),
    displayName: tenant.displayName,
    marketingNotificationEmails: [],
    onPremisesSyncEnabled: null,
    postalCode: null,
    preferredLanguage: null,
    securityComplianceNotificationMails: [],
    securityComplianceNotificationPhones: [],
    state: null,
    street: null,
    technicalNotificationMails: [],
    tenantType: 'AAD',
    assignedPlans: [],
    privacyProfile: null,
    provisionedPlans: [],
    verifiedDomains: [
      {
        capabilities: 'Email, OfficeCommunicationsOnline',
        isDefault: true,
        isInitial: true,
        name: tenant.domain,
        type: 'Managed',
      },
    ],
  };
}
