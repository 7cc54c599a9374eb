import type { ComplexTypeDef, EdmTypeName, EntityTypeDef, NavigationDef, PropertyDef } from './edm.js';
import { mediaErrors } from '../errors.js';

/**
 * The v2 API's data model, as the service's `$metadata` declared it: entity types, complex types
 * and function imports. Property names, types and order follow the REST reference and the .NET SDK's
 * data classes (the SDK's Atom materializer and the captured JSON responses list them in this
 * order). Which properties the service sets, which are WriteOnce and which are required follow the
 * reference's "Read-only. Set by Media Services", "Cannot be updated after the entity has been
 * created" and "Required" notes.
 */

type Flag = 'notNull' | 'server' | 'createOnly' | 'required';

function prop(name: string, type: EdmTypeName, ...flags: Flag[]): PropertyDef {
  const def: PropertyDef = { name, type };
  for (const flag of flags) {
    if (flag === 'notNull') def.nullable = false;
    else if (flag === 'server') def.serverSet = true;
    else if (flag === 'createOnly') def.createOnly = true;
    else def.required = true;
  }
  return def;
}

const many = (name: string, target: string): NavigationDef => ({ name, target, many: true });
const one = (name: string, target: string): NavigationDef => ({ name, target, many: false });

const S = 'Edm.String';
const I32 = 'Edm.Int32';
const I64 = 'Edm.Int64';
const DBL = 'Edm.Double';
const BOOL = 'Edm.Boolean';
const DATE = 'Edm.DateTime';
const TIME = 'Edm.Time';

/** `Id` as most types have it: the service assigns it. */
const serverId = () => prop('Id', S, 'notNull', 'server');
const created = () => prop('Created', DATE, 'notNull', 'server');
const lastModified = () => prop('LastModified', DATE, 'notNull', 'server');

function complex(name: string, ...properties: PropertyDef[]): ComplexTypeDef {
  return { name, properties };
}

const complexTypeList: readonly ComplexTypeDef[] = [
  complex('ErrorDetail', prop('Code', S), prop('Message', S)),
  complex('TaskHistoricalEvent', prop('Code', S), prop('Message', S), prop('TimeStamp', DATE, 'notNull')),
  complex(
    'JobNotificationSubscription',
    prop('NotificationEndPointId', S),
    prop('TargetJobState', I32, 'notNull'),
  ),
  complex(
    'TaskNotificationSubscription',
    prop('IncludeTaskProgress', BOOL, 'notNull'),
    prop('NotificationEndPointId', S),
    prop('TargetTaskState', I32, 'notNull'),
  ),
  complex(
    'IngestManifestStatistics',
    prop('PendingFilesCount', I32, 'notNull'),
    prop('FinishedFilesCount', I32, 'notNull'),
    prop('ErrorFilesCount', I32, 'notNull'),
    prop('ErrorFilesDetails', S),
  ),
  complex(
    'ContentKeyAuthorizationPolicyRestriction',
    prop('Name', S),
    prop('KeyRestrictionType', I32, 'notNull'),
    prop('Requirements', S),
  ),
  complex('IPRange', prop('Name', S), prop('Address', S), prop('SubnetPrefixLength', I32)),
  complex('IPAccessControl', prop('Allow', 'Collection(IPRange)')),
  complex('ChannelAccessControl', prop('IP', 'IPAccessControl')),
  complex('ChannelEndpoint', prop('Protocol', S), prop('Url', S)),
  complex(
    'ChannelInput',
    prop('KeyFrameInterval', TIME),
    prop('StreamingProtocol', S),
    prop('AccessControl', 'ChannelAccessControl'),
    prop('Endpoints', 'Collection(ChannelEndpoint)'),
  ),
  complex(
    'ChannelPreview',
    prop('AccessControl', 'ChannelAccessControl'),
    prop('Endpoints', 'Collection(ChannelEndpoint)'),
  ),
  complex('ChannelOutputHls', prop('FragmentsPerSegment', 'Edm.Int16')),
  complex('ChannelOutput', prop('Hls', 'ChannelOutputHls')),
  complex('VideoStream', prop('Index', I32, 'notNull'), prop('Name', S)),
  complex('AudioStream', prop('Index', I32, 'notNull'), prop('Name', S), prop('Language', S)),
  complex(
    'ChannelEncoding',
    prop('SystemPreset', S),
    prop('IgnoreCea708ClosedCaptions', BOOL, 'notNull'),
    prop('AdMarkerSource', S),
    prop('VideoStream', 'VideoStream'),
    prop('AudioStreams', 'Collection(AudioStream)'),
  ),
  complex('ChannelSlate', prop('InsertSlateOnAdMarker', BOOL, 'notNull'), prop('DefaultSlateAssetId', S)),
  complex('CrossSiteAccessPolicies', prop('ClientAccessPolicy', S), prop('CrossDomainPolicy', S)),
  complex(
    'AkamaiSignatureHeaderAuthenticationKey',
    prop('Identifier', S),
    prop('Expiration', DATE, 'notNull'),
    prop('Base64Key', S),
  ),
  complex(
    'AkamaiAccessControl',
    prop('AkamaiSignatureHeaderAuthenticationKeyList', 'Collection(AkamaiSignatureHeaderAuthenticationKey)'),
  ),
  complex(
    'StreamingEndpointAccessControl',
    prop('Akamai', 'AkamaiAccessControl'),
    prop('IP', 'IPAccessControl'),
  ),
  complex('StreamingEndpointCacheControl', prop('MaxAge', I64)),
];

