import assert from 'node:assert/strict';
import {
  X509Certificate,
  constants,
  createCipheriv,
  createHash,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MediaServices } from '../../src/management/mediaServices.js';
import { ResourcePorts } from '../../src/management/resourcePorts.js';
import { ResourceGroups } from '../../src/management/resourceGroups.js';
import { Subscriptions } from '../../src/management/subscriptions.js';
import type { MediaAccount } from '../../src/media/accounts.js';
import { PATH_MODEL } from '../../src/media/api/pathModel.js';
import type { ApiSession } from '../../src/media/api/types.js';
import { UnitOfWork } from '../../src/media/api/unitOfWork.js';
import { contentKeys } from '../../src/media/entities/contentKeys.js';
import { notificationEndPoints } from '../../src/media/entities/notificationEndPoints.js';
import type { RuleContext, RuleServices } from '../../src/media/entities/rules.js';
import { MediaError } from '../../src/media/errors.js';
import { readEntityBody } from '../../src/media/odata/bodyReader.js';
import type { EntityRecord } from '../../src/media/odata/edm.js';
import { entityTypeOf } from '../../src/media/odata/model.js';
import { parseResourcePath } from '../../src/media/odata/resourcePath.js';
import { MediaEntities } from '../../src/media/persistence/mediaEntities.js';
import { mintProtectionKey } from '../../src/media/protection/certificate.js';
import { contentKeyChecksum, dotnetGuidBytes } from '../../src/media/protection/checksum.js';
import {
  getKeyDeliveryUrl,
  getProtectionKey,
  getProtectionKeyId,
  rebindContentKey,
} from '../../src/media/protection/operations.js';
import { PROTECTION_KEYS_SET } from '../../src/media/protection/protectionKeys.js';
import { AccountUrls } from '../../src/media/urls.js';
import { x509 } from '../../src/tls/x509.js';
import { openStore } from '../../src/store/database.js';
import type { Store } from '../../src/store/database.js';

const ACCOUNT = 'protectacct';
const ORIGIN = 'https://localhost:8443';

// ------------------------------------------------------------------ what a client does (the .NET SDK)

/**
 * Written from the SDK's description, independently of src/media/protection/checksum.ts: .NET's
 * Guid.ToByteArray() stores Data1 (uint32), Data2 and Data3 (uint16) little-endian, then the eight
 * bytes of Data4 as written; the checksum is AES-ECB of those 16 bytes under the content key,
 * first 8 bytes, base64.
 */
function sdkChecksum(contentKey: Buffer, guid: string): string {
  const [d1, d2, d3, d4a, d4b] = guid.split('-') as [string, string, string, string, string];
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32LE(parseInt(d1, 16), 0);
  bytes.writeUInt16LE(parseInt(d2, 16), 4);
  bytes.writeUInt16LE(parseInt(d3, 16), 6);
  Buffer.from(d4a + d4b, 'hex').copy(bytes, 8);
  const cipher = createCipheriv(`aes-${contentKey.length * 8}-ecb`, contentKey, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(bytes), cipher.final()])
    .subarray(0, 8)
    .toString('base64');
}

/** RSAOAEPKeyExchangeFormatter: RSA-OAEP, SHA-1, to the certificate's public key. */
const sdkWrap = (certificateBase64: string, data: Buffer): string =>
  publicEncrypt(
    {
      key: new X509Certificate(Buffer.from(certificateBase64, 'base64')).publicKey,
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha1',
    },
    data,
  ).toString('base64');

// ------------------------------------------------------------------ fixture

const services: RuleServices = {
  blobs: {
    list: () => Promise.reject(new Error('not used')),
    delete: () => Promise.reject(new Error('not used')),
    deleteContainer: () => Promise.reject(new Error('not used')),
  },
  jobs: { wake: () => undefined, cancel: () => undefined },
  events: { publish: () => undefined },
};

