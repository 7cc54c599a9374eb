import type { Principal } from './directoryObjects.js';
import { principalOf } from './directoryObjects.js';
import { getGraph, key, listGraph } from './graphPages.js';
import type { Json } from './json.js';
import { isJson, text } from './json.js';
import { callApi } from './http.js';

/** A security group as the Entra screens show one. */
export interface DirectoryGroup {
  id: string;
  displayName: string;
  description: string;
  createdDateTime: string;
}

const SELECT = 'id,displayName,description,createdDateTime';

const groupOf = (item: Json): DirectoryGroup => ({
  id: text(item.id),
  displayName: text(item.displayName),
  description: text(item.description),
  createdDateTime: text(item.createdDateTime),
});

export async function listGroups(): Promise<DirectoryGroup[]> {
  return (await listGraph(`/v1.0/groups?$select=${SELECT}&$top=999`)).map(groupOf);
}

export async function getGroup(id: string): Promise<DirectoryGroup> {
  return groupOf(await getGraph(`/v1.0/groups/${key(id)}?$select=${SELECT}`));
}

/** A mail nickname from the name: what Graph requires of every group, though no mail is sent. */
const nicknameOf = (displayName: string): string =>
  displayName
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .slice(0, 64) || 'group';

/** Tessera keeps security groups: no mail, no Microsoft 365 group types. */
export async function createGroup(displayName: string, description: string): Promise<DirectoryGroup> {
  const { body } = await callApi('graph', '/v1.0/groups', {
    method: 'POST',
    body: {
      displayName,
      mailNickname: nicknameOf(displayName),
      ...(description && { description }),
      mailEnabled: false,
      securityEnabled: true,
    },
  });
  return groupOf(isJson(body) ? body : {});
}

export async function deleteGroup(id: string): Promise<void> {
  await callApi('graph', `/v1.0/groups/${key(id)}`, { method: 'DELETE' });
}

/** The group's direct members: users, groups and service principals (managed identities among them). */
export async function listMembers(groupId: string): Promise<Principal[]> {
  return (await listGraph(`/v1.0/groups/${key(groupId)}/members`)).flatMap((item) => principalOf(item) ?? []);
}

export async function addMember(groupId: string, memberId: string): Promise<void> {
  await callApi('graph', `/v1.0/groups/${key(groupId)}/members/$ref`, {
    method: 'POST',
    body: { '@odata.id': `${location.origin}/v1.0/directoryObjects/${memberId}` },
  });
}

export async function removeMember(groupId: string, memberId: string): Promise<void> {
  await callApi('graph', `/v1.0/groups/${key(groupId)}/members/${key(memberId)}/$ref`, { method: 'DELETE' });
}
