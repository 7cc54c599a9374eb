import { signRs256 } from '../../src/authority/tokens/jwt.js';
import type { TestServer } from './server.js';

/**
 * An app-only v1 access token signed with Tessera's own current key, for `audience`, with claims
 * of the test's choosing on top: how the guard tests build tokens the authority would not issue.
 */
export async function mintTokenFor(
  t: TestServer,
  audience: string,
  claims: Record<string, unknown>,
): Promise<string> {
  const key = await t.server.tessera.keys.current();
  const now = Math.floor(Date.now() / 1000);
  return signRs256(
    { typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.kid },
    {
      aud: audience,
      iss: `${t.origin}/${t.tenant.id}/`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      appid: '11111111-2222-3333-4444-555555555555',
      idtyp: 'app',
      oid: '99999999-8888-7777-6666-555555555555',
      tid: t.tenant.id,
      ver: '1.0',
      ...claims,
    },
    key.privateKey,
  );
}
