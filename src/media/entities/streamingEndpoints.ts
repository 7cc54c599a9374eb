import { nameGuid, newId } from '../ids.js';
import type { EntitySetRules } from './rules.js';

/**
 * Every account's "default" streaming endpoint, which origin locators are served through. It
 * runs whenever the server does; creating, scaling, starting and stopping endpoints belong to
 * the live half of the API and are refused until it lands.
 */
export const streamingEndpoints: EntitySetRules = {
  set: 'StreamingEndpoints',
  builtIn: (account) => [
    {
      Id: newId('oid', nameGuid(`${account.mediaServiceId}:default`)),
      Name: 'default',
      Description: 'The default streaming endpoint',
      Created: 0,
      LastModified: 0,
      State: 'Running',
      ScaleUnits: 0,
      CdnEnabled: false,
      CdnProvider: null,
      CdnProfile: null,
      CustomHostNames: [],
      AccessControl: null,
      CacheControl: null,
      CrossSiteAccessPolicies: null,
      StreamingEndpointVersion: '2.0',
      FreeTrialEndTime: null,
    },
  ],
  present(record, { urls }) {
    return { ...record, HostName: urls.streaming.replace(/^https:\/\//, '') };
  },
};
