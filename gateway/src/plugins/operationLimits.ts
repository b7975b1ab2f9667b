/**
 * Operation limits: the gateway refuses, before any subgraph is called, operations that are too large
 * to be an honest client's — too many bytes or tokens (checked before parsing, so a token bomb costs a
 * lexer scan), too deep, too many aliases, root fields or directives, pages larger than the subgraphs
 * serve, or an estimated answer larger than `OPERATION_MAX_COST` objects (see
 * `security/operationMeasures.ts`). Fragment cycles are refused by GraphQL validation, which runs
 * before this plugin's `didResolveOperation` and after the token limit has bounded its work.
 *
 * Every refusal is HTTP 400 with a GraphQL error whose `extensions` hold `code`, `measure` (what was
 * measured), `limit` and `actual`. A limit of 0 turns that check off.
 */
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { Kind, type FragmentDefinitionNode, type GraphQLError } from 'graphql';
import { ErrorCode } from '../../../subgraphs/kit/src';
import type { GatewayContext } from '../context';
import type { GatewayFeature, GatewayFeatureFactory } from '../feature';
import { isRefusedEarly, refuseBeforeParsing, throwIfRefusedEarly } from '../security/earlyRefusal';
import { measureOperation, type OperationMeasures } from '../security/operationMeasures';
import { readIntegerVariable } from '../security/readVariable';
import { refusal } from '../security/refusal';
import { countTokens } from '../security/tokenCount';

/** The limits, each read from its own variable; 0 = no limit. */
export interface OperationLimitsConfig {
  /** `OPERATION_MAX_BYTES`: size of the document text (UTF-8). @default 20480 */
  maxBytes: number;
  /** `OPERATION_MAX_TOKENS`: lexical tokens of the document. @default 2000 */
  maxTokens: number;
  /** `OPERATION_MAX_DEPTH`: field nesting (root fields are 1). @default 12 */
  maxDepth: number;
  /** `OPERATION_MAX_ALIASES`. @default 30 */
  maxAliases: number;
  /** `OPERATION_MAX_ROOT_FIELDS`. @default 20 */
  maxRootFields: number;
  /** `OPERATION_MAX_DIRECTIVES_PER_FIELD`: directives on one field, fragment spread or inline fragment. @default 5 */
  maxDirectivesPerField: number;
  /** `OPERATION_MAX_PAGE_SIZE`: largest `first`/`last`, literal or variable. @default 100 */
  maxPageSize: number;
  /** `OPERATION_MAX_COST`: estimated objects in the answer (the customer-360 query with 100 orders, lines and stock per location estimates about 22,000; 100 × 100 × 10 nested entities is 100,000). @default 25000 */
  maxCost: number;
  /** `OPERATION_DEFAULT_LIST_SIZE`: objects assumed for a list without `first`/`last`. @default 10 */
  defaultListSize: number;
  /** `OPERATION_MAX_INTROSPECTION_LIST_NESTING`: lists nested inside introspection. @default 3 */
  maxIntrospectionListNesting: number;
}

/** Reads the `OPERATION_*` variables (see {@link OperationLimitsConfig}). */
export function readOperationLimitsConfig(env: NodeJS.ProcessEnv = process.env): OperationLimitsConfig {
  return {
    maxBytes: readIntegerVariable(env, 'OPERATION_MAX_BYTES', 20 * 1024),
    maxTokens: readIntegerVariable(env, 'OPERATION_MAX_TOKENS', 2000),
    maxDepth: readIntegerVariable(env, 'OPERATION_MAX_DEPTH', 12),
    maxAliases: readIntegerVariable(env, 'OPERATION_MAX_ALIASES', 30),
    maxRootFields: readIntegerVariable(env, 'OPERATION_MAX_ROOT_FIELDS', 20),
    maxDirectivesPerField: readIntegerVariable(env, 'OPERATION_MAX_DIRECTIVES_PER_FIELD', 5),
    maxPageSize: readIntegerVariable(env, 'OPERATION_MAX_PAGE_SIZE', 100),
    maxCost: readIntegerVariable(env, 'OPERATION_MAX_COST', 25_000),
    defaultListSize: readIntegerVariable(env, 'OPERATION_DEFAULT_LIST_SIZE', 10, { min: 1, max: 1000 }),
    maxIntrospectionListNesting: readIntegerVariable(env, 'OPERATION_MAX_INTROSPECTION_LIST_NESTING', 3),
  };
}

function exceeds(actual: number, limit: number): boolean {
  return limit > 0 && actual > limit;
}

/** The checks made before parsing: size, then tokens. */
export function sourceRefusal(source: string, config: OperationLimitsConfig): GraphQLError | undefined {
  const bytes = Buffer.byteLength(source, 'utf8');
  if (exceeds(bytes, config.maxBytes)) {
    return refusal(ErrorCode.DOCUMENT_TOO_LARGE, `The document is ${bytes} bytes; the limit is ${config.maxBytes}`, { measure: 'documentBytes', limit: config.maxBytes, actual: bytes });
  }
  if (config.maxTokens > 0) {
    const tokens = countTokens(source, config.maxTokens);
    if (tokens > config.maxTokens) {
      return refusal(ErrorCode.TOO_MANY_TOKENS, `The document has more than ${config.maxTokens} tokens`, { measure: 'tokens', limit: config.maxTokens, actual: tokens });
    }
  }
  return undefined;
}

