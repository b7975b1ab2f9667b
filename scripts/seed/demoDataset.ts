/**
 * The demo data of the estate, generated deterministically (same options → same data, byte for byte)
 * so the seed is reproducible and tests can rely on it. This module only makes plain objects; each
 * subgraph's own `seed.ts` turns its part into its own documents, because a subgraph owns its database
 * and its document shapes.
 *
 * It feels Mexican on purpose (DESIGN.md): stores in CDMX, Guadalajara, Monterrey and Oaxaca, prices in
 * MXN, +52 phones, colonias and códigos postales.
 */
import type { Channel } from '../../subgraphs/kit/src/channel';

/** A store or warehouse. */
export interface DemoLocation {
  id: string;
  name: string;
  kind: 'STORE' | 'WAREHOUSE';
  address: { street: string; neighborhood: string; city: string; state: string; postalCode: string; country: 'MX' };
  coordinates: { latitude: number; longitude: number };
  openingHours: { dayOfWeek: number; opens: string; closes: string }[];
  pickupEnabled: boolean;
  shipFromStoreEnabled: boolean;
}

/** A catalogue product; prices in centavos. */
export interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  category: string;
  brand: string;
  priceCents: number;
  active: boolean;
}

/** Stock of one sku at one location. `reserved` already holds the units of open orders there. */
export interface DemoStock {
  sku: string;
  locationId: string;
  onHand: number;
  reserved: number;
}

/** An identity a channel knows a customer by; values already normalised (E.164, lower-case e-mail). */
export interface DemoIdentity {
  kind: 'EMAIL' | 'PHONE' | 'WHATSAPP' | 'LOYALTY_CARD' | 'EXTERNAL';
  value: string;
  linkedVia: Channel;
  linkedAt: Date;
}

/** A Mexican address. */
export interface DemoAddress {
  id: string;
  label: string;
  street: string;
  number: string;
  interior?: string;
  neighborhood: string;
  municipality: string;
  state: string;
  postalCode: string;
  isDefault: boolean;
}

/** A customer. */
export interface DemoCustomer {
  id: string;
  displayName: string;
  email?: string;
  phone?: string;
  identities: DemoIdentity[];
  addresses: DemoAddress[];
  wishlist: { sku: string; addedAt: Date; addedVia: Channel }[];
  createdVia: Channel;
  createdAt: Date;
}

/** One line of an order, priced at purchase. */
export interface DemoOrderLine {
  sku: string;
  productName: string;
  quantity: number;
  unitPriceCents: number;
  returnedQuantity: number;
}

/** Order status values of the orders subgraph. */
export type DemoOrderStatus = 'PLACED' | 'READY_FOR_PICKUP' | 'SHIPPED' | 'COMPLETED' | 'CANCELLED' | 'PARTIALLY_RETURNED' | 'RETURNED';

/** An order. Open orders (PLACED, READY_FOR_PICKUP) hold reservations at their fulfilment location. */
export interface DemoOrder {
  id: string;
  number: string;
  customerId: string;
  channel: Channel;
  status: DemoOrderStatus;
  lines: DemoOrderLine[];
  totalCents: number;
  fulfillment: { method: 'SHIP_TO_HOME' | 'PICKUP_IN_STORE' | 'SHIP_FROM_STORE' | 'IN_STORE_PURCHASE'; locationId: string };
  placedAt: Date;
  updatedAt: Date;
}

/** A customer enrolled in loyalty; points are derived by the loyalty seed from their orders. */
export interface DemoLoyaltyMember {
  customerId: string;
  enrolledAt: Date;
  enrolledVia: Channel;
}

/** A message of a conversation. */
export interface DemoMessage {
  id: string;
  channel: Channel;
  direction: 'INBOUND' | 'OUTBOUND';
  body: string;
  sentAt: Date;
  author: string;
  deliveryStatus: 'RECEIVED' | 'SENT' | 'DELIVERED' | 'READ';
}

/** A conversation across channels. */
export interface DemoConversation {
  id: string;
  customerId: string;
  orderId?: string;
  status: 'OPEN' | 'CLOSED';
  subject: string;
  messages: DemoMessage[];
}

