/**
 * Business days to deliver a parcel between two Mexican postal codes, from the first two digits (which
 * give the state). Deliberately coarse — a carrier's quote would replace it — but honest about what
 * matters: the Valle de México (CDMX and Estado de México) is served fastest from the Tepotzotlán
 * warehouse, the same region next, neighbouring regions after, the peninsulas and the far north last.
 */

/** Macro-regions of Mexico, as parcel networks group them. */
type Region = 'CENTRO' | 'OCCIDENTE' | 'NORESTE' | 'NOROESTE' | 'SUR' | 'PENINSULA';

/** First two digits of a código postal → region; one entry per state (SEPOMEX assigns ranges per state). */
const REGION_RANGES: [from: number, to: number, region: Region][] = [
  [1, 16, 'CENTRO'], // Ciudad de México
  [50, 57, 'CENTRO'], // Estado de México
  [42, 43, 'CENTRO'], // Hidalgo
  [62, 62, 'CENTRO'], // Morelos
  [72, 75, 'CENTRO'], // Puebla
  [76, 76, 'CENTRO'], // Querétaro
  [90, 90, 'CENTRO'], // Tlaxcala
  [20, 20, 'OCCIDENTE'], // Aguascalientes
  [28, 28, 'OCCIDENTE'], // Colima
  [36, 38, 'OCCIDENTE'], // Guanajuato
  [44, 49, 'OCCIDENTE'], // Jalisco
  [58, 61, 'OCCIDENTE'], // Michoacán
  [63, 63, 'OCCIDENTE'], // Nayarit
  [98, 99, 'OCCIDENTE'], // Zacatecas
  [25, 27, 'NORESTE'], // Coahuila
  [64, 67, 'NORESTE'], // Nuevo León
  [78, 79, 'NORESTE'], // San Luis Potosí
  [87, 89, 'NORESTE'], // Tamaulipas
  [34, 35, 'NORESTE'], // Durango
  [21, 22, 'NOROESTE'], // Baja California
  [23, 23, 'NOROESTE'], // Baja California Sur
  [31, 33, 'NOROESTE'], // Chihuahua
  [80, 82, 'NOROESTE'], // Sinaloa
  [83, 85, 'NOROESTE'], // Sonora
  [29, 30, 'SUR'], // Chiapas
  [39, 41, 'SUR'], // Guerrero
  [68, 71, 'SUR'], // Oaxaca
  [86, 86, 'SUR'], // Tabasco
  [91, 96, 'SUR'], // Veracruz
  [24, 24, 'PENINSULA'], // Campeche
  [77, 77, 'PENINSULA'], // Quintana Roo
  [97, 97, 'PENINSULA'], // Yucatán
];

/** Regions a parcel reaches overnight from each other's hubs. */
const NEIGHBOURS: Record<Region, Region[]> = {
  CENTRO: ['OCCIDENTE', 'NORESTE', 'SUR'],
  OCCIDENTE: ['CENTRO', 'NORESTE', 'NOROESTE'],
  NORESTE: ['CENTRO', 'OCCIDENTE', 'NOROESTE'],
  NOROESTE: ['OCCIDENTE', 'NORESTE'],
  SUR: ['CENTRO', 'PENINSULA'],
  PENINSULA: ['SUR'],
};

/** True for Ciudad de México (01–16) and Estado de México (50–57): one metropolitan delivery area. */
function inValleDeMexico(postalCode: string): boolean {
  const prefix = Number(postalCode.slice(0, 2));
  return (prefix >= 1 && prefix <= 16) || (prefix >= 50 && prefix <= 57);
}

/** The state (index into REGION_RANGES) and region of a five-digit postal code, or null. */
function placeOf(postalCode: string): { state: number; region: Region } | null {
  if (!/^\d{5}$/.test(postalCode)) return null;
  const prefix = Number(postalCode.slice(0, 2));
  const state = REGION_RANGES.findIndex(([from, to]) => prefix >= from && prefix <= to);
  const entry = REGION_RANGES[state];
  return entry ? { state, region: entry[2] } : null;
}

/**
 * 2–5 business days from `originPostalCode` to `destinationPostalCode`: 2 within the Valle de México
 * or within one state, 3 within one region, 4 to a neighbouring region,
 * 5 otherwise or when the destination is not known (the promise must hold anywhere).
 */
export function estimateDeliveryDays(originPostalCode: string, destinationPostalCode: string | undefined): number {
  if (destinationPostalCode === undefined) return 5;
  const from = placeOf(originPostalCode);
  const to = placeOf(destinationPostalCode);
  if (from === null || to === null) return 5;
  if ((inValleDeMexico(originPostalCode) && inValleDeMexico(destinationPostalCode)) || from.state === to.state) return 2;
  if (from.region === to.region) return 3;
  return NEIGHBOURS[from.region].includes(to.region) ? 4 : 5;
}
