import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaError } from '../../src/media/errors.js';
import { parseXml } from '../../src/media/odata/bodyReader.js';
import { elementType, isPrimitive } from '../../src/media/odata/edm.js';
import { metadataDocument } from '../../src/media/odata/metadataDocument.js';
import {
  actionsBoundTo,
  complexTypes,
  entitySets,
  entityTypeOf,
  entityTypes,
  functionImportOf,
  functionImports,
  keyPropertyOf,
  navigationOf,
  propertyOf,
} from '../../src/media/odata/model.js';
import {
  SERVICE_DOCUMENT_ATOM_CONTENT_TYPE,
  serviceDocument,
} from '../../src/media/odata/serviceDocument.js';

import { SETS } from './protocolSupport.js';

const ROOT = 'https://localhost:8443/media/acct/api/';
const NS = 'Microsoft.Cloud.Media.Vod.Rest.Data.Models';

describe('the data model', () => {
  it('declares the 23 entity sets in the service document order', () => {
    assert.deepEqual(
      entityTypes.map((t) => t.set),
      SETS,
    );
    assert.deepEqual([...entitySets.keys()], SETS);
    assert.equal(entityTypeOf('Files').name, 'AssetFile');
    assert.throws(
      () => entityTypeOf('Nope'),
      (e: unknown) => e instanceof MediaError && e.status === 404,
    );
  });

  it('has properties and types as the service wrote them', () => {
    const names = (set: string) => entityTypeOf(set).properties.map((p) => p.name);
    assert.deepEqual(names('Assets'), [
      'Id',
      'State',
      'Created',
      'LastModified',
      'AlternateId',
      'Name',
      'Options',
      'FormatOption',
      'Uri',
      'StorageAccountName',
    ]);
    assert.deepEqual(names('Files'), [
      'Id',
      'Name',
      'ContentFileSize',
      'ParentAssetId',
      'EncryptionVersion',
      'EncryptionScheme',
      'IsEncrypted',
      'EncryptionKeyId',
      'InitializationVector',
      'IsPrimary',
      'LastModified',
      'Created',
      'MimeType',
      'ContentChecksum',
      'Options',
    ]);
    assert.deepEqual(names('Operations'), ['Id', 'State', 'TargetEntityId', 'ErrorCode', 'ErrorMessage']);
    assert.deepEqual(names('EncodingReservedUnitTypes'), [
      'AccountId',
      'ReservedUnitType',
      'MaxReservableUnits',
      'CurrentReservedUnits',
    ]);
    assert.equal(propertyOf(entityTypeOf('Files'), 'ContentFileSize')?.type, 'Edm.Int64');
    assert.equal(propertyOf(entityTypeOf('AccessPolicies'), 'DurationInMinutes')?.type, 'Edm.Double');
    assert.equal(propertyOf(entityTypeOf('Tasks'), 'ErrorDetails')?.type, 'Collection(ErrorDetail)');
    assert.equal(propertyOf(entityTypeOf('Programs'), 'ArchiveWindowLength')?.type, 'Edm.Time');
    assert.equal(propertyOf(entityTypeOf('Channels'), 'State')?.type, 'Edm.String');
    assert.equal(propertyOf(entityTypeOf('Assets'), 'name'), undefined, 'names are case-sensitive');
  });

  it('marks which ids clients may choose and which properties the service sets', () => {
    for (const type of entityTypes) {
      const id = propertyOf(type, keyPropertyOf(type))!;
      const clientChosen = type.set === 'ContentKeys' || type.set === 'Locators';
      assert.equal(Boolean(id.serverSet), !clientChosen, type.set);
      const created = propertyOf(type, 'Created');
      if (created) assert.ok(created.serverSet, `${type.set}.Created`);
    }
    assert.ok(propertyOf(entityTypeOf('ContentKeys'), 'Id')?.required);
    assert.ok(propertyOf(entityTypeOf('Assets'), 'Uri')?.serverSet);
    assert.ok(propertyOf(entityTypeOf('Assets'), 'Options')?.createOnly);
    assert.ok(propertyOf(entityTypeOf('AccessPolicies'), 'DurationInMinutes')?.required);
    assert.equal(keyPropertyOf(entityTypeOf('StorageAccounts')), 'Name');
    assert.equal(keyPropertyOf(entityTypeOf('EncodingReservedUnitTypes')), 'AccountId');
    assert.equal(entityTypeOf('Locators').idPrefix, 'nb:lid:UUID:');
    assert.equal(entityTypeOf('StreamingEndpoints').idPrefix, 'nb:oid:UUID:');
  });

  it('has the navigation properties of the reference', () => {
    const navs = (set: string) =>
      entityTypeOf(set).navigation.map((n) => `${n.name}->${n.target}${n.many ? '*' : ''}`);
    assert.deepEqual(navs('Assets'), [
      'Locators->Locators*',
      'ContentKeys->ContentKeys*',
      'Files->Files*',
      'ParentAssets->Assets*',
      'DeliveryPolicies->AssetDeliveryPolicies*',
      'StorageAccount->StorageAccounts',
    ]);
    assert.deepEqual(navs('Jobs'), [
      'Tasks->Tasks*',
      'OutputMediaAssets->Assets*',
      'InputMediaAssets->Assets*',
    ]);
    assert.deepEqual(navs('Locators'), ['AccessPolicy->AccessPolicies', 'Asset->Assets']);
    assert.deepEqual(navs('Programs'), ['Channel->Channels', 'Asset->Assets']);
    assert.equal(navigationOf(entityTypeOf('Tasks'), 'InputMediaAssets')?.target, 'Assets');
  });

  it('refers only to declared types and sets', () => {
    const checkType = (type: string, where: string) => {
      const element = elementType(type);
      if (!isPrimitive(element)) assert.ok(complexTypes.has(element), `${where}: ${element}`);
    };
    for (const type of entityTypes) {
      for (const p of type.properties) checkType(p.type, `${type.name}.${p.name}`);
      for (const n of type.navigation) assert.ok(entitySets.has(n.target), `${type.name}.${n.name}`);
      assert.ok(propertyOf(type, keyPropertyOf(type)), `${type.name} key`);
    }
    for (const complex of complexTypes.values())
      for (const p of complex.properties) checkType(p.type, `${complex.name}.${p.name}`);
    for (const f of functionImports) if (f.binding) assert.ok(entitySets.has(f.binding.set), f.name);
  });

  it('declares the function imports and the actions bound to each set', () => {
    assert.deepEqual(
      functionImports.filter((f) => f.kind === 'function').map((f) => f.name),
      ['CreateFileInfos', 'CancelJob', 'GetProtectionKeyId', 'GetProtectionKey', 'RebindContentKey'],
    );
    assert.deepEqual(
      actionsBoundTo('Channels').map((a) => a.name),
      ['Start', 'Stop', 'Reset', 'ShowSlate', 'HideSlate', 'StartAdvertisement', 'EndAdvertisement'],
    );
    assert.deepEqual(
      actionsBoundTo('StreamingEndpoints').map((a) => a.name),
      ['Start', 'Stop', 'Scale'],
    );
    assert.deepEqual(
      actionsBoundTo('Assets').map((a) => a.name),
      ['Publish'],
    );
    assert.deepEqual(actionsBoundTo('Jobs'), []);
    assert.equal(functionImportOf('GetProtectionKeyId')?.returnType, 'Edm.String');
    assert.equal(functionImportOf('Start'), undefined, 'Start is an action, not a service operation');
    assert.equal(functionImportOf('Start', 'Programs')?.binding?.parameter, 'program');
    assert.deepEqual(
      functionImportOf('GetKeyDeliveryUrl', 'ContentKeys')?.parameters.map((p) => [p.name, p.type]),
      [['keyDeliveryType', 'Edm.Int32']],
    );
  });
});

