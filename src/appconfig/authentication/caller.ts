/** Who a data-plane request acts as: an access key (HMAC) or an Entra ID principal (bearer). */
export type Caller = AccessKeyCaller | PrincipalCaller;

export interface AccessKeyCaller {
  kind: 'accessKey';
  keyId: string;
  readOnly: boolean;
  /** The signed x-ms-content-sha256, checked against the body once it has been read. */
  contentSha256: string;
}

export interface PrincipalCaller {
  kind: 'principal';
  objectId: string;
  tenantId: string;
}
