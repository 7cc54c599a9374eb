import { callApi } from './http.js';

export interface Me {
  displayName: string;
  userPrincipalName: string;
}

/** The signed-in person as Microsoft Graph knows them (with a Graph token, not ARM's). */
export async function getMe(): Promise<Me> {
  const { body } = await callApi('graph', '/v1.0/me?$select=displayName,userPrincipalName');
  const me = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    displayName: typeof me.displayName === 'string' ? me.displayName : '',
    userPrincipalName: typeof me.userPrincipalName === 'string' ? me.userPrincipalName : '',
  };
}
