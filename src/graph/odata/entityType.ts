/** The kinds of property a filter or a select needs to know apart. */
export type PropertyKind = 'string' | 'boolean' | 'dateTime' | 'int' | 'collection' | 'complex';

/** One of Graph's entity types, as far as queries see it. */
export interface EntityType {
  /** The OData type name, as errors and `@odata.type` spell it: `microsoft.graph.user`. */
  name: string;
  /** Every property the JSON representation carries, by its exact name. */
  properties: Readonly<Record<string, PropertyKind>>;
  /** Graph's default properties (what comes back without `$select`); every property when absent. */
  defaultSelect?: readonly string[];
}

/** Graph matches property names in queries without regard to case; answers use the declared name. */
export function propertyNamed(types: readonly EntityType[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const type of types) {
    for (const property of Object.keys(type.properties))
      if (property.toLowerCase() === lower) return property;
  }
  return undefined;
}

export function kindOf(types: readonly EntityType[], property: string): PropertyKind | undefined {
  for (const type of types) {
    const kind = type.properties[property];
    if (kind !== undefined) return kind;
  }
  return undefined;
}

/** The name an error about an unknown property cites: the type, or directoryObject for mixed sets. */
export const typeNameOf = (types: readonly EntityType[]): string =>
  types.length === 1 && types[0] ? types[0].name : 'microsoft.graph.directoryObject';
