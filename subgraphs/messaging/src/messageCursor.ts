/**
 * Cursors of `Conversation.messages`: the position (sentAt, id) of the last message of a page, opaque
 * to clients (base64url). Messages are ordered by sentAt then id, so a cursor stays valid when newer
 * messages arrive.
 */
import { BadUserInputError } from '../../kit/src';

/** A decoded cursor. */
export interface MessageCursor {
  sentAt: Date;
  id: string;
}

/** Encodes the position of `message`. */
export function encodeMessageCursor(message: { sentAt: Date; _id: string }): string {
  return Buffer.from(`${message.sentAt.getTime()}:${message._id}`, 'utf8').toString('base64url');
}

/** Decodes `after`; BAD_USER_INPUT naming the field when it is not one of ours. */
export function decodeMessageCursor(after: unknown, field = 'after'): MessageCursor | null {
  if (after === null || after === undefined) return null;
  if (typeof after !== 'string' || after.length > 200) throw new BadUserInputError(`${field} is not a valid cursor`, { field });
  const match = /^(\d{1,15}):(msg_[A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
  if (!match || !match[1] || !match[2]) throw new BadUserInputError(`${field} is not a valid cursor`, { field });
  return { sentAt: new Date(Number(match[1])), id: match[2] };
}
