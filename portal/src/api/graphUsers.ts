import { callApi } from './http.js';
import { getGraph, key, listGraph, valueOf } from './graphPages.js';
import type { Json } from './json.js';
import { isJson, text } from './json.js';

/** A user as the Entra screens show one. */
export interface DirectoryUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  accountEnabled: boolean;
  userType: string;
  createdDateTime: string;
}

const SELECT = 'id,displayName,userPrincipalName,accountEnabled,userType,createdDateTime';

const userOf = (item: Json): DirectoryUser => ({
  id: text(item.id),
  displayName: text(item.displayName),
  userPrincipalName: text(item.userPrincipalName),
  accountEnabled: item.accountEnabled === true,
  userType: text(item.userType) || 'Member',
  createdDateTime: text(item.createdDateTime),
});

export async function listUsers(): Promise<DirectoryUser[]> {
  return (await listGraph(`/v1.0/users?$select=${SELECT}&$top=999`)).map(userOf);
}

export async function getUser(id: string): Promise<DirectoryUser> {
  return userOf(await getGraph(`/v1.0/users/${key(id)}?$select=${SELECT}`));
}

export interface NewUser {
  displayName: string;
  /** The part before the @, which is also the mail nickname. */
  alias: string;
  domain: string;
  password: string;
  forceChangePasswordNextSignIn: boolean;
  accountEnabled: boolean;
}

export async function createUser(user: NewUser): Promise<DirectoryUser> {
  const { body } = await callApi('graph', '/v1.0/users', {
    method: 'POST',
    body: {
      accountEnabled: user.accountEnabled,
      displayName: user.displayName,
      mailNickname: user.alias,
      userPrincipalName: `${user.alias}@${user.domain}`,
      passwordProfile: {
        password: user.password,
        forceChangePasswordNextSignIn: user.forceChangePasswordNextSignIn,
      },
    },
  });
  return userOf(isJson(body) ? body : {});
}

/** A new password; the user's sessions end with the old one. */
export async function resetPassword(id: string, password: string, forceChange: boolean): Promise<void> {
  await callApi('graph', `/v1.0/users/${key(id)}`, {
    method: 'PATCH',
    body: { passwordProfile: { password, forceChangePasswordNextSignIn: forceChange } },
  });
}

export async function setAccountEnabled(id: string, accountEnabled: boolean): Promise<void> {
  await callApi('graph', `/v1.0/users/${key(id)}`, { method: 'PATCH', body: { accountEnabled } });
}

export async function deleteUser(id: string): Promise<void> {
  await callApi('graph', `/v1.0/users/${key(id)}`, { method: 'DELETE' });
}

export interface Membership {
  id: string;
  displayName: string;
  description: string;
}

/** The groups the user is a direct member of (memberOf also lists directory roles: left out). */
export async function userGroups(id: string): Promise<Membership[]> {
  const items = await listGraph(`/v1.0/users/${key(id)}/memberOf`);
  return items
    .filter((item) => text(item['@odata.type']).replace(/^#?microsoft\.graph\./i, '') === 'group')
    .map((item) => ({
      id: text(item.id),
      displayName: text(item.displayName),
      description: text(item.description),
    }));
}

/**
 * The organization's verified domains, its default first: a new user's name must end in one
 * (Graph refuses any other).
 */
export async function verifiedDomains(): Promise<string[]> {
  const { body } = await callApi('graph', '/v1.0/organization?$select=verifiedDomains');
  const domains = valueOf(body).flatMap((org) =>
    Array.isArray(org.verifiedDomains) ? org.verifiedDomains.filter(isJson) : [],
  );
  return domains
    .sort((a, b) => Number(b.isDefault === true) - Number(a.isDefault === true))
    .map((d) => text(d.name))
    .filter((name) => name !== '');
}

const CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#$%*+-=?@'];

/**
 * A password Entra's default policy takes (three of four character classes; this one has all
 * four), from the browser's cryptographic random source: 16 characters, about 95 bits.
 */
export function generatePassword(length = 16): string {
  const all = CLASSES.join('');
  const pick = (alphabet: string): string => {
    // Rejection sampling: no character more likely than another.
    const limit = 256 - (256 % alphabet.length);
    for (;;) {
      const [byte] = crypto.getRandomValues(new Uint8Array(1));
      if (byte !== undefined && byte < limit) return alphabet[byte % alphabet.length] ?? '';
    }
  };
  const chars = [...CLASSES.map(pick), ...Array.from({ length: length - CLASSES.length }, () => pick(all))];
  // Shuffle (Fisher–Yates), so the classes' characters are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = Number(crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) % (i + 1);
    [chars[i], chars[j]] = [chars[j] ?? '', chars[i] ?? ''];
  }
  return chars.join('');
}
