/**
 * Trusted documents (persisted documents): the gateway knows the operations the channel frontends ship
 * (`operations/<client>/<name>.graphql`, see `security/trustedDocumentManifest.ts`) and can run only
 * those. `TRUSTED_DOCUMENTS`:
 * - `off` — no lookup; Apollo Server's automatic persisted queries (APQ) work as usual.
 * - `allow` (default outside production) — a registered document can be asked for by id; any other
 *   document still runs, and APQ works for it.
 * - `enforce` (default in production) — only registered documents of the calling client run, asked for
 *   by id or sent as their exact text; anything else is refused with `TRUSTED_DOCUMENT_REQUIRED`
 *   before it is parsed.
 *
 * A client names itself in `apollographql-client-name` (Apollo Client's header) or `x-client-name`,
 * and asks for a document by `extensions.persistedQuery.sha256Hash` (Apollo's persisted-query link)
 * or by `documentId` (`"sha256:<hex>"` or `"<hex>"`, in the JSON body or the GET query string, as the
 * GraphQL-over-HTTP persisted documents proposal has it). `GET /trusted-documents` lists the manifest.
 */
import { join, isAbsolute } from 'node:path';
import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import { ErrorCode, repositoryRoot, sendJson } from '../../../subgraphs/kit/src';
import type { GatewayContext } from '../context';
import type { GatewayFeature, GatewayFeatureFactory } from '../feature';
import { refuseBeforeParsing, throwIfRefusedEarly } from '../security/earlyRefusal';
import { readChoiceVariable } from '../security/readVariable';
import { refusal } from '../security/refusal';
import { TrustedDocumentManifest, documentHash } from '../security/trustedDocumentManifest';

/** `TRUSTED_DOCUMENTS` values. */
export const TRUSTED_DOCUMENTS_MODES = ['off', 'allow', 'enforce'] as const;

/** A `TRUSTED_DOCUMENTS` value (see module comment). */
export type TrustedDocumentsMode = (typeof TRUSTED_DOCUMENTS_MODES)[number];

/** Trusted documents settings. */
export interface TrustedDocumentsConfig {
  /** `TRUSTED_DOCUMENTS`. @default "enforce" in production, "allow" otherwise */
  mode: TrustedDocumentsMode;
  /** `TRUSTED_DOCUMENTS_DIR`, relative to the repository root. @default "operations" */
  directory: string;
}

/** Reads `TRUSTED_DOCUMENTS` and `TRUSTED_DOCUMENTS_DIR`. */
export function readTrustedDocumentsConfig(env: NodeJS.ProcessEnv = process.env, production = env.NODE_ENV === 'production'): TrustedDocumentsConfig {
  const directory = env.TRUSTED_DOCUMENTS_DIR?.trim() || 'operations';
  return {
    mode: readChoiceVariable(env, 'TRUSTED_DOCUMENTS', TRUSTED_DOCUMENTS_MODES, production ? 'enforce' : 'allow'),
    directory: isAbsolute(directory) ? directory : join(repositoryRoot(), directory),
  };
}

const CLIENT_HEADERS = ['apollographql-client-name', 'x-client-name'] as const;
const HASH = /^[0-9a-f]{64}$/i;

/** The client's name from its headers, if it gave a plausible one. */
function clientNameOf(request: GraphQLRequest): string | undefined {
  for (const header of CLIENT_HEADERS) {
    const value = request.http?.headers.get(header)?.trim();
    if (value && value.length <= 64) return value.toLowerCase();
  }
  return undefined;
}