/** Consent of one customer for one channel. */
export interface DemoContactPreference {
  customerId: string;
  channel: Channel;
  optedIn: boolean;
  updatedVia: Channel;
  updatedAt: Date;
}

/** Everything the seed writes. */
export interface DemoDataset {
  locations: DemoLocation[];
  products: DemoProduct[];
  stock: DemoStock[];
  customers: DemoCustomer[];
  orders: DemoOrder[];
  loyaltyMembers: DemoLoyaltyMember[];
  conversations: DemoConversation[];
  contactPreferences: DemoContactPreference[];
}

/** Sizes of the dataset. */
export interface DemoDatasetOptions {
  /** @default 1000 */
  customers?: number;
  /** @default 5000 */
  orders?: number;
  /** @default 200 */
  products?: number;
  /** PRNG seed. @default 2026 */
  seed?: number;
  /** The "now" the data is generated around. @default 2026-11-20T18:00:00Z */
  now?: Date;
  /** Called every {@link PROGRESS_EVERY} orders generated (the seed's progress bar); changes nothing in the data. */
  onOrders?: (generated: number, total: number) => void;
}

/** How often {@link DemoDatasetOptions.onOrders} is called. */
export const PROGRESS_EVERY = 10_000;

/** mulberry32: small, fast, deterministic — the same seed gives the same data (benchmarks, replayable tests). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST_NAMES = ['María', 'José', 'Guadalupe', 'Juan', 'Ana', 'Luis', 'Sofía', 'Carlos', 'Fernanda', 'Jorge', 'Valeria', 'Miguel', 'Ximena', 'Alejandro', 'Camila', 'Ricardo', 'Daniela', 'Eduardo', 'Lucía', 'Francisco', 'Regina', 'Héctor', 'Mariana', 'Andrés', 'Paola', 'Raúl', 'Itzel', 'Óscar', 'Renata', 'Emiliano'];
const LAST_NAMES = ['Hernández', 'García', 'Martínez', 'López', 'González', 'Pérez', 'Rodríguez', 'Sánchez', 'Ramírez', 'Cruz', 'Flores', 'Gómez', 'Morales', 'Vázquez', 'Jiménez', 'Reyes', 'Díaz', 'Torres', 'Gutiérrez', 'Ruiz', 'Mendoza', 'Aguilar', 'Ortiz', 'Castillo', 'Núñez', 'Domínguez', 'Velázquez', 'Santiago', 'Bautista', 'Chávez'];
const EMAIL_DOMAINS = ['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.com.mx', 'prodigy.net.mx'];

const WEEK_HOURS = (opens: string, closes: string, sunday: [string, string] | null) => [
  ...[1, 2, 3, 4, 5, 6].map((dayOfWeek) => ({ dayOfWeek, opens, closes })),
  ...(sunday ? [{ dayOfWeek: 7, opens: sunday[0], closes: sunday[1] }] : []),
];

/** The fixed locations: stores in CDMX, Guadalajara, Monterrey and Oaxaca, and two warehouses. */
export const DEMO_LOCATIONS: DemoLocation[] = [
  { id: 'MX-CDMX-CENTRO', name: 'Zócalo Centro Histórico', kind: 'STORE', address: { street: 'Av. 5 de Mayo 32', neighborhood: 'Centro', city: 'Ciudad de México', state: 'Ciudad de México', postalCode: '06000', country: 'MX' }, coordinates: { latitude: 19.4341, longitude: -99.1386 }, openingHours: WEEK_HOURS('10:00', '20:00', ['11:00', '19:00']), pickupEnabled: true, shipFromStoreEnabled: true },
  { id: 'MX-CDMX-POLANCO', name: 'Zócalo Polanco', kind: 'STORE', address: { street: 'Av. Presidente Masaryk 311', neighborhood: 'Polanco V Sección', city: 'Ciudad de México', state: 'Ciudad de México', postalCode: '11560', country: 'MX' }, coordinates: { latitude: 19.4318, longitude: -99.1956 }, openingHours: WEEK_HOURS('11:00', '21:00', ['11:00', '20:00']), pickupEnabled: true, shipFromStoreEnabled: false },
  { id: 'MX-GDL-CHAPULTEPEC', name: 'Zócalo Guadalajara Chapultepec', kind: 'STORE', address: { street: 'Av. Chapultepec Sur 120', neighborhood: 'Americana', city: 'Guadalajara', state: 'Jalisco', postalCode: '44160', country: 'MX' }, coordinates: { latitude: 20.6736, longitude: -103.3700 }, openingHours: WEEK_HOURS('10:00', '20:00', ['11:00', '18:00']), pickupEnabled: true, shipFromStoreEnabled: true },
  { id: 'MX-MTY-SANPEDRO', name: 'Zócalo Monterrey San Pedro', kind: 'STORE', address: { street: 'Calzada del Valle 400', neighborhood: 'Del Valle', city: 'San Pedro Garza García', state: 'Nuevo León', postalCode: '66220', country: 'MX' }, coordinates: { latitude: 25.6514, longitude: -100.3571 }, openingHours: WEEK_HOURS('10:00', '21:00', ['12:00', '20:00']), pickupEnabled: true, shipFromStoreEnabled: true },
  { id: 'MX-OAX-CENTRO', name: 'Zócalo Oaxaca Centro', kind: 'STORE', address: { street: 'Macedonio Alcalá 202', neighborhood: 'Centro', city: 'Oaxaca de Juárez', state: 'Oaxaca', postalCode: '68000', country: 'MX' }, coordinates: { latitude: 17.0650, longitude: -96.7236 }, openingHours: WEEK_HOURS('10:00', '20:00', null), pickupEnabled: true, shipFromStoreEnabled: false },
  { id: 'MX-WH-TEPOTZOTLAN', name: 'CEDIS Tepotzotlán', kind: 'WAREHOUSE', address: { street: 'Carretera México-Querétaro km 41', neighborhood: 'Parque Industrial', city: 'Tepotzotlán', state: 'Estado de México', postalCode: '54600', country: 'MX' }, coordinates: { latitude: 19.7156, longitude: -99.2236 }, openingHours: WEEK_HOURS('06:00', '22:00', ['08:00', '16:00']), pickupEnabled: false, shipFromStoreEnabled: false },
  { id: 'MX-WH-GDL', name: 'CEDIS El Salto', kind: 'WAREHOUSE', address: { street: 'Carretera a El Salto 5000', neighborhood: 'El Verde', city: 'El Salto', state: 'Jalisco', postalCode: '45680', country: 'MX' }, coordinates: { latitude: 20.5306, longitude: -103.2797 }, openingHours: WEEK_HOURS('06:00', '22:00', null), pickupEnabled: false, shipFromStoreEnabled: false },
];

