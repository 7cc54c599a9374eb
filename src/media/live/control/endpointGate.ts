import type { MediaAccount } from '../../accounts.js';
import { DEFAULT_ENDPOINT, endpointNamed, isServing } from '../../entities/streamingEndpoints.js';
import type { MediaEntities } from '../../persistence/mediaEntities.js';
import type { LocatorResolver, Resolution } from '../../streaming/types.js';

/**
 * Whether a streaming endpoint serves now: Running (or scaling while it runs). Origin locators
 * and live output are served only through an endpoint that serves; the state is read from the
 * account's in-memory view, which follows another process's Start or Stop within 100 ms.
 */
export class StreamingEndpointGate {
  constructor(
    private readonly entities: Pick<MediaEntities, 'view'>,
    private readonly accounts: { find(name: string): Promise<MediaAccount | null> },
  ) {}

  /** Undefined for an account that does not exist (its requests are 404s anyway). */
  async isServing(
    accountName: string,
    endpointName: string = DEFAULT_ENDPOINT,
  ): Promise<boolean | undefined> {
    const account = await this.accounts.find(accountName);
    if (!account) return undefined;
    const view = await this.entities.view(account.name);
    return isServing(endpointNamed(account, view, endpointName));
  }
}

/**
 * The default endpoint's resolver, answering only while the endpoint serves: a locator of a
 * stopped endpoint is refused with a reason that says so, rather than served or called missing.
 */
export function servingResolver(resolver: LocatorResolver, gate: StreamingEndpointGate): LocatorResolver {
  return {
    async resolve(account: string, locatorGuid: string): Promise<Resolution> {
      const resolution = await resolver.resolve(account, locatorGuid);
      if (resolution.kind !== 'ok' || (await gate.isServing(account)) !== false) return resolution;
      return {
        kind: 'forbidden',
        reason:
          "The streaming endpoint 'default' is not running; start it (POST StreamingEndpoints('…')/Start).",
      };
    },
  };
}