describe('$metadata', () => {
  const document = metadataDocument();
  const root = parseXml(document);
  const EDM = 'http://schemas.microsoft.com/ado/2009/11/edm';
  const M = 'http://schemas.microsoft.com/ado/2007/08/dataservices/metadata';
  const dataServices = root.children[0]!;
  const schema = dataServices.children[0]!;
  const byKind = (kind: string) => schema.children.filter((c) => c.local === kind);
  const container = byKind('EntityContainer')[0]!;

  it('is an EDMX 1.0 document for DataServiceVersion 3.0, built once', () => {
    assert.ok(document.startsWith('<?xml version="1.0" encoding="utf-8" standalone="yes"?>'));
    assert.equal(root.local, 'Edmx');
    assert.equal(root.attrs.get('Version'), '1.0');
    assert.equal(dataServices.attrs.get(`{${M}}DataServiceVersion`), '3.0');
    assert.equal(schema.ns, EDM);
    assert.equal(schema.attrs.get('Namespace'), NS);
    assert.equal(metadataDocument(), document, 'cached');
  });

  it('declares every entity type with its key, properties and navigation properties', () => {
    const types = byKind('EntityType');
    assert.equal(types.length, 23);
    const asset = types.find((t) => t.attrs.get('Name') === 'Asset')!;
    assert.equal(asset.children[0]!.local, 'Key');
    assert.equal(asset.children[0]!.children[0]!.attrs.get('Name'), 'Id');
    const created = asset.children.find((c) => c.attrs.get('Name') === 'Created')!;
    assert.deepEqual(Object.fromEntries(created.attrs), {
      Name: 'Created',
      Type: 'Edm.DateTime',
      Nullable: 'false',
    });
    const files = asset.children.find(
      (c) => c.local === 'NavigationProperty' && c.attrs.get('Name') === 'Files',
    )!;
    assert.equal(files.attrs.get('Relationship'), `${NS}.Asset_Files`);
    assert.equal(files.attrs.get('FromRole'), 'Asset_Files_Source');
    assert.equal(files.attrs.get('ToRole'), 'Asset_Files_Target');
    const account = types.find((t) => t.attrs.get('Name') === 'EncodingReservedUnitType')!;
    assert.equal(account.children[0]!.children[0]!.attrs.get('Name'), 'AccountId');
    const task = types.find((t) => t.attrs.get('Name') === 'Task')!;
    const errors = task.children.find((c) => c.attrs.get('Name') === 'ErrorDetails')!;
    assert.equal(errors.attrs.get('Type'), `Collection(${NS}.ErrorDetail)`);
    assert.equal(errors.attrs.get('Nullable'), 'false');
  });

  it('declares every complex type and one association per navigation property', () => {
    assert.deepEqual(
      byKind('ComplexType').map((c) => c.attrs.get('Name')),
      [...complexTypes.keys()],
    );
    const navCount = entityTypes.reduce((n, t) => n + t.navigation.length, 0);
    const associations = byKind('Association');
    assert.equal(associations.length, navCount);
    const locatorAsset = associations.find((a) => a.attrs.get('Name') === 'Locator_Asset')!;
    assert.deepEqual(
      locatorAsset.children.map((e) => [
        e.attrs.get('Role'),
        e.attrs.get('Type'),
        e.attrs.get('Multiplicity'),
      ]),
      [
        ['Locator_Asset_Target', `${NS}.Asset`, '0..1'],
        ['Locator_Asset_Source', `${NS}.Locator`, '*'],
      ],
    );
  });

  it('has the default entity container with sets, association sets and function imports', () => {
    assert.equal(container.attrs.get('Name'), 'WindowsAzureMediaServices');
    assert.equal(container.attrs.get(`{${M}}IsDefaultEntityContainer`), 'true');
    const sets = container.children.filter((c) => c.local === 'EntitySet');
    assert.deepEqual(
      sets.map((s) => s.attrs.get('Name')),
      SETS,
    );
    assert.equal(
      sets.find((s) => s.attrs.get('Name') === 'Files')!.attrs.get('EntityType'),
      `${NS}.AssetFile`,
    );
    const associationSets = container.children.filter((c) => c.local === 'AssociationSet');
    const assetFiles = associationSets.find((s) => s.attrs.get('Name') === 'Assets_Files')!;
    assert.deepEqual(
      assetFiles.children.map((e) => [e.attrs.get('Role'), e.attrs.get('EntitySet')]),
      [
        ['Asset_Files_Source', 'Assets'],
        ['Asset_Files_Target', 'Files'],
      ],
    );
    const imports = container.children.filter((c) => c.local === 'FunctionImport');
    assert.equal(imports.length, functionImports.length);
    const cancel = imports.find((f) => f.attrs.get('Name') === 'CancelJob')!;
    assert.equal(cancel.attrs.get(`{${M}}HttpMethod`), 'GET');
    assert.deepEqual(Object.fromEntries(cancel.children[0]!.attrs), {
      Name: 'jobid',
      Type: 'Edm.String',
      Mode: 'In',
    });
    const keyId = imports.find((f) => f.attrs.get('Name') === 'GetProtectionKeyId')!;
    assert.equal(keyId.attrs.get('ReturnType'), 'Edm.String');
    const scale = imports.find((f) => f.attrs.get('Name') === 'Scale')!;
    assert.equal(scale.attrs.get('IsBindable'), 'true');
    assert.deepEqual(
      scale.children.map((p) => [p.attrs.get('Name'), p.attrs.get('Type')]),
      [
        ['streamingEndpoint', `${NS}.StreamingEndpoint`],
        ['scaleUnits', 'Edm.Int32'],
      ],
    );
    assert.equal(
      imports.filter((f) => f.attrs.get('Name') === 'Start').length,
      3,
      'Start for streaming endpoints, channels and programs',
    );
  });
});