/** Per store: the area code of its city and addresses to draw from. */
const CITY_OF_STORE: Record<string, { areaCode: string; municipality: string; state: string; colonias: [string, string][] }> = {
  'MX-CDMX-CENTRO': { areaCode: '55', municipality: 'Cuauhtémoc', state: 'Ciudad de México', colonias: [['Roma Norte', '06700'], ['Condesa', '06140'], ['Juárez', '06600'], ['Doctores', '06720']] },
  'MX-CDMX-POLANCO': { areaCode: '55', municipality: 'Miguel Hidalgo', state: 'Ciudad de México', colonias: [['Polanco', '11550'], ['Anzures', '11590'], ['Lomas de Chapultepec', '11000'], ['Granada', '11520']] },
  'MX-GDL-CHAPULTEPEC': { areaCode: '33', municipality: 'Guadalajara', state: 'Jalisco', colonias: [['Americana', '44160'], ['Providencia', '44630'], ['Chapalita', '45040'], ['Santa Tere', '44600']] },
  'MX-MTY-SANPEDRO': { areaCode: '81', municipality: 'San Pedro Garza García', state: 'Nuevo León', colonias: [['Del Valle', '66220'], ['Fuentes del Valle', '66220'], ['Obispado', '64060'], ['Cumbres', '64610']] },
  'MX-OAX-CENTRO': { areaCode: '951', municipality: 'Oaxaca de Juárez', state: 'Oaxaca', colonias: [['Centro', '68000'], ['Jalatlaco', '68080'], ['Reforma', '68050'], ['San Felipe del Agua', '68020']] },
};
const STORE_IDS = Object.keys(CITY_OF_STORE);
const STREETS = ['Av. Insurgentes Sur', 'Calle Morelos', 'Av. Juárez', 'Calle Hidalgo', 'Av. Revolución', 'Calle Allende', 'Av. Universidad', 'Calle Zaragoza', 'Av. Vallarta', 'Calle Independencia'];

