import type { MediaAccounts } from '../accounts.js';
import type { ContainerGrants } from '../blobs/http/plugin.js';
import type { SasGrant } from '../blobs/sas.js';
import { LocatorType, grantOf } from '../entities/locators.js';
import { containerOf, newId } from '../ids.js';
import type { MediaEntities } from '../persistence/mediaEntities.js';

/**
 * What the blob endpoint trusts: the SAS locator named by `si`, on the asset whose container the
 * URL names, in the account the URL names, with the grant it was created with. The locator's
 * deletion revokes it at once, as deleting the stored access policy did on Azure Storage.
 */
export class LocatorGrants implements ContainerGrants {
  constructor(
    private readonly accounts: MediaAccounts,
    private readonly entities: MediaEntities,
  ) {}

  async find(accountName: string, container: string, locatorGuid: string) {
    if (!/^[0-9a-f-]{36}$/i.test(locatorGuid)) return undefined;
    const account = await this.accounts.find(accountName);
    if (!account) return undefined;
    const id = newId('lid', locatorGuid.toLowerCase());
    // A locator the view lacks may be one another process has just created.
    const locator =
      (await this.entities.view(account.name)).get('Locators', id) ??
      (await this.entities.currentView(account.name)).get('Locators', id);
    if (!locator || locator.Type !== LocatorType.Sas) return undefined;
    if (containerOf(locator.AssetId as string) !== container) return undefined;
    const grant: SasGrant = { locatorId: locatorGuid.toLowerCase(), container, ...grantOf(locator) };
    return { grant, key: account.storageKey };
  }
}
