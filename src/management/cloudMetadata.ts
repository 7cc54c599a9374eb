import { ADFS_SEGMENT } from '../authority/tenants.js';

/**
 * ARM's cloud metadata (`GET /metadata/endpoints`): where a cloud's services are and which
 * audiences its tokens carry, read by `az cloud register`, Azure PowerShell's `-AutoDiscover`,
 * Terraform and the SDKs. Every URL is built from the origin the client called, so a client that
 * reached Tessera as `https://localhost:PORT` is sent back there.
 */

export const CLOUD_NAME = 'Tessera';

const MANAGEMENT_AUDIENCES = ['https://management.core.windows.net/', 'https://management.azure.com/'];
const MICROSOFT_GRAPH = 'https://graph.microsoft.com/';
const MEDIA_SERVICES = 'https://rest.media.azure.net';

/**
 * The origin comes first: az takes `audiences[0]` as the management resource it asks tokens for,
 * as Azure Stack names its own management endpoint. The public cloud's identifiers follow, since
 * ARM accepts those too.
 */
const audiences = (origin: string): string[] => [`${origin}/`, ...MANAGEMENT_AUDIENCES];

/**
 * The ADFS form of the authority: the only one az 2.45 and MSAL Python use without calling
 * login.microsoftonline.com for instance discovery (the authority answers it for the default
 * tenant).
 */
const loginEndpoint = (origin: string): string => `${origin}/${ADFS_SEGMENT}/`;

/**
 * `api-version=2015-01-01`, what `az cloud register --endpoint-resource-manager` reads (through
 * msrestazure): gallery, AD Graph, login endpoint and audiences. Tessera has no portal or template
 * gallery; its origin stands for both, as it does for Graph (served at `/v1.0/`).
 */
export function legacyCloudEndpoints(origin: string): Record<string, unknown> {
  const root = `${origin}/`;
  return {
    galleryEndpoint: root,
    graphEndpoint: root,
    graphAudience: MICROSOFT_GRAPH,
    portalEndpoint: root,
    authentication: { loginEndpoint: loginEndpoint(origin), audiences: audiences(origin) },
  };
}

/**
 * `api-version=2019-05-01` and later: one cloud in the shape az's `ARM_CLOUD_METADATA_URL`
 * (`_arm_to_cli_mapper`) and go-azure-sdk read, with `microsoftGraphResourceId`, the resource az's
 * Graph commands ask tokens for. Services Tessera does not run (storage, Key Vault, SQL…) are
 * left out rather than pointed anywhere, so no client is sent to a host that is not there.
 */
export function cloudEndpoints(origin: string, graphOrigin?: string): Record<string, unknown> {
  const root = `${origin}/`;
  return {
    name: CLOUD_NAME,
    resourceManager: root,
    portal: root,
    gallery: root,
    graph: root,
    graphAudience: MICROSOFT_GRAPH,
    // az 2.45 calls Graph at the URL it asks tokens for: Graph's own origin, which the authority
    // resolves to Microsoft Graph (https://graph.microsoft.com/ would send az to the real one).
    microsoftGraphResourceId: graphOrigin === undefined ? MICROSOFT_GRAPH : `${graphOrigin}/`,
    media: MEDIA_SERVICES,
    authentication: {
      loginEndpoint: loginEndpoint(origin),
      audiences: audiences(origin),
      tenant: ADFS_SEGMENT,
      identityProvider: 'ADFS',
    },
    suffixes: {},
  };
}
