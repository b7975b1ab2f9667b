/**
 * Identity normalisation: every channel types identities its own way ("55 1234 5678" at the till,
 * "+521 55…" from WhatsApp, "María@Correo.MX" on the web), and all of them must land on the same
 * person. Values are normalised before they are stored AND before they are matched, so the identity
 * lookup (`identities` collection, `_id: "<KIND>:<value>"`) is an exact `_id` match.
 */
import { BadUserInputError, UnreachableCaseError } from '../../../kit/src';

/** The kinds of identity a channel may know a customer by (SDL `IdentityKind`). */
export const IDENTITY_KINDS = ['EMAIL', 'PHONE', 'WHATSAPP', 'LOYALTY_CARD', 'EXTERNAL'] as const;

/** One of {@link IDENTITY_KINDS}. */
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** An identity whose value is normalised. */
export interface NormalisedIdentity {
  kind: IdentityKind;
  value: string;
}

/** Longest identity value accepted, before normalisation (an e-mail address may be 254 characters). */
const MAX_IDENTITY_LENGTH = 254;

/** Characters a person may type in a phone number besides digits. */
const PHONE_CHARACTERS = /^\+?[\d\s().-]+$/;

/** A Mexican national number: 10 digits, area codes never start with 0 or 1. */
const MEXICAN_NATIONAL_NUMBER = /^[2-9]\d{9}$/;

/**
 * Normalises a phone number to E.164. Mexican numbers in every common form become `+52` + 10 digits:
 * national (`55 1234 5678`, `(55) 1234-5678`), with the country code (`52 55…`, `+52 55…`), with the
 * mobile `1` that Mexico dropped in 2019 (`+52 1 55…`, `+521 55…`, `521 55…`), with the old mobile
 * and long-distance prefixes (`044 55…`, `045 55…`, `01 55…`) and with the international prefix
 * (`00 52 55…`). A number written with `+` and another country code is kept as E.164 (tourists,
 * cross-border customers). Anything else is a BAD_USER_INPUT naming `field`.
 */
export function normalisePhone(raw: string, field = 'phone'): string {
  const typed = raw.trim();
  const invalid = () => new BadUserInputError(`${field} is not a phone number we understand: use 10 digits (e.g. 55 1234 5678) or +52…`, { field });
  if (typed.length === 0 || typed.length > 32 || !PHONE_CHARACTERS.test(typed)) throw invalid();
  const digits = typed.replace(/\D/g, '');

  let national: string | undefined;
  if (typed.startsWith('+')) {
    if (!digits.startsWith('52')) {
      // E.164 allows at most 15 digits; fewer than 8 is no real number anywhere.
      if (digits.length < 8 || digits.length > 15 || digits.startsWith('0')) throw invalid();
      return `+${digits}`;
    }
    national = stripMobileOne(digits.slice(2));
  } else if (digits.length === 10) {
    national = digits;
  } else if (digits.length === 12 && digits.startsWith('52')) {
    national = digits.slice(2);
  } else if (digits.length === 13 && digits.startsWith('521')) {
    national = digits.slice(3);
  } else if (digits.length === 13 && (digits.startsWith('044') || digits.startsWith('045'))) {
    national = digits.slice(3);
  } else if (digits.length === 12 && digits.startsWith('01')) {
    national = digits.slice(2);
  } else if (digits.startsWith('0052')) {
    national = stripMobileOne(digits.slice(4));
  }
  if (national === undefined || !MEXICAN_NATIONAL_NUMBER.test(national)) throw invalid();
  return `+52${national}`;
}

/** `1` + 10 digits was the mobile form before 2019; the 10 digits alone are the number. */
function stripMobileOne(rest: string): string {
  return rest.length === 11 && rest.startsWith('1') ? rest.slice(1) : rest;
}

/** Deliberately simple: one `@`, a dot in the domain, no spaces; the mailbox decides the rest. */
const EMAIL_SHAPE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

/** Trims and lower-cases an e-mail address; BAD_USER_INPUT naming `field` when it is not one. */
export function normaliseEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  if (email.length > MAX_IDENTITY_LENGTH || !EMAIL_SHAPE.test(email)) {
    throw new BadUserInputError(`${field} is not an e-mail address`, { field });
  }
  return email;
}

/** Normalises any identity (see module comment). */
export function normaliseIdentity(kind: IdentityKind, raw: string, field = 'identity.value'): NormalisedIdentity {
  if (raw.length > MAX_IDENTITY_LENGTH) {
    throw new BadUserInputError(`${field} is longer than ${MAX_IDENTITY_LENGTH} characters`, { field });
  }
  switch (kind) {
    case 'EMAIL':
      return { kind, value: normaliseEmail(raw, field) };
    case 'PHONE':
    case 'WHATSAPP':
      // A WhatsApp id is a phone number; normalising both the same way lets one find the other.
      return { kind, value: normalisePhone(raw, field) };
    case 'LOYALTY_CARD': {
      // Printed cards are read aloud or typed with spaces and dashes: "zc 0000 700123".
      const card = raw.replace(/[\s-]/g, '').toUpperCase();
      if (!/^[A-Z0-9]{4,32}$/.test(card)) throw new BadUserInputError(`${field} is not a loyalty card number (4–32 letters and digits)`, { field });
      return { kind, value: card };
    }
    case 'EXTERNAL': {
      // `system:id`: the system name is case-insensitive, the id in that system is kept as given.
      const match = /^([A-Za-z0-9_.-]{1,32}):(\S{1,128})$/.exec(raw.trim());
      if (!match) throw new BadUserInputError(`${field} must be "system:id", e.g. mercadolibre:123456789`, { field });
      return { kind, value: `${(match[1] as string).toLowerCase()}:${match[2] as string}` };
    }
    default:
      throw new UnreachableCaseError(kind);
  }
}

/** The `_id` of an identity document: the kind and the normalised value, e.g. `PHONE:+525512345678`. */
export function identityKeyOf(identity: NormalisedIdentity): string {
  return `${identity.kind}:${identity.value}`;
}
