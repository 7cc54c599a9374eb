import { FIRST_PARTY_APP_IDS } from '../directory/firstParty.js';
import type { ResourcePorts } from '../management/resourcePorts.js';
import type { PublicOrigins } from './origins.js';

/**
 * Which first-party resource an origin of Tessera's names, as Entra resolves
 * `https://<store>.azconfig.io/.default` to App Configuration: the server's own origin is the
 * management API (ARM SDKs ask for `<endpoint>/.default`), and a store's or an account's own
 * origin (its port) is App Configuration or Media Services, and Graph's own origin is Graph. The token's audience is the origin as
 * asked, which the service then matches against the Host it was called on.
 */
export class OriginResources {
  constructor(
    private readonly origins: PublicOrigins,
    private readonly ports: Pick<ResourcePorts, 'at'>,
  ) {}

  async appIdOf(resource: string): Promise<string | undefined> {
    if (!URL.canParse(resource)) return undefined;
    const url = new URL(resource);
    const plain = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if (url.protocol !== 'https:' || !plain || !this.origins.hasHostname(url.hostname)) return undefined;
    const port = url.port === '' ? 443 : Number(url.port);
    if (port === this.origins.listeningPort) return FIRST_PARTY_APP_IDS.management;
    const owner = await this.ports.at(port);
    switch (owner?.kind) {
      case undefined:
        return undefined;
      case 'configurationStore':
        return FIRST_PARTY_APP_IDS.appConfiguration;
      case 'mediaService':
        return FIRST_PARTY_APP_IDS.mediaServices;
      case 'graph':
        return FIRST_PARTY_APP_IDS.graph;
    }
  }
}