let dataDir: string;
let db: Store;
let entities: MediaEntities;
let session: ApiSession;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tessera-protection-'));
  db = await openStore({ dataDir });
  const tenant = { id: randomUUID() };
  await db
    .insertInto('tenants')
    .values({
      id: tenant.id,
      kind: 'customer',
      domain: 'protection.test',
      display_name: 'Test',
      created_at: 0,
    })
    .execute();
  const subscription = await new Subscriptions(db).create(tenant.id, 'Media');
  await new ResourceGroups(db).createOrUpdate({
    subscriptionId: subscription.subscriptionId,
    name: 'media-rg',
    location: 'westus',
  });
  const { account } = await new MediaServices(db, new ResourcePorts(db)).createOrUpdate({
    subscriptionId: subscription.subscriptionId,
    resourceGroup: 'media-rg',
    name: ACCOUNT,
    location: 'westus',
  });
  const mediaAccount: MediaAccount = {
    name: account.name,
    scope: account.id,
    tenantId: tenant.id,
    mediaServiceId: account.mediaServiceId,
    location: account.location,
    storageKey: Buffer.from(account.storageKey, 'hex'),
    port: null,
  };
  entities = new MediaEntities(db);
  session = {
    account: mediaAccount,
    urls: new AccountUrls(ORIGIN, ACCOUNT),
    format: 'minimal',
    dataServiceVersion: '3.0',
  };
});

