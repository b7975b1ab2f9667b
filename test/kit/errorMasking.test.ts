/**
 * The kit's `formatError` on the shapes a database outage reaches it in: the driver's error directly,
 * wrapped by graphql-js once or twice, and a bare `{ code: 'EPIPE' }` the driver can reject with when
 * the server goes away mid-write (graphql-js turns it into NonErrorThrown). All are
 * DATABASE_UNAVAILABLE; a bug stays INTERNAL_SERVER_ERROR with nothing of its message.
 */
import { describe, expect, it } from '@jest/globals';
import { GraphQLError, locatedError } from 'graphql';
import { MongoServerSelectionError } from 'mongodb';
import { formatError, isDatabaseOutage } from '../../subgraphs/kit/src';

const formatted = (error: GraphQLError) => formatError(error.toJSON(), error);

describe('error masking of database outages', () => {
  const selection = new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:1', { type: 'Unknown', servers: new Map() } as never);

  it.each([
    ['the driver error, located by graphql-js', locatedError(selection, undefined, ['customer'])],
    ['the driver error wrapped twice', locatedError(new GraphQLError('entities failed', { originalError: selection }), undefined, ['_entities'])],
    ['a bare { code: "EPIPE" } thrown by the driver', locatedError({ code: 'EPIPE' }, undefined, ['findCustomer'])],
  ])('%s is DATABASE_UNAVAILABLE', (_label, error) => {
    expect(isDatabaseOutage(error)).toBe(true);
    expect(formatted(error)).toEqual({ message: 'The database is unavailable; try again shortly', path: error.path, extensions: { code: 'DATABASE_UNAVAILABLE' } });
  });

  it('a bug is INTERNAL_SERVER_ERROR and says nothing of itself', () => {
    const error = locatedError(new TypeError('cannot read properties of undefined (reading "_id")'), undefined, ['customer']);
    expect(isDatabaseOutage(error)).toBe(false);
    expect(formatted(error)).toEqual({ message: 'Internal server error', path: ['customer'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('a thrown object with another code is not an outage', () => {
    expect(isDatabaseOutage(locatedError({ code: 'E_SOMETHING' }, undefined, []))).toBe(false);
  });
});