const CATALOGUE: { category: string; code: string; brands: string[]; items: [string, number][]; adjectives: string[] }[] = [
  { category: 'ropa', code: 'ROPA', brands: ['Tierra Maya', 'Henequén', 'Lino Sur'], items: [['Guayabera de lino', 899], ['Huipil bordado', 1450], ['Camisa de manta', 549], ['Rebozo de algodón', 780], ['Sudadera Monterrey', 699], ['Vestido istmeño', 1890]], adjectives: ['blanca', 'azul añil', 'grana cochinilla', 'verde jade', 'negra', 'arena'] },
  { category: 'calzado', code: 'CALZ', brands: ['León Hecho a Mano', 'Huarache Real'], items: [['Huarache de piel', 650], ['Bota vaquera', 2490], ['Tenis de lona', 599], ['Sandalia tejida', 420]], adjectives: ['café', 'miel', 'negro', 'natural', 'tabaco', 'vino'] },
  { category: 'hogar', code: 'HOGA', brands: ['Barro Vivo', 'Talavera Poblana', 'Telar Oaxaqueño'], items: [['Jarro de barro negro', 320], ['Plato de talavera', 280], ['Tapete de lana', 1990], ['Molcajete de piedra', 540], ['Cojín bordado', 390], ['Vaso soplado', 150]], adjectives: ['grande', 'mediano', 'chico', 'clásico', 'floral', 'de colección'] },
  { category: 'belleza', code: 'BELL', brands: ['Xochitl Botánica', 'Agave Spa'], items: [['Jabón de miel y avena', 95], ['Crema de cacao', 260], ['Aceite de aguacate', 310], ['Bálsamo de nopal', 180]], adjectives: ['100 g', '200 ml', 'edición Día de Muertos', 'travel size', 'kit', 'clásico'] },
  { category: 'despensa', code: 'DESP', brands: ['Sabores de Oaxaca', 'Café de Chiapas'], items: [['Café de altura molido', 245], ['Mole negro en pasta', 210], ['Chocolate de metate', 165], ['Mezcal espadín', 690], ['Salsa macha', 120]], adjectives: ['500 g', '250 g', '1 kg', 'artesanal', 'orgánico', 'reserva'] },
];

const CHANNEL_WEIGHTS: [Channel, number][] = [['STORE', 38], ['WEB', 24], ['APP', 18], ['WHATSAPP', 8], ['CALL_CENTER', 6], ['MARKETPLACE', 4], ['SOCIAL', 2]];