/** In the order of the service document's entity sets. */
export const entityTypes: readonly EntityTypeDef[] = [
  {
    name: 'AccessPolicy',
    set: 'AccessPolicies',
    idPrefix: 'nb:pid:UUID:',
    properties: [
      serverId(),
      created(),
      lastModified(),
      prop('Name', S, 'required'),
      prop('DurationInMinutes', DBL, 'notNull', 'required'),
      prop('Permissions', I32, 'notNull'),
    ],
    navigation: [],
  },
  {
    name: 'Locator',
    set: 'Locators',
    idPrefix: 'nb:lid:UUID:',
    properties: [
      // The one id besides ContentKeys' a client may choose (the SDK re-creates locators by id).
      prop('Id', S, 'notNull', 'createOnly'),
      prop('Name', S),
      prop('ExpirationDateTime', DATE, 'notNull'),
      prop('Type', I32, 'notNull', 'required', 'createOnly'),
      prop('Path', S, 'server'),
      prop('BaseUri', S, 'server'),
      prop('ContentAccessComponent', S, 'server'),
      prop('AccessPolicyId', S, 'required', 'createOnly'),
      prop('AssetId', S, 'required', 'createOnly'),
      prop('StartTime', DATE),
    ],
    navigation: [one('AccessPolicy', 'AccessPolicies'), one('Asset', 'Assets')],
  },
  {
    name: 'ContentKey',
    set: 'ContentKeys',
    idPrefix: 'nb:kid:UUID:',
    properties: [
      prop('Id', S, 'notNull', 'required', 'createOnly'),
      created(),
      lastModified(),
      prop('ContentKeyType', I32, 'notNull'),
      prop('EncryptedContentKey', S),
      prop('Name', S),
      prop('ProtectionKeyId', S),
      prop('ProtectionKeyType', I32, 'notNull'),
      prop('Checksum', S),
      prop('AuthorizationPolicyId', S),
    ],
    navigation: [],
  },
  {
    name: 'ContentKeyAuthorizationPolicyOption',
    set: 'ContentKeyAuthorizationPolicyOptions',
    idPrefix: 'nb:ckpoid:UUID:',
    properties: [
      serverId(),
      prop('Name', S),
      prop('KeyDeliveryType', I32, 'notNull', 'required'),
      prop('KeyDeliveryConfiguration', S),
      prop('Restrictions', 'Collection(ContentKeyAuthorizationPolicyRestriction)', 'required'),
    ],
    navigation: [],
  },
  {
    name: 'ContentKeyAuthorizationPolicy',
    set: 'ContentKeyAuthorizationPolicies',
    idPrefix: 'nb:ckpid:UUID:',
    properties: [serverId(), prop('Name', S)],
    navigation: [many('Options', 'ContentKeyAuthorizationPolicyOptions')],
  },
  {
    name: 'AssetFile',
    set: 'Files',
    idPrefix: 'nb:cid:UUID:',
    properties: [
      serverId(),
      prop('Name', S, 'required'),
      prop('ContentFileSize', I64, 'notNull'),
      prop('ParentAssetId', S, 'required', 'createOnly'),
      prop('EncryptionVersion', S),
      prop('EncryptionScheme', S),
      prop('IsEncrypted', BOOL, 'notNull'),
      prop('EncryptionKeyId', S),
      prop('InitializationVector', S),
      prop('IsPrimary', BOOL, 'notNull'),
      lastModified(),
      created(),
      prop('MimeType', S),
      prop('ContentChecksum', S),
      prop('Options', I32, 'notNull'),
    ],
    navigation: [],
  },
  {
    name: 'Asset',
    set: 'Assets',
    idPrefix: 'nb:cid:UUID:',
    properties: [
      serverId(),
      prop('State', I32, 'notNull', 'server'),
      created(),
      lastModified(),
      prop('AlternateId', S),
      prop('Name', S),
      prop('Options', I32, 'notNull', 'createOnly'),
      prop('FormatOption', I32, 'notNull', 'createOnly'),
      prop('Uri', S, 'server'),
      prop('StorageAccountName', S, 'createOnly'),
    ],
    navigation: [
      many('Locators', 'Locators'),
      many('ContentKeys', 'ContentKeys'),
      many('Files', 'Files'),
      many('ParentAssets', 'Assets'),
      many('DeliveryPolicies', 'AssetDeliveryPolicies'),
      one('StorageAccount', 'StorageAccounts'),
    ],
  },
  {
    name: 'AssetDeliveryPolicy',
    set: 'AssetDeliveryPolicies',
    idPrefix: 'nb:adpid:UUID:',
    properties: [
      serverId(),
      prop('Name', S),
      prop('AssetDeliveryProtocol', I32, 'notNull'),
      prop('AssetDeliveryPolicyType', I32, 'notNull'),
      prop('AssetDeliveryConfiguration', S),
      created(),
      lastModified(),
    ],
    navigation: [],
  },
  {
    name: 'IngestManifestFile',
    set: 'IngestManifestFiles',
    idPrefix: 'nb:mfid:UUID:',
    properties: [
      serverId(),
      created(),
      lastModified(),
      prop('Name', S, 'required'),
      prop('State', I32, 'notNull', 'server'),
      prop('ParentIngestManifestId', S, 'required', 'createOnly'),
      prop('ParentIngestManifestAssetId', S, 'required', 'createOnly'),
      prop('ErrorDetail', S, 'server'),
      prop('MimeType', S),
      prop('IsPrimary', BOOL, 'notNull'),
      prop('EncryptionVersion', S),
      prop('EncryptionScheme', S),
      prop('IsEncrypted', BOOL, 'notNull'),
      prop('EncryptionKeyId', S),
      prop('InitializationVector', S),
    ],
    navigation: [],
  },
  {
    name: 'IngestManifestAsset',
    set: 'IngestManifestAssets',
    idPrefix: 'nb:maid:UUID:',
    properties: [
      serverId(),
      created(),
      lastModified(),
      prop('ParentIngestManifestId', S, 'required', 'createOnly'),
    ],
    navigation: [many('IngestManifestFiles', 'IngestManifestFiles'), one('Asset', 'Assets')],
  },
  {
    name: 'IngestManifest',
    set: 'IngestManifests',
    idPrefix: 'nb:mid:UUID:',
    properties: [
      serverId(),
      created(),
      lastModified(),
      prop('Name', S),
      prop('State', I32, 'notNull', 'server'),
      prop('BlobStorageUriForUpload', S, 'server'),
      prop('Statistics', 'IngestManifestStatistics', 'server'),
      prop('StorageAccountName', S, 'createOnly'),
    ],
    navigation: [
      many('IngestManifestAssets', 'IngestManifestAssets'),
      many('PendingIngestManifestAssets', 'IngestManifestAssets'),
      one('StorageAccount', 'StorageAccounts'),
    ],
  },
  {
    name: 'StorageAccount',
    set: 'StorageAccounts',
    key: 'Name',
    properties: [
      prop('Name', S, 'notNull', 'server'),
      prop('IsDefault', BOOL, 'notNull', 'server'),
      prop('BytesUsed', I64, 'server'),
    ],
    navigation: [],
  },
  {
    name: 'Task',
    set: 'Tasks',
    idPrefix: 'nb:tid:UUID:',
    properties: [
      serverId(),
      prop('Configuration', S),
      prop('EndTime', DATE, 'server'),
      prop('ErrorDetails', 'Collection(ErrorDetail)', 'server'),
      prop('HistoricalEvents', 'Collection(TaskHistoricalEvent)', 'server'),
      prop('MediaProcessorId', S, 'required', 'createOnly'),
      prop('Name', S),
      prop('PerfMessage', S, 'server'),
      prop('Priority', I32, 'notNull'),
      prop('Progress', DBL, 'notNull', 'server'),
      prop('RunningDuration', DBL, 'notNull', 'server'),
      prop('StartTime', DATE, 'server'),
      prop('State', I32, 'notNull', 'server'),
      prop('TaskBody', S, 'required', 'createOnly'),
      prop('Options', I32, 'notNull', 'createOnly'),
      prop('EncryptionKeyId', S),
      prop('EncryptionScheme', S),
      prop('EncryptionVersion', S),
      prop('InitializationVector', S),
      prop('TaskNotificationSubscriptions', 'Collection(TaskNotificationSubscription)', 'createOnly'),
    ],
    navigation: [many('OutputMediaAssets', 'Assets'), many('InputMediaAssets', 'Assets')],
  },
  {
    name: 'NotificationEndPoint',
    set: 'NotificationEndPoints',
    idPrefix: 'nb:nepid:UUID:',
    properties: [
      serverId(),
      prop('Name', S, 'required'),
      created(),
      prop('EndPointAddress', S, 'required', 'createOnly'),
      prop('EndPointType', I32, 'notNull', 'required', 'createOnly'),
      prop('CredentialType', I32, 'notNull'),
      prop('EncryptedEndPointCredential', S),
      prop('ProtectionKeyId', S),
      prop('ProtectionKeyType', I32, 'notNull'),
    ],
    navigation: [],
  },
  {
    name: 'Job',
    set: 'Jobs',
    idPrefix: 'nb:jid:UUID:',
    properties: [
      serverId(),
      prop('Name', S),
      created(),
      lastModified(),
      prop('EndTime', DATE, 'server'),
      prop('Priority', I32, 'notNull'),
      prop('RunningDuration', DBL, 'notNull', 'server'),
      prop('StartTime', DATE, 'server'),
      prop('State', I32, 'notNull', 'server'),
      prop('TemplateId', S, 'createOnly'),
      prop('JobNotificationSubscriptions', 'Collection(JobNotificationSubscription)', 'createOnly'),
    ],
    navigation: [
      many('Tasks', 'Tasks'),
      many('OutputMediaAssets', 'Assets'),
      many('InputMediaAssets', 'Assets'),
    ],
  },
  {
    name: 'TaskTemplate',
    set: 'TaskTemplates',
    idPrefix: 'nb:ttid:UUID:',
    properties: [
      serverId(),
      prop('Name', S),
      prop('Description', S),
      prop('NumberofInputAssets', I32, 'notNull'),
      prop('NumberofOutputAssets', I32, 'notNull'),
      prop('Configuration', S),
      prop('MediaProcessorId', S, 'required'),
      created(),
      lastModified(),
      prop('Options', I32, 'notNull', 'createOnly'),
      prop('InitializationVector', S),
      prop('EncryptionVersion', S),
      prop('EncryptionScheme', S),
      prop('EncryptionKeyId', S),
    ],
    navigation: [],
  },
  {
    name: 'JobTemplate',
    set: 'JobTemplates',
    idPrefix: 'nb:jtid:UUID:',
    properties: [
      serverId(),
      prop('Name', S),
      created(),
      lastModified(),
      prop('JobTemplateBody', S, 'required'),
      prop('NumberofInputAssets', I32, 'notNull'),
      prop('TemplateType', I32, 'notNull'),
    ],
    navigation: [many('TaskTemplates', 'TaskTemplates')],
  },
  {
    name: 'MediaProcessor',
    set: 'MediaProcessors',
    idPrefix: 'nb:mpid:UUID:',
    properties: [
      serverId(),
      prop('Name', S, 'server'),
      prop('Description', S, 'server'),
      prop('Sku', S, 'server'),
      prop('Vendor', S, 'server'),
      prop('Version', S, 'server'),
    ],
    navigation: [],
  },
  {
    name: 'EncodingReservedUnitType',
    set: 'EncodingReservedUnitTypes',
    key: 'AccountId',
    properties: [
      prop('AccountId', 'Edm.Guid', 'notNull', 'server'),
      prop('ReservedUnitType', I32, 'notNull'),
      prop('MaxReservableUnits', I32, 'notNull', 'server'),
      prop('CurrentReservedUnits', I32, 'notNull'),
    ],
    navigation: [],
  },
  {
    name: 'Operation',
    set: 'Operations',
    idPrefix: 'nb:opid:UUID:',
    properties: [
      serverId(),
      prop('State', S, 'server'),
      prop('TargetEntityId', S, 'server'),
      prop('ErrorCode', S, 'server'),
      prop('ErrorMessage', S, 'server'),
    ],
    navigation: [],
  },
  {
    name: 'StreamingEndpoint',
    set: 'StreamingEndpoints',
    idPrefix: 'nb:oid:UUID:',
    properties: [
      serverId(),
      prop('Name', S, 'required', 'createOnly'),
      prop('Description', S),
      created(),
      lastModified(),
      prop('State', S, 'server'),
      prop('HostName', S, 'server'),
      prop('ScaleUnits', I32),
      prop('CustomHostNames', 'Collection(Edm.String)'),
      prop('AccessControl', 'StreamingEndpointAccessControl'),
      prop('CacheControl', 'StreamingEndpointCacheControl'),
      prop('CrossSiteAccessPolicies', 'CrossSiteAccessPolicies'),
      prop('CdnEnabled', BOOL, 'notNull'),
      prop('CdnProvider', S),
      prop('CdnProfile', S),
      prop('StreamingEndpointVersion', S),
      prop('FreeTrialEndTime', DATE, 'notNull', 'server'),
    ],
    navigation: [],
  },
  {
    name: 'Channel',
    set: 'Channels',
    idPrefix: 'nb:chid:UUID:',
    properties: [
      serverId(),
      prop('Name', S, 'required', 'createOnly'),
      prop('Description', S),
      created(),
      lastModified(),
      prop('State', S, 'server'),
      prop('Input', 'ChannelInput'),
      prop('Preview', 'ChannelPreview'),
      prop('Output', 'ChannelOutput'),
      prop('CrossSiteAccessPolicies', 'CrossSiteAccessPolicies'),
      prop('EncodingType', S, 'createOnly'),
      prop('Encoding', 'ChannelEncoding'),
      prop('Slate', 'ChannelSlate'),
      prop('VanityUrl', BOOL, 'notNull', 'createOnly'),
    ],
    navigation: [many('Programs', 'Programs')],
  },
  {
    name: 'Program',
    set: 'Programs',
    idPrefix: 'nb:pgid:UUID:',
    properties: [
      serverId(),
      prop('Name', S, 'required', 'createOnly'),
      prop('Description', S),
      created(),
      lastModified(),
      prop('ChannelId', S, 'required', 'createOnly'),
      prop('AssetId', S, 'required'),
      prop('ArchiveWindowLength', TIME, 'required'),
      prop('State', S, 'server'),
      prop('ManifestName', S),
    ],
    navigation: [one('Channel', 'Channels'), one('Asset', 'Assets')],
  },
];

