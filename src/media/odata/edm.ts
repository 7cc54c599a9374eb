/**
 * The Entity Data Model of the v2 API, declared as data: `$metadata`, the three serializers, the
 * body reader, `$filter`/`$orderby` and validation all read these declarations, so a property is
 * described once.
 *
 * In memory an entity is a plain record keyed by property name. Values by type:
 * Edm.String/Edm.Guid → string; Edm.Int16/Int32/Int64/Double/Decimal/Byte → number; Edm.Boolean →
 * boolean; Edm.DateTime → epoch milliseconds (number); Edm.Time → milliseconds (number);
 * complex → a record of the complex type; Collection(…) → an array; any of them may be null.
 */
export const NAMESPACE = 'Microsoft.Cloud.Media.Vod.Rest.Data.Models';

export type EdmPrimitive =
  | 'Edm.String'
  | 'Edm.Guid'
  | 'Edm.Int32'
  | 'Edm.Int64'
  | 'Edm.Double'
  | 'Edm.Decimal'
  | 'Edm.Byte'
  | 'Edm.Int16'
  | 'Edm.Boolean'
  | 'Edm.DateTime'
  | 'Edm.Time';

/** A primitive, the name of a complex type (unqualified), or `Collection(<either>)`. */
export type EdmTypeName = EdmPrimitive | string;

export interface PropertyDef {
  name: string;
  type: EdmTypeName;
  /** Defaults to true, as OData's. */
  nullable?: boolean;
  /**
   * Set by the service: a client's value is ignored, never refused, because the .NET SDK sends every
   * property on create and update (`Created` as 0001-01-01, `Id` null, `State` 0).
   */
  serverSet?: boolean;
  /** Settable when the entity is created, never changed afterwards (the service's WriteOnce). */
  createOnly?: boolean;
  /** Must be given, and not null, when the entity is created. */
  required?: boolean;
}

export interface ComplexTypeDef {
  name: string;
  properties: readonly PropertyDef[];
}

export interface NavigationDef {
  name: string;
  /** The entity set the navigation leads to. */
  target: string;
  many: boolean;
}

export interface EntityTypeDef {
  /** Unqualified: `Asset`; qualified as `${NAMESPACE}.Asset` on the wire. */
  name: string;
  /** The entity set: `Assets`. */
  set: string;
  /** Keyed by `Id` (Edm.String) unless `key` names another property. */
  properties: readonly PropertyDef[];
  navigation: readonly NavigationDef[];
  /**
   * The key property when it is not `Id`: StorageAccounts are keyed by `Name`,
   * EncodingReservedUnitTypes by `AccountId` (an Edm.Guid, written `guid'…'` in URLs).
   */
  key?: string;
  /** How the service's ids of this type begin (`nb:cid:UUID:`); absent where the key is not such an id. */
  idPrefix?: string;
}

export type EntityRecord = Record<string, unknown>;

export const isCollectionType = (type: EdmTypeName): boolean => type.startsWith('Collection(');
export const elementType = (type: EdmTypeName): EdmTypeName =>
  isCollectionType(type) ? type.slice('Collection('.length, -1) : type;
export const isPrimitive = (type: EdmTypeName): type is EdmPrimitive => type.startsWith('Edm.');
export const qualified = (type: EdmTypeName): string =>
  isCollectionType(type)
    ? `Collection(${qualified(elementType(type))})`
    : isPrimitive(type)
      ? type
      : `${NAMESPACE}.${type}`;
