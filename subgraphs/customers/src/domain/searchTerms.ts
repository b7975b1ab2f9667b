/**
 * Customer search without `$text` or collation (neither exists on every server we run on, DESIGN.md):
 * each customer document keeps `searchTerms`, an array of accent- and case-folded strings — every
 * word of the name, every e-mail, and the 10 national digits of every Mexican phone — and a search is
 * an anchored prefix `$regex` per query word on that array (multikey index `{ searchTerms: 1 }`, which
 * MongoDB uses for anchored prefixes). "maria" finds "María", "lop" finds "López", "55 1234" finds
 * +525512345678.
 */
import type { Filter } from 'mongodb';
import { BadUserInputError } from '../../../kit/src';
import type { CustomerDocument, IdentityRecord } from '../repositories/customerRepository';

/** Longest query accepted. */
export const MAX_QUERY_LENGTH = 100;

/** More words than this add nothing but cost. */
const MAX_QUERY_WORDS = 5;

/** Lower case without diacritics: "María José" → "maria jose", "Ñuñez" → "nunez". */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** The words of a name, folded: "José-Luis Núñez" → ["jose", "luis", "nunez"]. */
function nameWords(name: string): string[] {
  return foldText(name).split(/[^a-z0-9]+/).filter((word) => word.length > 0);
}

/** The digits a person types for a phone: national digits for +52 numbers, all digits otherwise. */
function phoneDigits(e164: string): string {
  return e164.startsWith('+52') ? e164.slice(3) : e164.slice(1);
}

/** What the search terms are computed from. */
export interface SearchableCustomer {
  displayName: string;
  email?: string | null;
  phone?: string | null;
  identities: readonly IdentityRecord[];
}

/** The `searchTerms` of a customer (see module comment). */
export function searchTermsOf(customer: SearchableCustomer): string[] {
  const terms = new Set<string>(nameWords(customer.displayName));
  if (customer.email) terms.add(foldText(customer.email));
  if (customer.phone) terms.add(phoneDigits(customer.phone));
  for (const identity of customer.identities) {
    if (identity.kind === 'EMAIL') terms.add(foldText(identity.value));
    if (identity.kind === 'PHONE' || identity.kind === 'WHATSAPP') terms.add(phoneDigits(identity.value));
  }
  return [...terms];
}

/** Escapes a string for use inside a regular expression. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A query that looks like (part of) a phone number. */
const PHONE_QUERY = /^\+?[\d\s().-]+$/;

/**
 * The prefixes a query stands for: one run of digits for a phone-like query ("+52 1 55 12" → "5512"),
 * otherwise its folded words (an e-mail stays one word).
 */
export function searchPrefixesOf(query: string): string[] {
  const typed = query.trim();
  if (typed.length === 0 || query.length > MAX_QUERY_LENGTH) {
    throw new BadUserInputError(`query must be 1–${MAX_QUERY_LENGTH} characters`, { field: 'query' });
  }
  if (PHONE_QUERY.test(typed) && typed.replace(/\D/g, '').length >= 3) {
    let digits = typed.replace(/\D/g, '');
    // Drop what precedes the national number: +52 / 52 (and the old mobile 1), 044/045, 01.
    if (typed.startsWith('+') || (digits.startsWith('52') && digits.length > 10)) {
      digits = digits.startsWith('52') ? digits.slice(2) : digits;
      if (digits.startsWith('1') && digits.length === 11) digits = digits.slice(1);
    } else if (/^04[45]/.test(digits) && digits.length > 10) {
      digits = digits.slice(3);
    } else if (digits.startsWith('01') && digits.length > 10) {
      digits = digits.slice(2);
    }
    return [digits];
  }
  const words = foldText(typed)
    .split(/\s+/)
    .flatMap((word) => (word.includes('@') ? [word] : word.split(/[^a-z0-9]+/)))
    .filter((word) => word.length > 0)
    .slice(0, MAX_QUERY_WORDS);
  if (words.length === 0) throw new BadUserInputError('query needs at least one letter or digit', { field: 'query' });
  return words;
}

/** The MongoDB filter of a search: every prefix must start some search term of the customer. */
export function searchFilterOf(query: string): Filter<CustomerDocument> {
  return { $and: searchPrefixesOf(query).map((prefix) => ({ searchTerms: { $regex: `^${escapeRegex(prefix)}` } })) };
}
