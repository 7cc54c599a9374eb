import { blobErrors } from '../errors.js';
import { Permission } from '../sas.js';

/**
 * Which Blob service operation a request is, from its method, whether it names a blob, and its
 * `restype` / `comp` parameters; and the SAS permission each needs. Decided before authentication,
 * so it depends on nothing stored. Operations a container SAS can never perform (creating or
 * deleting containers, their ACLs, leases, snapshots, copies) are refused once the caller is known.
 */
export type OperationKind =
  | 'putBlob'
  | 'putBlock'
  | 'putBlockList'
  | 'setBlobProperties'
  | 'setBlobMetadata'
  | 'getBlob'
  | 'getBlobProperties'
  | 'getBlobMetadata'
  | 'getBlockList'
  | 'deleteBlob'
  | 'listBlobs'
  /** Exists in the service, but not for a container SAS: 403 after authentication. */
  | 'beyondContainerSas';

export interface Operation {
  kind: OperationKind;
  permission: number;
}

type Query = Readonly<Record<string, string | string[] | undefined>>;

const single = (query: Query, name: string): string | undefined => {
  const value = query[name];
  if (Array.isArray(value)) throw blobErrors.invalidQueryParameter(name, value.join(','));
  return value;
};

const op = (kind: OperationKind, permission: number): Operation => ({ kind, permission });

export function resolveOperation(method: string, hasBlob: boolean, query: Query): Operation {
  const comp = single(query, 'comp');
  const restype = single(query, 'restype');
  if (!hasBlob) return containerOperation(method, restype, comp);
  if (restype !== undefined) throw blobErrors.invalidQueryParameter('restype', restype);
  switch (method) {
    case 'PUT':
      if (comp === undefined) return op('putBlob', Permission.Write);
      if (comp === 'block') return op('putBlock', Permission.Write);
      if (comp === 'blocklist') return op('putBlockList', Permission.Write);
      if (comp === 'properties') return op('setBlobProperties', Permission.Write);
      if (comp === 'metadata') return op('setBlobMetadata', Permission.Write);
      if (['lease', 'snapshot', 'copy', 'tier', 'page', 'appendblock'].includes(comp)) {
        return op('beyondContainerSas', Permission.Write);
      }
      throw blobErrors.invalidQueryParameter('comp', comp);
    case 'GET':
    case 'HEAD':
      if (comp === undefined) return op(method === 'GET' ? 'getBlob' : 'getBlobProperties', Permission.Read);
      if (comp === 'metadata') return op('getBlobMetadata', Permission.Read);
      if (comp === 'blocklist' && method === 'GET') return op('getBlockList', Permission.Read);
      throw blobErrors.invalidQueryParameter('comp', comp);
    case 'DELETE':
      if (comp === undefined) return op('deleteBlob', Permission.Delete);
      throw blobErrors.invalidQueryParameter('comp', comp);
    default:
      throw blobErrors.unsupportedVerb();
  }
}

function containerOperation(
  method: string,
  restype: string | undefined,
  comp: string | undefined,
): Operation {
  if (!['GET', 'HEAD', 'PUT', 'DELETE'].includes(method)) throw blobErrors.unsupportedVerb();
  if (restype === undefined) throw blobErrors.invalidUri();
  if (restype !== 'container') throw blobErrors.invalidQueryParameter('restype', restype);
  if (method === 'GET' && comp === 'list') return op('listBlobs', Permission.List);
  if (comp === undefined || ['metadata', 'acl', 'lease'].includes(comp)) {
    return op('beyondContainerSas', Permission.Read);
  }
  throw blobErrors.invalidQueryParameter('comp', comp);
}
