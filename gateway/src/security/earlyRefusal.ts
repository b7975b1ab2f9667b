/**
 * Refusing a request before Apollo Server parses or validates its document.
 *
 * Why this exists: Apollo Server answers an error thrown from `requestDidStart`/`didResolveSource`
 * with a bare HTTP 500 "Internal server error"; only `didResolveOperation` (after parsing and
 * validation) turns a thrown `GraphQLError` into a proper response with its code and status. But the
 * point of a token or size limit, or of enforced trusted documents, is to skip parsing and validation
 * of hostile text altogether. So `requestDidStart` records the refusal and swaps the document for a
 * trivial one (`{ __typename }`, parsed and validated in microseconds), and `didResolveOperation`
 * throws the recorded refusal. Nothing is executed and no subgraph is called.
 */
import type { GraphQLRequestContext } from '@apollo/server';
import type { GraphQLError } from 'graphql';

// Private: the refusal of each request in flight; a WeakMap so a request's entry goes with it.
const refusals = new WeakMap<object, GraphQLError>();

const TRIVIAL_DOCUMENT = '{ __typename }';

/** Records `error` for this request (the first refusal wins) and replaces its document with a trivial one. */
export function refuseBeforeParsing(requestContext: GraphQLRequestContext<object>, error: GraphQLError): void {
  if (refusals.has(requestContext)) return;
  refusals.set(requestContext, error);
  const request = requestContext.request;
  request.query = TRIVIAL_DOCUMENT;
  request.operationName = undefined;
  request.variables = {};
  // Without this, a persisted-query hash would be checked against (or looked up instead of) the swap.
  request.extensions = {};
}

/** True when a feature has already refused this request. */
export function isRefusedEarly(requestContext: GraphQLRequestContext<object>): boolean {
  return refusals.has(requestContext);
}

/** Throws the recorded refusal, if any; call from `didResolveOperation`. */
export function throwIfRefusedEarly(requestContext: GraphQLRequestContext<object>): void {
  const error = refusals.get(requestContext);
  if (error) throw error;
}