/** The checks made on the validated operation, in order; the first one that fails. */
export function measuresRefusal(measures: OperationMeasures, config: OperationLimitsConfig): GraphQLError | undefined {
  const page = measures.largestPage;
  if (page && exceeds(page.value, config.maxPageSize)) {
    return refusal(ErrorCode.PAGE_SIZE_TOO_LARGE, `\`${page.argument}: ${page.value}\` at ${page.path} is larger than the page size limit of ${config.maxPageSize}`, {
      measure: 'pageSize',
      limit: config.maxPageSize,
      actual: page.value,
      argument: page.argument,
      path: page.path,
    });
  }
  const directives = measures.mostDirectives;
  if (exceeds(directives.count, config.maxDirectivesPerField)) {
    return refusal(ErrorCode.TOO_MANY_DIRECTIVES, `${directives.path} has ${directives.count} directives; the limit is ${config.maxDirectivesPerField}`, {
      measure: 'directivesPerField',
      limit: config.maxDirectivesPerField,
      actual: directives.count,
      path: directives.path,
    });
  }
  if (exceeds(measures.depth, config.maxDepth)) {
    return refusal(ErrorCode.OPERATION_TOO_DEEP, `The operation is ${measures.depth} fields deep; the limit is ${config.maxDepth}`, { measure: 'depth', limit: config.maxDepth, actual: measures.depth });
  }
  if (exceeds(measures.aliases, config.maxAliases)) {
    return refusal(ErrorCode.TOO_MANY_ALIASES, `The operation uses ${countText(measures.aliases)} aliases; the limit is ${config.maxAliases}`, { measure: 'aliases', limit: config.maxAliases, actual: countValue(measures.aliases) });
  }
  if (exceeds(measures.rootFields, config.maxRootFields)) {
    return refusal(ErrorCode.TOO_MANY_ROOT_FIELDS, `The operation asks for ${countText(measures.rootFields)} root fields; the limit is ${config.maxRootFields}`, {
      measure: 'rootFields',
      limit: config.maxRootFields,
      actual: countValue(measures.rootFields),
    });
  }
  if (exceeds(measures.introspectionListNesting, config.maxIntrospectionListNesting)) {
    return refusal(ErrorCode.OPERATION_TOO_COMPLEX, `Introspection nests lists ${measures.introspectionListNesting} deep; the limit is ${config.maxIntrospectionListNesting}`, {
      measure: 'introspectionListNesting',
      limit: config.maxIntrospectionListNesting,
      actual: measures.introspectionListNesting,
    });
  }
  if (exceeds(measures.cost, config.maxCost)) {
    return refusal(
      ErrorCode.OPERATION_TOO_COMPLEX,
      `The answer is estimated at ${countText(measures.cost)} objects; the limit is ${config.maxCost}. Ask for smaller pages (\`first\`) or fewer nested lists`,
      { measure: 'cost', limit: config.maxCost, actual: countValue(measures.cost) },
    );
  }
  return undefined;
}

// Private: counts multiplied through fragments can pass any integer; JSON has no Infinity.
function countValue(value: number): number | string {
  return Number.isSafeInteger(value) ? value : 'more than 2^53';
}

function countText(value: number): string {
  return Number.isSafeInteger(value) ? String(value) : 'more than 2^53';
}

// Private: the message graphql-js gives for each way of not naming a runnable operation.
function unresolvedOperation(operationName: string | undefined): GraphQLError {
  const message = operationName
    ? `Unknown operation named "${operationName.length <= 100 ? operationName : `${operationName.slice(0, 100)}…`}".`
    : 'Must provide operation name if query contains multiple operations.';
  return refusal('OPERATION_RESOLUTION_FAILURE', message);
}

/** The plugin enforcing `config`. */
export function operationLimitsPlugin(config: OperationLimitsConfig): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart(requestContext) {
      const source = requestContext.request.query;
      // A document fetched from the APQ cache (no text here) was measured when it was registered.
      if (source !== undefined && !isRefusedEarly(requestContext)) {
        const error = sourceRefusal(source, config);
        if (error) refuseBeforeParsing(requestContext, error);
      }
      return {
        async didResolveOperation(context: GraphQLRequestContext<GatewayContext>) {
          throwIfRefusedEarly(context);
          const { operation, document } = context;
          if (!document) return;
          // Nothing to measure — and Apollo Gateway would answer this with a 500 from its executor.
          if (!operation) throw unresolvedOperation(context.request.operationName);
          // Measuring is linear in the document, which the token limit keeps small: no cache needed.
          const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
          const measures = measureOperation(context.schema, fragments, operation, context.request.variables ?? {}, { defaultListSize: config.defaultListSize });
          const error = measuresRefusal(measures, config);
          if (error) throw error;
        },
      };
    },
  };
}

/** Builds the feature from explicit limits (tests, embedding). */
export function createOperationLimitsFeature(config: OperationLimitsConfig): GatewayFeatureFactory {
  return (): GatewayFeature => ({ name: 'operationLimits', plugins: [operationLimitsPlugin(config)] });
}

/** The operation limits feature, configured from the environment. */
export const operationLimitsFeature: GatewayFeatureFactory = (options) => createOperationLimitsFeature(readOperationLimitsConfig(process.env))(options);