/**
 * A service operation (`GET CancelJob?jobid='…'`) or an action bound to an entity
 * (`POST Channels('…')/Start`). Parameters exclude the binding parameter.
 */
export interface FunctionImportDef {
  name: string;
  kind: 'function' | 'action';
  /** For actions: the entity set the action is bound to and the binding parameter's name. */
  binding?: { set: string; parameter: string };
  parameters: readonly PropertyDef[];
  returnType?: EdmTypeName;
}

const fn = (name: string, parameters: PropertyDef[], returnType?: EdmTypeName): FunctionImportDef => ({
  name,
  kind: 'function',
  parameters,
  ...(returnType ? { returnType } : {}),
});

const action = (
  name: string,
  set: string,
  parameter: string,
  parameters: PropertyDef[] = [],
  returnType?: EdmTypeName,
): FunctionImportDef => ({
  name,
  kind: 'action',
  binding: { set, parameter },
  parameters,
  ...(returnType ? { returnType } : {}),
});

/** The service's function imports, from the REST reference's "REST API Functions". */
export const functionImports: readonly FunctionImportDef[] = [
  fn('CreateFileInfos', [prop('assetid', S, 'notNull')]),
  fn('CancelJob', [prop('jobid', S, 'notNull')]),
  fn('GetProtectionKeyId', [prop('contentKeyType', I32, 'notNull')], S),
  fn('GetProtectionKey', [prop('ProtectionKeyId', S, 'notNull')], S),
  fn('RebindContentKey', [prop('id', S, 'notNull'), prop('x509Certificate', S)], S),
  action('Publish', 'Assets', 'asset'),
  action('GetKeyDeliveryUrl', 'ContentKeys', 'contentKey', [prop('keyDeliveryType', I32, 'notNull')], S),
  action('Start', 'StreamingEndpoints', 'streamingEndpoint'),
  action('Stop', 'StreamingEndpoints', 'streamingEndpoint'),
  action('Scale', 'StreamingEndpoints', 'streamingEndpoint', [prop('scaleUnits', I32, 'notNull')]),
  action('Start', 'Channels', 'channel'),
  action('Stop', 'Channels', 'channel'),
  action('Reset', 'Channels', 'channel'),
  action('ShowSlate', 'Channels', 'channel', [prop('duration', TIME), prop('assetId', S)]),
  action('HideSlate', 'Channels', 'channel'),
  action('StartAdvertisement', 'Channels', 'channel', [
    prop('duration', TIME),
    prop('cueId', I32, 'notNull'),
    prop('showSlate', BOOL, 'notNull'),
  ]),
  action('EndAdvertisement', 'Channels', 'channel', [prop('cueId', I32, 'notNull')]),
  action('Start', 'Programs', 'program'),
  action('Stop', 'Programs', 'program'),
];

