/**
 * The Entity Data Model of the v2 API, declared as data: `$metadata`, the three serializers, the
 * body reader, `$filter`/`$orderby` and validation all read these declarations, so a property is
 * described once.
 *
 * In memory an entity is a plain record keyed by property name. Values by type:
 * Edm.String/Edm.Guid → string; Edm.Int32/Int64/Double/Decimal/Byte → number; Edm.Boolean →
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
  /** Every entity type of this API is keyed by `Id` (Edm.String). */
  properties: readonly PropertyDef[];
  navigation: readonly NavigationDef[];
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
