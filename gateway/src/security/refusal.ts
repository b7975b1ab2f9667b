/**
 * How the security features refuse an operation: a `GraphQLError` with one of the gateway's public
 * codes, the limit and what was measured in `extensions`, and HTTP 400 (Apollo Server takes the status
 * from `extensions.http` and strips it before the client sees the error).
 */
import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../../../subgraphs/kit/src';

/** Apollo Server's own public codes that the security features reuse where they mean the same thing. */
export type ApolloRequestCode = 'PERSISTED_QUERY_NOT_FOUND' | 'OPERATION_RESOLUTION_FAILURE';

/** A refusal with `code`, HTTP `status` (default 400) and `details` (e.g. `{ limit, actual }`) in extensions. */
export function refusal(code: ErrorCode | ApolloRequestCode, message: string, details: Record<string, unknown> = {}, status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { ...details, code, http: { status } } });
}
