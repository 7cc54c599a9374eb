import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  featureFlagContentType,
  featureFlagPrefix,
  isFeatureFlag,
  isSecretReference,
  parseFeatureFlag,
  parseSecretReference,
  secretReferenceContentType,
} from '@azure/app-configuration';
import type { ConfigurationSetting, FeatureFlagValue, SecretReferenceValue } from '@azure/app-configuration';
import { collect, forEachAuthMode } from './support.js';

forEachAuthMode('feature flags and Key Vault references', (fixture) => {
  it('round-trips a feature flag through the SDK helpers', async () => {
    const { client } = fixture();
    const flag: ConfigurationSetting<FeatureFlagValue> = {
      key: `${featureFlagPrefix}Beta`,
      label: 'prod',
      contentType: featureFlagContentType,
      isReadOnly: false,
      value: {
        id: 'Beta',
        enabled: true,
        description: 'The beta UI',
        displayName: 'Beta',
        conditions: {
          clientFilters: [{ name: 'Microsoft.Percentage', parameters: { Value: 50 } }],
          requirementType: 'All',
        },
      },
    };
    await client.addConfigurationSetting(flag);
    const got = await client.getConfigurationSetting({ key: flag.key, label: 'prod' });
    assert.equal(got.contentType, featureFlagContentType);
    assert.ok(isFeatureFlag(got));
    const parsed = parseFeatureFlag(got);
    assert.deepEqual(parsed.value, flag.value);

    const listed = await collect(client.listConfigurationSettings({ keyFilter: `${featureFlagPrefix}*` }));
    assert.deepEqual(
      listed.map((s) => s.key),
      [flag.key],
    );
  });

  it('returns special values byte for byte', async () => {
    const { client } = fixture();
    // Formatting, key order and escapes a re-serialising server would change.
    const value = '{"id":"Raw",  "enabled" : false,"conditions":{"client_filters":[]},"x":"\\u00e9\\/"}\n';
    await client.setConfigurationSetting({
      key: `${featureFlagPrefix}Raw`,
      contentType: featureFlagContentType,
      value,
    });
    const got = await client.getConfigurationSetting({ key: `${featureFlagPrefix}Raw` });
    assert.equal(got.value, value);
  });

  it('round-trips a Key Vault reference', async () => {
    const { client } = fixture();
    const reference: ConfigurationSetting<SecretReferenceValue> = {
      key: 'db:password',
      contentType: secretReferenceContentType,
      isReadOnly: false,
      value: { secretId: 'https://vault.vault.azure.net/secrets/db-password' },
    };
    await client.setConfigurationSetting(reference);
    const got = await client.getConfigurationSetting({ key: 'db:password' });
    assert.equal(got.contentType, secretReferenceContentType);
    assert.ok(isSecretReference(got));
    assert.deepEqual(parseSecretReference(got).value, reference.value);
    assert.equal(got.value, '{"uri":"https://vault.vault.azure.net/secrets/db-password"}');
  });
});