/** The entity container's name: actions' metadata URLs read `$metadata#WindowsAzureMediaServices.Publish`. */
export const CONTAINER_NAME = 'WindowsAzureMediaServices';

export const entitySets: ReadonlyMap<string, EntityTypeDef> = new Map(entityTypes.map((t) => [t.set, t]));
export const entityTypesByName: ReadonlyMap<string, EntityTypeDef> = new Map(
  entityTypes.map((t) => [t.name, t]),
);
export const complexTypes: ReadonlyMap<string, ComplexTypeDef> = new Map(
  complexTypeList.map((t) => [t.name, t]),
);

/** The type behind an entity set; an unknown set is the client's 404. */
export function entityTypeOf(set: string): EntityTypeDef {
  const type = entitySets.get(set);
  if (!type) throw mediaErrors.notFound(`Resource not found for the segment '${set}'.`);
  return type;
}

export const keyPropertyOf = (type: EntityTypeDef): string => type.key ?? 'Id';

type Members = ReadonlyMap<string, PropertyDef>;
const propertyIndex = new Map<EntityTypeDef | ComplexTypeDef, Members>();
for (const type of [...entityTypes, ...complexTypeList]) {
  propertyIndex.set(type, new Map(type.properties.map((p) => [p.name, p])));
}
const navigationIndex = new Map<EntityTypeDef, ReadonlyMap<string, NavigationDef>>(
  entityTypes.map((t) => [t, new Map(t.navigation.map((n) => [n.name, n]))]),
);

