import { randomUUID } from 'node:crypto';
import type { PermissionScope } from '../directory/model.js';
import { TesseraError } from '../errors.js';

// Entra's rule for a permission value: no spaces, and no leading dot (`.default` is reserved).
const SCOPE_VALUE = /^[A-Za-z0-9_][\x21-\x7e]*$/;

/**
 * Tessera's `--scopes user_impersonation,Orders.Read`: the delegated permissions an API exposes
 * (az needs `--set api.oauth2PermissionScopes=[…]` with full JSON objects for the same).
 */
export function parsePermissionScopes(list: string): PermissionScope[] {
  const values = list
    .split(/[,\s]+/)
    .map((v) => v.trim())
    .filter(Boolean);
  const seen = new Set<string>();
  return values.map((value) => {
    if (!SCOPE_VALUE.test(value) || value.includes(',')) {
      throw new TesseraError(
        'InvalidArgumentValue',
        `Permission scope '${value}' is not valid: it may not contain spaces or start with a dot.`,
      );
    }
    if (seen.has(value.toLowerCase())) {
      throw new TesseraError('InvalidArgumentValue', `Permission scope '${value}' is listed twice.`);
    }
    seen.add(value.toLowerCase());
    return {
      id: randomUUID(),
      value,
      type: 'User',
      adminConsentDisplayName: `Access ${value}`,
      adminConsentDescription: `Allow the application to use ${value} on behalf of the signed-in user.`,
      isEnabled: true,
    };
  });
}