/** The id a request asks for, from `documentId` (body or query string) or the APQ extension. */
function requestedIdOf(request: GraphQLRequest): { hash: string; via: 'documentId' | 'persistedQuery' } | { invalid: string } | undefined {
  const body = request.http?.body;
  const fromBody = body && typeof body === 'object' && !Array.isArray(body) ? (body as { documentId?: unknown }).documentId : undefined;
  const fromSearch = request.http?.method === 'GET' ? new URLSearchParams(request.http.search).get('documentId') ?? undefined : undefined;
  const documentId = fromBody ?? fromSearch;
  if (documentId !== undefined) {
    const hash = typeof documentId === 'string' ? documentId.replace(/^sha256:/i, '') : '';
    return HASH.test(hash) ? { hash: hash.toLowerCase(), via: 'documentId' } : { invalid: 'documentId must be "sha256:<64 hex digits>"' };
  }
  const persisted = (request.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  if (persisted && typeof persisted.sha256Hash === 'string' && HASH.test(persisted.sha256Hash)) return { hash: persisted.sha256Hash.toLowerCase(), via: 'persistedQuery' };
  return undefined;
}

/** The plugin resolving (and, in enforce mode, requiring) trusted documents. */
export function trustedDocumentsPlugin(mode: TrustedDocumentsMode, manifest: TrustedDocumentManifest): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart(requestContext) {
      if (mode === 'off') return {};
      const request = requestContext.request;
      const client = clientNameOf(request);
      const requested = requestedIdOf(request);
      const enforce = mode === 'enforce';
      const required = (message: string) =>
        refusal(ErrorCode.TRUSTED_DOCUMENT_REQUIRED, message, { ...(client ? { clientName: client } : {}), mode });

      if (requested && 'invalid' in requested) {
        refuseBeforeParsing(requestContext, refusal(ErrorCode.BAD_USER_INPUT, requested.invalid, { field: 'documentId' }));
      } else if (requested) {
        const document = client ? manifest.find(client, requested.hash) : enforce ? undefined : manifest.findAnyClient(requested.hash);
        if (document) {
          // Apollo Server then checks the APQ hash against this text, which matches by construction.
          request.query = document.text;
        } else if (enforce) {
          refuseBeforeParsing(
            requestContext,
            required(client ? `No trusted document ${requested.hash} is registered for the client "${client}"` : 'Only registered documents run here: name your client in the apollographql-client-name header'),
          );
        } else if (requested.via === 'documentId') {
          refuseBeforeParsing(requestContext, refusal('PERSISTED_QUERY_NOT_FOUND', `No trusted document ${requested.hash} is registered`));
        }
        // An unknown APQ hash outside enforce mode: Apollo Server's APQ cache answers it.
      } else if (enforce && request.query !== undefined) {
        const registered = client ? manifest.find(client, documentHash(request.query)) : undefined;
        if (!registered) {
          refuseBeforeParsing(
            requestContext,
            required(client ? `This document is not registered for the client "${client}"; only its trusted documents run here` : 'Only registered documents run here: name your client in the apollographql-client-name header'),
          );
        }
      }
      return {
        async didResolveOperation(context) {
          throwIfRefusedEarly(context);
        },
      };
    },
  };
}

/** Builds the feature from explicit settings (tests, embedding). */
export function createTrustedDocumentsFeature(config: TrustedDocumentsConfig): GatewayFeatureFactory {
  return ({ logger }): GatewayFeature => {
    const manifest = TrustedDocumentManifest.load(config.directory, logger);
    if (config.mode === 'enforce' && manifest.size === 0) {
      logger.warn('TRUSTED_DOCUMENTS=enforce but no document is registered: every operation will be refused', { directory: config.directory });
    } else {
      logger.info('trusted documents loaded', { mode: config.mode, documents: manifest.size, directory: config.directory });
    }
    return {
      name: 'trustedDocuments',
      plugins: [trustedDocumentsPlugin(config.mode, manifest)],
      routes: {
        '/trusted-documents': (request, response) => {
          if (request.method !== 'GET') return sendJson(response, 405, { errors: [{ message: 'Use GET', extensions: { code: 'BAD_REQUEST' } }] }, { allow: 'GET' });
          sendJson(response, 200, { mode: config.mode, clients: manifest.listing() });
        },
      },
    };
  };
}

/** The trusted documents feature, configured from the environment. */
export const trustedDocumentsFeature: GatewayFeatureFactory = (options) =>
  createTrustedDocumentsFeature(readTrustedDocumentsConfig(process.env, options.config.production))(options);