describe('the service document', () => {
  it('lists the 23 sets in minimal JSON', () => {
    const body = JSON.parse(serviceDocument('minimal', ROOT)) as {
      'odata.metadata': string;
      value: { name: string; url: string }[];
    };
    assert.equal(body['odata.metadata'], `${ROOT}$metadata`);
    assert.deepEqual(
      body.value,
      SETS.map((name) => ({ name, url: name })),
    );
  });

  it('lists them in verbose JSON', () => {
    assert.deepEqual(JSON.parse(serviceDocument('verbose', ROOT)), { d: { EntitySets: SETS } });
  });

  it('lists them as an AtomPub service document', () => {
    const text = serviceDocument('atom', `${ROOT}?a=1&b=2`);
    const service = parseXml(text);
    assert.equal(service.local, 'service');
    assert.equal(service.ns, 'http://www.w3.org/2007/app');
    assert.equal(
      service.attrs.get('{http://www.w3.org/XML/1998/namespace}base'),
      `${ROOT}?a=1&b=2`,
      'escaped and read back',
    );
    const workspace = service.children[0]!;
    assert.equal(workspace.children[0]!.text, 'Default');
    const collections = workspace.children.filter((c) => c.local === 'collection');
    assert.deepEqual(
      collections.map((c) => c.attrs.get('href')),
      SETS,
    );
    assert.equal(collections[0]!.children[0]!.text, 'AccessPolicies');
    assert.equal(SERVICE_DOCUMENT_ATOM_CONTENT_TYPE, 'application/atomsvc+xml;charset=utf-8');
  });
});
