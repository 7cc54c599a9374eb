/**
 * The service's WWW-Authenticate texts. Both schemes are always offered; the one that failed
 * carries the reason. No `claims=` parameter ever: it would send the SDKs into a continuous
 * access evaluation round trip that cannot succeed here.
 */
export const challenges = {
  none: 'HMAC-SHA256, Bearer',
  hmac: (description: string) =>
    `HMAC-SHA256 error="invalid_token", error_description="${description}", Bearer`,
  bearer: (description: string) =>
    `HMAC-SHA256, Bearer error="invalid_token", error_description="${description}"`,
};

export const bearerDescriptions = {
  invalid: 'Authorization token failed validation',
  wrongIssuer:
    'The access token is from the wrong issuer. It must match the AD tenant associated with the subscription, ' +
    'to which the configuration store belongs. If you just transferred your subscription and see this error ' +
    'message, please try back later.',
};

/** The documented HMAC failures (rest-api-authentication-hmac), plus the content check. */
export const hmacDescriptions = {
  expired: 'The access token has expired',
  invalidDate: 'Invalid access token date',
  required: (parameter: 'Credential' | 'SignedHeaders' | 'Signature') => `${parameter} is required`,
  invalidCredential: 'Invalid Credential',
  invalidSignature: 'Invalid Signature',
  headerNotProvided: (header: string) => `Signed request header '${header}' is not provided`,
  mustBeSigned: (header: string) => `${header} is required as a signed header`,
  invalidContentHash: 'Invalid request content hash',
  disabled: 'Authentication scheme disabled',
};