/** Generates the dataset (see module comment). */
export function generateDemoDataset(options: DemoDatasetOptions = {}): DemoDataset {
  const random = prng(options.seed ?? 2026);
  const now = options.now ?? new Date('2026-11-20T18:00:00Z');
  const customerCount = options.customers ?? 1000;
  const orderCount = options.orders ?? 5000;
  const productCount = options.products ?? 200;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const weighted = <T>(entries: readonly [T, number][]): T => {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = random() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return (entries[entries.length - 1] as [T, number])[0];
  };
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000 - Math.floor(random() * 86_400_000));
  const pad = (n: number, width: number) => String(n).padStart(width, '0');

  // Products: cycle through the catalogue so every category is represented.
  const products: DemoProduct[] = [];
  for (let i = 0; i < productCount; i += 1) {
    const family = CATALOGUE[i % CATALOGUE.length] as (typeof CATALOGUE)[number];
    const [item, basePrice] = family.items[Math.floor(i / CATALOGUE.length) % family.items.length] as [string, number];
    const adjective = family.adjectives[Math.floor(i / (CATALOGUE.length * family.items.length)) % family.adjectives.length] as string;
    const brand = pick(family.brands);
    // Whole pesos ending in 9 or 0, like a shelf label.
    const priceCents = (Math.round((basePrice * (0.85 + random() * 0.4)) / 10) * 10 - (random() < 0.5 ? 1 : 0)) * 100;
    products.push({
      sku: `ZC-${family.code}-${pad(i + 1, 4)}`,
      name: `${item} ${adjective}`,
      description: `${item} ${adjective} de ${brand}, hecho en México.`,
      category: family.category,
      brand,
      priceCents: Math.max(priceCents, 4900),
      active: i % 97 !== 96,
    });
  }

  // Stock: every product in both warehouses; each store carries about 70% of the catalogue.
  const stockByKey = new Map<string, DemoStock>();
  for (const product of products) {
    for (const location of DEMO_LOCATIONS) {
      const carried = location.kind === 'WAREHOUSE' || random() < 0.7;
      if (!carried) continue;
      const onHand = location.kind === 'WAREHOUSE' ? between(40, 400) : random() < 0.08 ? between(0, 2) : between(3, 40);
      stockByKey.set(`${product.sku}@${location.id}`, { sku: product.sku, locationId: location.id, onHand, reserved: 0 });
    }
  }

  // Customers: identities across channels, home city near one of the stores.
  const customers: DemoCustomer[] = [];
  const usedPhones = new Set<string>();
  const homeStore = new Map<string, string>();
  for (let i = 0; i < customerCount; i += 1) {
    const id = `cus_${pad(i + 1, 6)}`;
    const first = pick(FIRST_NAMES);
    const last1 = pick(LAST_NAMES);
    const last2 = pick(LAST_NAMES);
    const storeId = pick(STORE_IDS);
    homeStore.set(id, storeId);
    const city = CITY_OF_STORE[storeId] as (typeof CITY_OF_STORE)[string];
    const createdVia = weighted(CHANNEL_WEIGHTS);
    const createdAt = daysAgo(between(30, 900));
    let phone: string;
    do {
      const rest = 10 - city.areaCode.length;
      phone = `+52${city.areaCode}${pad(between(0, 10 ** rest - 1), rest)}`;
    } while (usedPhones.has(phone));
    usedPhones.add(phone);
    const emailLocal = `${first}.${last1}${i + 1}`.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    const email = random() < 0.85 ? `${emailLocal}@${pick(EMAIL_DOMAINS)}` : undefined;
    const identities: DemoIdentity[] = [{ kind: 'PHONE', value: phone, linkedVia: createdVia, linkedAt: createdAt }];
    if (email) identities.push({ kind: 'EMAIL', value: email, linkedVia: createdVia === 'STORE' ? 'WEB' : createdVia, linkedAt: createdAt });
    if (random() < 0.55) identities.push({ kind: 'WHATSAPP', value: phone, linkedVia: 'WHATSAPP', linkedAt: new Date(createdAt.getTime() + 86_400_000 * between(1, 20)) });
    if (random() < 0.4) identities.push({ kind: 'LOYALTY_CARD', value: `ZC${pad(700000 + i, 10)}`, linkedVia: 'STORE', linkedAt: new Date(createdAt.getTime() + 86_400_000 * between(1, 60)) });
    if (random() < 0.1) identities.push({ kind: 'EXTERNAL', value: `mercadolibre:${between(100000000, 999999999)}`, linkedVia: 'MARKETPLACE', linkedAt: createdAt });
    const [colonia, postalCode] = pick(city.colonias);
    const addresses: DemoAddress[] =
      random() < 0.8
        ? [{ id: `adr_${pad(i + 1, 6)}_1`, label: 'Casa', street: pick(STREETS), number: String(between(1, 2500)), ...(random() < 0.4 ? { interior: `Depto ${between(1, 40)}` } : {}), neighborhood: colonia, municipality: city.municipality, state: city.state, postalCode, isDefault: true }]
        : [];
    const wishlist = random() < 0.3 ? Array.from({ length: between(1, 4) }, () => ({ sku: (pick(products) as DemoProduct).sku, addedAt: daysAgo(between(0, 60)), addedVia: weighted<Channel>([['APP', 5], ['WEB', 4], ['STORE', 1]]) })) : [];
    const uniqueWishlist = [...new Map(wishlist.map((w) => [w.sku, w])).values()];
    customers.push({ id, displayName: `${first} ${last1} ${last2}`, ...(email ? { email } : {}), phone, identities, addresses, wishlist: uniqueWishlist, createdVia, createdAt });
  }

  // Orders: channels weighted like a Mexican omnichannel retailer; a sixth of customers buy in several channels.
  const orders: DemoOrder[] = [];
  const warehouses = DEMO_LOCATIONS.filter((l) => l.kind === 'WAREHOUSE').map((l) => l.id);
  // Each line draws from a seventh of the catalogue; the sevenths are built once, not per line.
  const sevenths = [0, 1, 2, 3, 4, 5, 6].map((residue) => products.filter((_, index) => index % 7 === residue));
  for (let i = 0; i < orderCount; i += 1) {
    if (i % PROGRESS_EVERY === 0) options.onOrders?.(i, orderCount);
    const customer = customers[Math.floor(Math.pow(random(), 1.3) * customers.length)] as DemoCustomer;
    const store = homeStore.get(customer.id) as string;
    const channel = weighted(CHANNEL_WEIGHTS);
    const method: DemoOrder['fulfillment']['method'] =
      channel === 'STORE' ? 'IN_STORE_PURCHASE' : weighted<DemoOrder['fulfillment']['method']>([['SHIP_TO_HOME', 5], ['PICKUP_IN_STORE', 4], ['SHIP_FROM_STORE', 1]]);
    let locationId = method === 'SHIP_TO_HOME' ? pick(warehouses) : store;
    if (method === 'SHIP_FROM_STORE' && !(DEMO_LOCATIONS.find((l) => l.id === locationId) as DemoLocation).shipFromStoreEnabled) locationId = 'MX-CDMX-CENTRO';
    const lineCount = between(1, 4);
    const lines: DemoOrderLine[] = [];
    const seen = new Set<string>();
    for (let l = 0; l < lineCount; l += 1) {
      const product = pick(sevenths[(i + l) % 7] as DemoProduct[]);
      if (seen.has(product.sku) || !stockByKey.has(`${product.sku}@${locationId}`)) continue;
      seen.add(product.sku);
      lines.push({ sku: product.sku, productName: product.name, quantity: random() < 0.8 ? 1 : between(2, 3), unitPriceCents: product.priceCents, returnedQuantity: 0 });
    }
    if (lines.length === 0) {
      const fallback = products.find((p) => stockByKey.has(`${p.sku}@${locationId}`)) as DemoProduct;
      lines.push({ sku: fallback.sku, productName: fallback.name, quantity: 1, unitPriceCents: fallback.priceCents, returnedQuantity: 0 });
    }
    const age = Math.floor(Math.pow(random(), 2) * 365);
    const placedAt = daysAgo(age);
    let status: DemoOrderStatus;
    if (method === 'IN_STORE_PURCHASE') status = 'COMPLETED';
    else if (age < 2) status = method === 'PICKUP_IN_STORE' && random() < 0.5 ? 'READY_FOR_PICKUP' : 'PLACED';
    else if (age < 5 && method !== 'PICKUP_IN_STORE') status = 'SHIPPED';
    else status = 'COMPLETED';
    if (random() < 0.04 && status !== 'COMPLETED') status = 'CANCELLED';
    if (status === 'COMPLETED' && random() < 0.06) {
      const line = lines[0] as DemoOrderLine;
      line.returnedQuantity = line.quantity;
      status = lines.length === 1 ? 'RETURNED' : 'PARTIALLY_RETURNED';
    }
    if (status === 'PLACED' || status === 'READY_FOR_PICKUP') {
      for (const line of lines) (stockByKey.get(`${line.sku}@${locationId}`) as DemoStock).reserved += line.quantity;
    }
    for (const line of lines) {
      const stock = stockByKey.get(`${line.sku}@${locationId}`) as DemoStock;
      if (stock.onHand < stock.reserved) stock.onHand = stock.reserved + between(0, 5);
    }
    orders.push({
      id: `ord_${pad(i + 1, 7)}`,
      number: `ZC-${pad(100000 + i * 7 + between(0, 6), 6)}`,
      customerId: customer.id,
      channel,
      status,
      lines,
      totalCents: lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0),
      fulfillment: { method, locationId },
      placedAt,
      updatedAt: new Date(placedAt.getTime() + between(0, 3) * 86_400_000),
    });
  }
  orders.sort((a, b) => a.placedAt.getTime() - b.placedAt.getTime());

  // Loyalty: about 45% of customers are members, enrolled when they registered or later.
  const loyaltyMembers: DemoLoyaltyMember[] = customers
    .filter(() => random() < 0.45)
    .map((c) => ({ customerId: c.id, enrolledAt: c.createdAt, enrolledVia: weighted<Channel>([['STORE', 5], ['APP', 4], ['WEB', 2]]) }));

  // Conversations: about a third of customers wrote through WhatsApp, the app or called.
  const conversations: DemoConversation[] = [];
  const ordersByCustomer = new Map<string, DemoOrder[]>();
  for (const order of orders) {
    const list = ordersByCustomer.get(order.customerId);
    if (list) list.push(order);
    else ordersByCustomer.set(order.customerId, [order]);
  }
  let messageSeq = 0;
  for (const customer of customers) {
    if (random() >= 0.35) continue;
    const order = (ordersByCustomer.get(customer.id) ?? []).at(-1);
    const start = order ? new Date(order.placedAt.getTime() + 3_600_000 * between(1, 48)) : daysAgo(between(1, 90));
    const firstChannel = weighted<Channel>([['WHATSAPP', 6], ['APP', 2], ['CALL_CENTER', 2], ['EMAIL', 1]]);
    const subject = order ? `Pedido ${order.number}` : 'Consulta de producto';
    const script: [Channel, 'INBOUND' | 'OUTBOUND', string, string][] = order
      ? [
          [firstChannel, 'INBOUND', `Hola, ¿me pueden decir cuándo llega mi pedido ${order.number}?`, 'customer'],
          [firstChannel, 'OUTBOUND', `¡Hola! Tu pedido ${order.number} está en camino, te avisamos en cuanto esté listo.`, 'agent-017'],
          ['CALL_CENTER', 'INBOUND', 'Llamada: la clienta confirma dirección de entrega y horario.', 'agent-042'],
        ]
      : [
          [firstChannel, 'INBOUND', '¿Tienen el rebozo de algodón en la tienda del Centro?', 'customer'],
          [firstChannel, 'OUTBOUND', 'Sí, hay 4 piezas disponibles en Zócalo Centro Histórico. ¿Te lo apartamos?', 'agent-017'],
        ];
    const messages = script.slice(0, between(2, script.length)).map(([channel, direction, body, author], index) => ({
      id: `msg_${pad(++messageSeq, 7)}`,
      channel,
      direction,
      body,
      sentAt: new Date(start.getTime() + index * 600_000 * between(1, 12)),
      author,
      deliveryStatus: (direction === 'INBOUND' ? 'RECEIVED' : 'READ') as DemoMessage['deliveryStatus'],
    }));
    conversations.push({ id: `cnv_${pad(conversations.length + 1, 6)}`, customerId: customer.id, ...(order ? { orderId: order.id } : {}), status: random() < 0.3 ? 'OPEN' : 'CLOSED', subject, messages });
  }

  // Consent: everyone may receive service messages on WhatsApp if they have it; e-mail and SMS vary.
  const contactPreferences: DemoContactPreference[] = [];
  for (const customer of customers) {
    const hasWhatsApp = customer.identities.some((id) => id.kind === 'WHATSAPP');
    const entries: [Channel, boolean][] = [['SMS', random() < 0.4], ['EMAIL', customer.email !== undefined && random() < 0.7]];
    if (hasWhatsApp) entries.push(['WHATSAPP', random() < 0.9]);
    for (const [channel, optedIn] of entries) contactPreferences.push({ customerId: customer.id, channel, optedIn, updatedVia: customer.createdVia, updatedAt: customer.createdAt });
  }

  return { locations: DEMO_LOCATIONS, products, stock: [...stockByKey.values()], customers, orders, loyaltyMembers, conversations, contactPreferences };
}
