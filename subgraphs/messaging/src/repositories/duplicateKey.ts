/** Recognising the unique-index violations this subgraph uses as claims (idempotency, one active conversation). */
import { MongoServerError } from 'mongodb';

/** True when `error` is MongoDB's E11000 duplicate key error. */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
