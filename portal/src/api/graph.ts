import { getGraph } from './graphPages.js';
import { text } from './json.js';

export interface Me {
  displayName: string;
  userPrincipalName: string;
}

/** The signed-in person as Microsoft Graph knows them (with a Graph token, not ARM's). */
export async function getMe(): Promise<Me> {
  const me = await getGraph('/v1.0/me?$select=displayName,userPrincipalName');
  return { displayName: text(me.displayName), userPrincipalName: text(me.userPrincipalName) };
}
