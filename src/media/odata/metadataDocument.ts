import type { ComplexTypeDef, EntityTypeDef, NavigationDef, PropertyDef } from './edm.js';
import { NAMESPACE, isCollectionType, qualified } from './edm.js';
import type { FunctionImportDef } from './model.js';
import {
  CONTAINER_NAME,
  complexTypes,
  entitySets,
  entityTypes,
  functionImports,
  keyPropertyOf,
} from './model.js';

/**
 * `GET /api/$metadata`: the CSDL of the data model in an EDMX 1.0 envelope, DataServiceVersion 3.0,
 * as WCF Data Services described the service. Navigation properties get one association each,
 * named `<Type>_<Navigation>` with `_Source` and `_Target` roles, as the reflection provider named
 * them. Built from the model once and cached: the model never changes while the process runs.
 */

let cached: string | undefined;

export function metadataDocument(): string {
  cached ??= build();
  return cached;
}

const EDM_NS = 'http://schemas.microsoft.com/ado/2009/11/edm';
const EDMX_NS = 'http://schemas.microsoft.com/ado/2007/06/edmx';
const METADATA_NS = 'http://schemas.microsoft.com/ado/2007/08/dataservices/metadata';

function build(): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8" standalone="yes"?>',
    `<edmx:Edmx Version="1.0" xmlns:edmx="${EDMX_NS}">`,
    `<edmx:DataServices m:DataServiceVersion="3.0" m:MaxDataServiceVersion="3.0" xmlns:m="${METADATA_NS}">`,
    `<Schema Namespace="${NAMESPACE}" xmlns="${EDM_NS}">`,
  ];
  for (const type of entityTypes) out.push(entityType(type));
  for (const type of complexTypes.values()) out.push(complexType(type));
  for (const type of entityTypes) for (const nav of type.navigation) out.push(association(type, nav));
  out.push(`<EntityContainer Name="${CONTAINER_NAME}" m:IsDefaultEntityContainer="true">`);
  for (const type of entityTypes)
    out.push(`<EntitySet Name="${type.set}" EntityType="${qualified(type.name)}" />`);
  for (const type of entityTypes) for (const nav of type.navigation) out.push(associationSet(type, nav));
  for (const f of functionImports) out.push(functionImport(f));
  out.push('</EntityContainer>', '</Schema>', '</edmx:DataServices>', '</edmx:Edmx>');
  return out.join('');
}

function property(p: PropertyDef): string {
  // Collections are never null in OData v3; WCF declared them so.
  const notNull = p.nullable === false || isCollectionType(p.type) ? ' Nullable="false"' : '';
  return `<Property Name="${p.name}" Type="${qualified(p.type)}"${notNull} />`;
}

const associationName = (type: EntityTypeDef, nav: NavigationDef): string => `${type.name}_${nav.name}`;

function entityType(type: EntityTypeDef): string {
  let out = `<EntityType Name="${type.name}"><Key><PropertyRef Name="${keyPropertyOf(type)}" /></Key>`;
  for (const p of type.properties) out += property(p);
  for (const nav of type.navigation) {
    const name = associationName(type, nav);
    out += `<NavigationProperty Name="${nav.name}" Relationship="${qualified(name)}" ToRole="${name}_Target" FromRole="${name}_Source" />`;
  }
  return `${out}</EntityType>`;
}

function complexType(type: ComplexTypeDef): string {
  return `<ComplexType Name="${type.name}">${type.properties.map(property).join('')}</ComplexType>`;
}

function targetType(nav: NavigationDef): EntityTypeDef {
  const target = entitySets.get(nav.target);
  if (!target) throw new Error(`Navigation ${nav.name} leads to unknown set ${nav.target}`);
  return target;
}

function association(type: EntityTypeDef, nav: NavigationDef): string {
  const name = associationName(type, nav);
  return (
    `<Association Name="${name}">` +
    `<End Type="${qualified(targetType(nav).name)}" Role="${name}_Target" Multiplicity="${nav.many ? '*' : '0..1'}" />` +
    `<End Type="${qualified(type.name)}" Role="${name}_Source" Multiplicity="*" />` +
    `</Association>`
  );
}

function associationSet(type: EntityTypeDef, nav: NavigationDef): string {
  const name = associationName(type, nav);
  return (
    `<AssociationSet Name="${type.set}_${nav.name}" Association="${qualified(name)}">` +
    `<End Role="${name}_Source" EntitySet="${type.set}" />` +
    `<End Role="${name}_Target" EntitySet="${nav.target}" />` +
    `</AssociationSet>`
  );
}

function functionImport(f: FunctionImportDef): string {
  const returns = f.returnType ? ` ReturnType="${qualified(f.returnType)}"` : '';
  const params = f.parameters.map(
    (p) => `<Parameter Name="${p.name}" Type="${qualified(p.type)}" Mode="In" />`,
  );
  if (f.kind === 'function') {
    return `<FunctionImport Name="${f.name}"${returns} m:HttpMethod="GET">${params.join('')}</FunctionImport>`;
  }
  const binding = f.binding!;
  const bound = `<Parameter Name="${binding.parameter}" Type="${qualified(targetOfSet(binding.set).name)}" Mode="In" />`;
  return (
    `<FunctionImport Name="${f.name}"${returns} IsBindable="true" IsSideEffecting="true" m:IsAlwaysBindable="true">` +
    `${bound}${params.join('')}</FunctionImport>`
  );
}

function targetOfSet(set: string): EntityTypeDef {
  const type = entitySets.get(set);
  if (!type) throw new Error(`Action bound to unknown set ${set}`);
  return type;
}
