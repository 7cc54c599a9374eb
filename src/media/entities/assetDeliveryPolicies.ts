import { newId } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import type { AccountView } from '../persistence/accountView.js';
import type { EntitySetRules } from './rules.js';
import { enumValue, merged, optionalString } from './values.js';

export const DeliveryProtocol = {
  SmoothStreaming: 1,
  Dash: 2,
  HLS: 4,
  Hds: 8,
  ProgressiveDownload: 16,
  All: 0xffff,
};
export const DeliveryPolicyType = {
  None: 0,
  Blocked: 1,
  NoDynamicEncryption: 2,
  DynamicEnvelopeEncryption: 3,
  DynamicCommonEncryption: 4,
};
const PROTOCOLS = [1, 2, 4, 8, 16, 0xffff];
const TYPES = [0, 1, 2, 3, 4];

export interface AllowedProtocols {
  smooth: boolean;
  dash: boolean;
  hls: boolean;
  progressive: boolean;
}

/**
 * Which protocols an asset may be streamed in. With no policy every protocol is open (an
 * unencrypted asset, as Azure); a Blocked policy closes the protocols it names; a policy of
 * another type opens the protocols it names. Dynamic encryption is not implemented: a policy
 * that asks for it closes its protocols rather than serve them in the clear.
 */
export function allowedProtocols(view: AccountView, assetId: string): AllowedProtocols {
  const policies = view
    .targets('Assets', assetId, 'DeliveryPolicies')
    .map((l) => view.get('AssetDeliveryPolicies', l.targetId))
    .filter((p): p is EntityRecord => p !== undefined);
  if (policies.length === 0) return { smooth: true, dash: true, hls: true, progressive: true };
  let open = 0;
  let closed = 0;
  for (const policy of policies) {
    const protocols = policy.AssetDeliveryProtocol as number;
    const type = policy.AssetDeliveryPolicyType as number;
    if (type === DeliveryPolicyType.NoDynamicEncryption || type === DeliveryPolicyType.None)
      open |= protocols;
    else closed |= protocols;
  }
  const allowed = (bit: number) => (open & bit) !== 0 && (closed & bit) === 0;
  return {
    smooth: allowed(DeliveryProtocol.SmoothStreaming),
    dash: allowed(DeliveryProtocol.Dash),
    hls: allowed(DeliveryProtocol.HLS),
    // Progressive download is not packaging: only a Blocked policy naming it closes it.
    progressive: (closed & DeliveryProtocol.ProgressiveDownload) === 0,
  };
}

export const assetDeliveryPolicies: EntitySetRules = {
  set: 'AssetDeliveryPolicies',
  create(ctx, body) {
    const values = body.values;
    const policy: EntityRecord = {
      Id: newId('adpid'),
      Name: optionalString(values, 'Name', 256) ?? '',
      AssetDeliveryProtocol: enumValue(values, 'AssetDeliveryProtocol', PROTOCOLS, 0, true),
      AssetDeliveryPolicyType: enumValue(values, 'AssetDeliveryPolicyType', TYPES, 0),
      AssetDeliveryConfiguration: optionalString(values, 'AssetDeliveryConfiguration', 64 * 1024) ?? null,
      Created: ctx.now,
      LastModified: ctx.now,
    };
    ctx.writer.insert('AssetDeliveryPolicies', policy);
    return policy;
  },
  update(ctx, existing, body, replace) {
    return merged(
      existing,
      body.values,
      {
        Name: (v) => optionalString(v, 'Name', 256) ?? '',
        AssetDeliveryProtocol: (v) => enumValue(v, 'AssetDeliveryProtocol', PROTOCOLS, 0, true),
        AssetDeliveryPolicyType: (v) => enumValue(v, 'AssetDeliveryPolicyType', TYPES, 0),
        AssetDeliveryConfiguration: (v) => optionalString(v, 'AssetDeliveryConfiguration', 64 * 1024),
      },
      replace,
      ctx.now,
    );
  },
  remove(ctx, existing) {
    const id = existing.Id as string;
    for (const link of ctx.writer.linksTo('AssetDeliveryPolicies', id)) ctx.writer.unlink(link);
    ctx.writer.remove('AssetDeliveryPolicies', id);
  },
};