/** A declared property by its exact (case-sensitive, as OData's) name. */
export function propertyOf(type: EntityTypeDef | ComplexTypeDef, name: string): PropertyDef | undefined {
  const index = propertyIndex.get(type);
  return index ? index.get(name) : type.properties.find((p) => p.name === name);
}

export function navigationOf(type: EntityTypeDef, name: string): NavigationDef | undefined {
  const index = navigationIndex.get(type);
  return index ? index.get(name) : type.navigation.find((n) => n.name === name);
}

/** A complex type's members; the model only names declared complex types. */
export function complexMembersOf(name: string): readonly PropertyDef[] {
  const def = complexTypes.get(name);
  if (!def) throw new Error(`Unknown complex type ${name}`);
  return def.properties;
}

const boundActions = new Map<string, FunctionImportDef[]>();
for (const f of functionImports) {
  if (!f.binding) continue;
  const list = boundActions.get(f.binding.set) ?? [];
  list.push(f);
  boundActions.set(f.binding.set, list);
}

/** The actions an entity of this set can be the target of, in declaration order. */
export function actionsBoundTo(set: string): readonly FunctionImportDef[] {
  return boundActions.get(set) ?? [];
}

/** `Channels` + `Start`, or a service operation by name (`CancelJob`). */
export function functionImportOf(name: string, boundSet?: string): FunctionImportDef | undefined {
  return functionImports.find((f) =>
    boundSet === undefined
      ? f.kind === 'function' && f.name === name
      : f.binding?.set === boundSet && f.name === name,
  );
}
