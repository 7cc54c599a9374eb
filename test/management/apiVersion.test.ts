import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../support/server.js';
import { arm, expectArmError, startArmAsOwner } from './support.js';
import type { ArmFixture } from './support.js';

describe('management API api-version', () => {
  let t: TestServer;
  let f: ArmFixture;
  let token: string;

  before(async () => {
    ({ t, f, token } = await startArmAsOwner());
  });
  after(async () => t.stop());

  it('is required on every request', async () => {
    for (const path of [
      '/subscriptions',
      '/tenants',
      `${f.subscriptionScope}/resourcegroups`,
      `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores`,
      `${f.groupScope}/providers/Microsoft.Authorization/roleAssignments`,
    ]) {
      expectArmError(
        await arm(t, 'GET', path, { token }),
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
  });

  it("must be one of the resource type's versions, which the error lists", async () => {
    const cases = [
      [
        `${f.groupScope}/providers/Microsoft.Authorization/roleAssignments?api-version=2021-04-01`,
        '2021-04-01',
        '2022-04-01,2020-04-01-preview,2018-01-01-preview,2015-07-01',
      ],
      [
        `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions?api-version=2020-01-01`,
        '2020-01-01',
        '2022-05-01-preview,2022-04-01,2018-01-01-preview,2015-07-01',
      ],
      [
        `${f.subscriptionScope}/resourcegroups?api-version=2022-04-01`,
        '2022-04-01',
        '2025-04-01,2025-03-01,2025-01-01,2024-11-01,2024-07-01,2024-03-01,2023-07-01,2022-09-01,2021-04-01,2021-01-01,2020-10-01,2020-08-01,2020-06-01,2019-10-01',
      ],
      ['/subscriptions?api-version=2021-04-01', '2021-04-01', '2022-12-01,2020-01-01,2019-11-01,2016-06-01'],
      [
        `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores/abcde?api-version=2022-04-01`,
        '2022-04-01',
        '2024-05-01,2023-03-01,2022-05-01,2020-06-01,2019-10-01',
      ],
      [
        `${f.groupScope}/providers/Microsoft.Media/mediaservices?api-version=2024-01-01`,
        '2024-01-01',
        '2023-01-01,2021-11-01,2021-06-01,2018-07-01,2015-10-01',
      ],
    ];
    for (const [path, version, supported] of cases) {
      expectArmError(
        await arm(t, 'GET', path ?? '', { token }),
        400,
        'InvalidApiVersionParameter',
        `The api-version '${version}' is invalid. The supported versions are '${supported}'.`,
      );
    }
  });

  it('accepts older versions of each type', async () => {
    for (const path of [
      `${f.groupScope}/providers/Microsoft.Authorization/roleAssignments?api-version=2015-07-01`,
      `${f.subscriptionScope}/resourcegroups?api-version=2019-10-01`,
      `/subscriptions?api-version=2016-06-01`,
      `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores?api-version=2019-10-01`,
      `${f.groupScope}/providers/Microsoft.Media/mediaservices?api-version=2015-10-01`,
    ]) {
      const response = await arm(t, 'GET', path, { token });
      if (response.status !== 200) throw new Error(`${path}: ${response.text}`);
    }
  });
});