after(async () => {
  await db.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One unit of work, as the API runs each request: whatever throws aborts it, nothing is written. */
async function inUnit<T>(work: (ctx: RuleContext) => T | Promise<T>): Promise<T> {
  return entities.write(ACCOUNT, async (writer) => {
    const unit = new UnitOfWork(session, writer, services, false);
    const result = await work(unit.ctx);
    await unit.complete();
    return result;
  });
}

const query = (text: string) => new URLSearchParams(text);
const view = () => entities.view(ACCOUNT);

async function thumbprintFor(type: number): Promise<string> {
  return inUnit((ctx) => getProtectionKeyId(ctx, query(`contentKeyType=${type}`)));
}

async function certificate(): Promise<string> {
  const thumbprint = await thumbprintFor(0);
  return getProtectionKey(await view(), query(`protectionKeyId='${thumbprint}'`));
}

function postBody(set: string, json: Record<string, unknown>) {
  return readEntityBody('application/json', Buffer.from(JSON.stringify(json)), entityTypeOf(set));
}

interface KeyInput {
  guid?: string;
  key?: Buffer;
  type?: number;
  checksum?: string | null;
  encrypted?: string;
  thumbprint?: string;
  id?: string;
}

/** A ContentKeys POST body as the SDK builds it (numbers as strings, as the docs' clients send them). */
async function sdkContentKey(input: KeyInput = {}) {
  const guid = input.guid ?? randomUUID();
  const type = input.type ?? 1;
  const key = input.key ?? randomBytes(type === 1 || type === 2 ? 32 : 16);
  const thumbprint = input.thumbprint ?? (await thumbprintFor(type));
  const cert = await certificate();
  const json: Record<string, unknown> = {
    Id: input.id ?? `nb:kid:UUID:${guid}`,
    Name: 'key',
    ProtectionKeyId: thumbprint,
    ContentKeyType: String(type),
    ProtectionKeyType: '0',
    EncryptedContentKey: input.encrypted ?? sdkWrap(cert, key),
  };
  if (input.checksum !== null) json.Checksum = input.checksum ?? sdkChecksum(key, guid);
  return { guid, key, json };
}

const createKey = (json: Record<string, unknown>) =>
  inUnit((ctx) => contentKeys.create!(ctx, postBody('ContentKeys', json)));

async function rejects(promise: Promise<unknown>, status: number, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MediaError, `expected a MediaError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

// ------------------------------------------------------------------ tests

describe('the checksum algorithm', () => {
  it('lays out GUID bytes as .NET Guid.ToByteArray does', () => {
    assert.equal(
      dotnetGuidBytes('00112233-4455-6677-8899-aabbccddeeff').toString('hex'),
      '33221100554477668899aabbccddeeff',
    );
  });

  it('agrees with an independent implementation for AES-128 and AES-256 keys', () => {
    for (const length of [16, 32]) {
      const key = randomBytes(length);
      const guid = randomUUID();
      assert.equal(contentKeyChecksum(key, guid), sdkChecksum(key, guid));
    }
    assert.equal(contentKeyChecksum(randomBytes(10), randomUUID()), undefined);
  });
});

describe('protection keys', () => {
  it('gives one stable thumbprint per account, persisted in a hidden set', async () => {
    const first = await thumbprintFor(1);
    assert.match(first, /^[0-9A-F]{40}$/);
    for (const type of [0, 2, 4, 6, 7, 8, 1]) assert.equal(await thumbprintFor(type), first);
    // Another process (a fresh view of the store) sees the same key.
    const fresh = await new MediaEntities(db).view(ACCOUNT);
    const records = fresh.list(PROTECTION_KEYS_SET);
    assert.equal(records.length, 1);
    assert.equal(records[0]?.Id, first);
    assert.match(String(records[0]?.PrivateKey), /^-----BEGIN PRIVATE KEY-----/);
  });

  it('serves a certificate that parses and whose SHA-1 thumbprint is the key id', async () => {
    const thumbprint = await thumbprintFor(1);
    const base64 = getProtectionKey(await view(), query(`ProtectionKeyId='${thumbprint}'`));
    const der = Buffer.from(base64, 'base64');
    const parsed = new X509Certificate(der);
    assert.equal(parsed.fingerprint.replace(/:/g, ''), thumbprint);
    assert.equal(createHash('sha1').update(der).digest('hex').toUpperCase(), thumbprint);
    assert.equal(parsed.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(parsed.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(parsed.subject, parsed.issuer);
    assert.ok(parsed.verify(parsed.publicKey), 'self-signed');
    // @peculiar/x509 reads it too, and the key may wrap keys.
    const usages = new x509.X509Certificate(der).getExtension(x509.KeyUsagesExtension)?.usages ?? 0;
    assert.ok(usages & x509.KeyUsageFlags.keyEncipherment, 'keyEncipherment');
    assert.ok(new Date(parsed.validTo) > new Date(), 'valid now');
    // Lower case and the SDK's parameter spelling are the same key.
    assert.equal(
      getProtectionKey(await view(), query(`protectionKeyId='${thumbprint.toLowerCase()}'`)),
      base64,
    );
  });

  it('refuses unknown content key types and thumbprints', async () => {
    await rejects(thumbprintFor(5), 400, /contentKeyType/);
    await rejects(
      inUnit((ctx) => getProtectionKeyId(ctx, query('contentKeyType=abc'))),
      400,
      /contentKeyType/,
    );
    await rejects(
      inUnit((ctx) => getProtectionKeyId(ctx, query(''))),
      400,
      /contentKeyType/,
    );
    const current = await view();
    assert.throws(
      () => getProtectionKey(current, query('ProtectionKeyId=42')),
      (e: unknown) => e instanceof MediaError && e.status === 400,
    );
    assert.throws(
      () => getProtectionKey(current, query(`ProtectionKeyId='${'0'.repeat(40)}'`)),
      (e: unknown) => e instanceof MediaError && e.status === 404,
    );
  });

  it('is never routable', () => {
    assert.throws(
      () => parseResourcePath(PROTECTION_KEYS_SET, PATH_MODEL),
      (e: unknown) => e instanceof MediaError && e.status === 404,
    );
  });
});

describe('ContentKeys', () => {
  it('accepts a storage key wrapped and checksummed as the SDK does, and keeps only the wrapped form', async () => {
    const { guid, key, json } = await sdkContentKey({ type: 1 });
    const created = await createKey(json);
    assert.equal(created.Id, `nb:kid:UUID:${guid}`);
    assert.equal(created.ContentKeyType, 1);
    assert.equal(created.ProtectionKeyType, 0);
    assert.equal(created.ProtectionKeyId, json.ProtectionKeyId);
    assert.equal(created.EncryptedContentKey, json.EncryptedContentKey);
    assert.equal(created.Checksum, json.Checksum);
    const stored = (await view()).get('ContentKeys', created.Id as string);
    assert.ok(stored);
    const text = JSON.stringify(stored);
    assert.ok(
      !text.includes(key.toString('base64')) && !text.includes(key.toString('hex')),
      'no clear key stored',
    );
  });

  it('accepts common, envelope, CBCS, ASK and configuration keys, and a PFX password without checksum', async () => {
    for (const type of [0, 2, 4, 6, 7]) {
      const { json } = await sdkContentKey({ type });
      assert.equal((await createKey(json)).ContentKeyType, type);
    }
    const password = Buffer.from('pfx p@ssw0rd', 'utf8');
    const { json } = await sdkContentKey({ type: 8, key: password, checksum: null });
    const created = await createKey(json);
    assert.equal(created.Checksum, null);
  });

  it('refuses a wrong checksum, a missing one, garbage ciphertext and a key of the wrong length', async () => {
    const before = (await view()).list('ContentKeys').length;
    const wrong = await sdkContentKey({ checksum: sdkChecksum(randomBytes(32), randomUUID()) });
    await rejects(createKey(wrong.json), 400, /'Checksum'/);
    const missing = await sdkContentKey({ checksum: null });
    await rejects(createKey(missing.json), 400, /'Checksum'/);
    const garbage = await sdkContentKey({ encrypted: randomBytes(256).toString('base64') });
    await rejects(createKey(garbage.json), 400, /'EncryptedContentKey'.*decrypted/);
    const notBase64 = await sdkContentKey({ encrypted: 'not base64!' });
    await rejects(createKey(notBase64.json), 400, /'EncryptedContentKey'.*base64/);
    const other = await mintProtectionKey('other', Date.now());
    const foreign = await sdkContentKey({ encrypted: sdkWrap(other.certificate, randomBytes(32)) });
    await rejects(createKey(foreign.json), 400, /'EncryptedContentKey'/);
    const short = await sdkContentKey({ type: 1, key: randomBytes(16) });
    await rejects(createKey(short.json), 400, /32 bytes/);
    assert.equal((await view()).list('ContentKeys').length, before, 'nothing written');
  });

  it('refuses an unknown thumbprint, a bad id, a duplicate id and an unknown type', async () => {
    const unknown = await sdkContentKey({ thumbprint: 'AB'.repeat(20) });
    await rejects(createKey(unknown.json), 400, /'ProtectionKeyId'/);
    await rejects(createKey((await sdkContentKey({ id: `nb:cid:UUID:${randomUUID()}` })).json), 400, /'Id'/);
    await rejects(createKey((await sdkContentKey({ id: 'my-key' })).json), 400, /'Id'/);
    const { json: noId } = await sdkContentKey();
    delete noId.Id;
    await assert.rejects(createKey(noId), (e: unknown) => e instanceof MediaError && e.status === 400);
    const original = await sdkContentKey();
    await createKey(original.json);
    await rejects(createKey(original.json), 409, /already exists/);
    const upper = await sdkContentKey({ guid: original.guid.toUpperCase() });
    await rejects(createKey(upper.json), 409, /already exists/);
    for (const type of [3, 5, 9]) {
      const { json } = await sdkContentKey();
      json.ContentKeyType = type;
      await rejects(createKey(json), 400, /'ContentKeyType'/);
    }
    const { json: protectionType } = await sdkContentKey();
    protectionType.ProtectionKeyType = 1;
    await rejects(createKey(protectionType), 400, /'ProtectionKeyType'/);
  });

  it('sets the authorization policy, keeps the key write-once, and unlinks on delete', async () => {
    const { json } = await sdkContentKey();
    const created = await createKey(json);
    const id = created.Id as string;
    const update = (values: Record<string, unknown>) =>
      inUnit((ctx) => {
        const next = contentKeys.update!(
          ctx,
          ctx.writer.get('ContentKeys', id)!,
          postBody('ContentKeys', values),
          false,
        );
        ctx.writer.update('ContentKeys', next);
        return next;
      });
    await rejects(update({ AuthorizationPolicyId: 'nb:ckpid:UUID:missing' }), 400, /AuthorizationPolicyId/);
    const policyId = `nb:ckpid:UUID:${randomUUID()}`;
    await inUnit((ctx) =>
      ctx.writer.insert('ContentKeyAuthorizationPolicies', { Id: policyId, Name: 'open' }),
    );
    // The SDK's UpdateAsync sends the whole entity back.
    const updated = await update({
      ...created,
      Created: undefined,
      LastModified: undefined,
      AuthorizationPolicyId: policyId,
    });
    assert.equal(updated.AuthorizationPolicyId, policyId);
    await rejects(
      update({ EncryptedContentKey: randomBytes(256).toString('base64') }),
      400,
      /cannot be changed/,
    );
    await rejects(update({ ContentKeyType: 0 }), 400, /cannot be changed/);

    const assetId = `nb:cid:UUID:${randomUUID()}`;
    await inUnit((ctx) => {
      ctx.writer.insert('Assets', { Id: assetId, Name: 'a' });
      ctx.writer.link({
        sourceSet: 'Assets',
        sourceId: assetId,
        navigation: 'ContentKeys',
        targetSet: 'ContentKeys',
        targetId: id,
      });
    });
    assert.equal((await view()).targets('Assets', assetId, 'ContentKeys').length, 1);
    await inUnit((ctx) => contentKeys.remove!(ctx, ctx.writer.get('ContentKeys', id)!));
    const after = await view();
    assert.equal(after.get('ContentKeys', id), undefined);
    assert.equal(after.targets('Assets', assetId, 'ContentKeys').length, 0);
  });
});

describe('RebindContentKey', () => {
  let id: string;
  let key: Buffer;

  before(async () => {
    const made = await sdkContentKey({ type: 0 });
    key = made.key;
    id = (await createKey(made.json)).Id as string;
  });

  it('answers the clear key for an empty certificate', async () => {
    const answer = rebindContentKey(await view(), query(`id='${id}'&x509Certificate=''`));
    assert.deepEqual(Buffer.from(answer, 'base64'), key);
  });

  it('wraps the key to a given certificate, URL-encoded as the SDK sends it', async () => {
    const other = await mintProtectionKey('client', Date.now());
    const encoded = encodeURIComponent(other.certificate);
    const answer = rebindContentKey(
      await view(),
      query(`id='${encodeURIComponent(id)}'&x509Certificate='${encoded}'`),
    );
    const clear = privateDecrypt(
      { key: other.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(answer, 'base64'),
    );
    assert.deepEqual(clear, key);
  });

  it('refuses a bad certificate, a missing parameter and an unknown key', async () => {
    const current = await view();
    const status = (fn: () => unknown, expected: number) =>
      assert.throws(fn, (e: unknown) => e instanceof MediaError && e.status === expected);
    status(() => rebindContentKey(current, query(`id='${id}'&x509Certificate='bm90IGEgY2VydA=='`)), 400);
    status(() => rebindContentKey(current, query(`id='${id}'&x509Certificate='%%%'`)), 400);
    status(() => rebindContentKey(current, query(`id='${id}'`)), 400);
    status(
      () => rebindContentKey(current, query(`id='nb:kid:UUID:${randomUUID()}'&x509Certificate=''`)),
      404,
    );
  });
});

describe('GetKeyDeliveryUrl', () => {
  let id: string;
  let guid: string;

  before(async () => {
    const made = await sdkContentKey({ type: 4 });
    guid = made.guid;
    id = (await createKey(made.json)).Id as string;
  });

  it('answers the URL of each delivery type', async () => {
    const current = await view();
    const urls = session.urls;
    const base = `${ORIGIN}/media/${ACCOUNT}/keydelivery`;
    assert.equal(getKeyDeliveryUrl(current, urls, id, { keyDeliveryType: 2 }), `${base}/?KID=${guid}`);
    assert.equal(getKeyDeliveryUrl(current, urls, id, { keyDeliveryType: 1 }), `${base}/PlayReady/`);
    assert.equal(
      getKeyDeliveryUrl(current, urls, id, { keyDeliveryType: 3 }),
      `${base}/Widevine/?KID=${guid}`,
    );
    assert.equal(
      getKeyDeliveryUrl(current, urls, id, { keyDeliveryType: 4 }),
      `${base}/FairPlay/?KID=${guid}`,
    );
  });

  it('refuses other types, a missing type and an unknown key', async () => {
    const current = await view();
    const status = (fn: () => unknown, expected: number) =>
      assert.throws(fn, (e: unknown) => e instanceof MediaError && e.status === expected);
    for (const keyDeliveryType of [0, 5, -1, 'x']) {
      status(() => getKeyDeliveryUrl(current, session.urls, id, { keyDeliveryType }), 400);
    }
    status(() => getKeyDeliveryUrl(current, session.urls, id, {}), 400);
    status(
      () => getKeyDeliveryUrl(current, session.urls, `nb:kid:UUID:${randomUUID()}`, { keyDeliveryType: 2 }),
      404,
    );
  });
});

describe('webhook endpoint credentials', () => {
  const endpoint = (json: Record<string, unknown>): Promise<EntityRecord> =>
    inUnit((ctx) => notificationEndPoints.create!(ctx, postBody('NotificationEndPoints', json)));

  /** NotificationEndPoints.CreateAsync(name, WebHook, address, byte[] credential). */
  async function sdkWebhook(signingKey: Buffer, overrides: Record<string, unknown> = {}) {
    const thumbprint = await thumbprintFor(2);
    return {
      Name: 'hook',
      EndPointType: 3,
      EndPointAddress: 'https://example.test/hook',
      CredentialType: 1,
      EncryptedEndPointCredential: sdkWrap(await certificate(), signingKey),
      ProtectionKeyType: 0,
      ProtectionKeyId: thumbprint,
      ...overrides,
    };
  }

  it('unwraps the signing key into a hidden field', async () => {
    const signingKey = randomBytes(64);
    const created = await endpoint(await sdkWebhook(signingKey));
    assert.equal(created.CredentialType, 1);
    assert.equal(created._signingKey, signingKey.toString('base64'));
    const stored = (await view()).get('NotificationEndPoints', created.Id as string);
    assert.equal(stored?._signingKey, signingKey.toString('base64'));
  });

  it('takes an endpoint without a credential', async () => {
    const created = await endpoint({
      Name: 'plain',
      EndPointType: 3,
      EndPointAddress: 'https://example.test/plain',
      CredentialType: 0,
      ProtectionKeyType: 0,
    });
    assert.equal(created.CredentialType, 0);
    assert.equal(created._signingKey, undefined);
  });

  it('refuses credentials that do not unwrap, unknown thumbprints, and credentials on queues', async () => {
    const key = randomBytes(64);
    await rejects(
      endpoint(await sdkWebhook(key, { EncryptedEndPointCredential: randomBytes(256).toString('base64') })),
      400,
      /'EncryptedEndPointCredential'/,
    );
    await rejects(
      endpoint(await sdkWebhook(key, { ProtectionKeyId: 'CD'.repeat(20) })),
      400,
      /'ProtectionKeyId'/,
    );
    await rejects(
      endpoint(await sdkWebhook(key, { EndPointType: 1, EndPointAddress: 'queue1' })),
      400,
      /only webhook endpoints/,
    );
    await rejects(endpoint(await sdkWebhook(key, { CredentialType: 0 })), 400, /'CredentialType'/);
    await rejects(
      endpoint(await sdkWebhook(key, { EncryptedEndPointCredential: null })),
      400,
      /'EncryptedEndPointCredential'/,
    );
  });
});
