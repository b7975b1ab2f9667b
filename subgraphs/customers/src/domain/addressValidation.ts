/**
 * Mexican addresses: calle, número exterior (and interior), colonia, municipio or alcaldía, estado and
 * a código postal of exactly 5 digits. The estado is matched against the 32 federal entities, accent-
 * and case-insensitively and with the usual short forms (CDMX, Edomex…), and stored in its canonical
 * spelling so every channel shows it the same way.
 */
import { randomUUID } from 'node:crypto';
import { BadUserInputError } from '../../../kit/src';
import type { AddressRecord } from '../repositories/customerRepository';
import { foldText } from './searchTerms';

/** The 32 federal entities of Mexico, canonical spelling. */
export const MEXICAN_STATES = [
  'Aguascalientes', 'Baja California', 'Baja California Sur', 'Campeche', 'Chiapas', 'Chihuahua', 'Ciudad de México', 'Coahuila',
  'Colima', 'Durango', 'Estado de México', 'Guanajuato', 'Guerrero', 'Hidalgo', 'Jalisco', 'Michoacán', 'Morelos', 'Nayarit',
  'Nuevo León', 'Oaxaca', 'Puebla', 'Querétaro', 'Quintana Roo', 'San Luis Potosí', 'Sinaloa', 'Sonora', 'Tabasco',
  'Tamaulipas', 'Tlaxcala', 'Veracruz', 'Yucatán', 'Zacatecas',
] as const;

/** Other names people write for some states (folded) → canonical name. */
const STATE_ALIASES: Record<string, string> = {
  cdmx: 'Ciudad de México',
  df: 'Ciudad de México',
  'd.f.': 'Ciudad de México',
  'distrito federal': 'Ciudad de México',
  mexico: 'Estado de México',
  edomex: 'Estado de México',
  'edo. de mexico': 'Estado de México',
  'edo. mex.': 'Estado de México',
  'coahuila de zaragoza': 'Coahuila',
  'michoacan de ocampo': 'Michoacán',
  'veracruz de ignacio de la llave': 'Veracruz',
  nl: 'Nuevo León',
  bc: 'Baja California',
  bcs: 'Baja California Sur',
  qroo: 'Quintana Roo',
  slp: 'San Luis Potosí',
};

const STATE_BY_FOLDED = new Map<string, string>([...MEXICAN_STATES.map((state) => [foldText(state), state] as const), ...Object.entries(STATE_ALIASES)]);

/** The address fields a client sends (SDL `AddressInput`). */
export interface AddressInput {
  label?: string | null;
  street: string;
  number: string;
  interior?: string | null;
  neighborhood: string;
  municipality: string;
  state: string;
  postalCode: string;
  isDefault?: boolean | null;
}

/** The most addresses one customer keeps (a merge may exceed it; adding then is refused). */
export const MAX_ADDRESSES = 10;

/** A required text field, trimmed, 1..max characters. */
function requiredText(value: string, field: string, max: number): string {
  const text = value.trim();
  if (text.length === 0 || text.length > max) throw new BadUserInputError(`address.${field} must be 1–${max} characters`, { field: `address.${field}` });
  return text;
}

/** An optional text field: null when absent or blank. */
function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return requiredText(value, field, max);
}

/** The canonical name of a Mexican state, or BAD_USER_INPUT. */
export function canonicalState(state: string): string {
  const canonical = STATE_BY_FOLDED.get(foldText(state.trim()).replace(/\s+/g, ' '));
  if (!canonical) throw new BadUserInputError(`address.state must be one of the 32 Mexican states, got ${JSON.stringify(state.slice(0, 60))}`, { field: 'address.state' });
  return canonical;
}

/** Validates an address and gives it an id (see module comment). */
export function validateAddress(input: AddressInput): AddressRecord {
  const postalCode = input.postalCode.trim();
  // Códigos postales run from 01000 to 99999; "00…" is not assigned.
  if (!/^\d{5}$/.test(postalCode) || postalCode.startsWith('00')) {
    throw new BadUserInputError('address.postalCode must be a Mexican código postal of exactly 5 digits', { field: 'address.postalCode' });
  }
  return {
    id: `adr_${randomUUID().replace(/-/g, '')}`,
    label: optionalText(input.label, 'label', 40),
    street: requiredText(input.street, 'street', 120),
    number: requiredText(input.number, 'number', 20),
    interior: optionalText(input.interior, 'interior', 20),
    neighborhood: requiredText(input.neighborhood, 'neighborhood', 120),
    municipality: requiredText(input.municipality, 'municipality', 120),
    state: canonicalState(input.state),
    postalCode,
    country: 'MX',
    isDefault: input.isDefault === true,
  };
}
