/**
 * Scalars shared by every subgraph. `DateTime` is an ISO-8601 UTC string on the wire and a JS `Date`
 * inside resolvers; anything else is a BAD_USER_INPUT, not a crash.
 */
import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from './errors';

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || value.length > 40) {
    throw new BadUserInputError(`DateTime must be an ISO-8601 string, got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  // Require at least a full date; Date.parse accepts far too much otherwise ("1", "May").
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    throw new BadUserInputError(`DateTime must be ISO-8601 (e.g. 2026-11-23T18:00:00Z), got ${JSON.stringify(value)}`);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new BadUserInputError(`DateTime ${JSON.stringify(value)} is not a real date`);
  return date;
}

/** ISO-8601 UTC timestamp, e.g. `2026-11-23T18:05:00.000Z`. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant in ISO-8601 UTC, e.g. `2026-11-23T18:05:00.000Z`.',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new TypeError(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new BadUserInputError('DateTime must be a string literal');
    return parseDateTime(ast.value);
  },
});
