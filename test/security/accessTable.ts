/**
 * Who may read or call every sensitive field and operation of the graph — the one table the README
 * shows (between `<!-- access-table -->` markers, rendered by {@link renderAccessTable}) and
 * test/security/roleMatrix.test.ts walks: every caller × every entry, through the gateway and
 * directly against the owning subgraph (root fields, or `_entities` for entity fields). The same test
 * checks each entry against the `@public`/`@allow` directives in the SDL, so the table, the schema
 * and the running estate cannot drift apart.
 */
import type { SubgraphName } from '../../subgraphs/kit/src';

/** Who calls: no token, a customer on their own data or someone else's, and every staff role. */
export const CALLERS = ['anonymous', 'CUSTOMER own', 'CUSTOMER other', 'ASSOCIATE', 'AGENT', 'ANALYST', 'ADMIN', 'SERVICE'] as const;

/** One of {@link CALLERS}. */
export type Caller = (typeof CALLERS)[number];

/** The seeded records the operations point at; "own" means the customer `customerId` (or an entry's `owner`). */
export interface AccessFixtures {
  customerId: string;
  otherCustomerId: string;
  displayName: string;
  phone: string;
  orderId: string;
  orderNumber: string;
  conversationId: string;
  /** A store the ASSOCIATE works at, with stock of `sku`. */
  storeId: string;
  sku: string;
  /** An id nobody has: what eraseCustomer and mergeCustomers are pointed at. */
  unknownCustomerId: string;
}

/** An operation and its variables for one caller (unique keys per caller keep writes apart). */
export interface AccessOperation {
  query: string;
  variables?: (fixtures: AccessFixtures, slug: string) => Record<string, unknown>;
}

/** One row of the table. */
export interface AccessEntry {
  /** Schema coordinate: `Mutation.adjustStock`, `Customer.orders`, or a type (`Order`) for `_entities`. */
  coordinate: string;
  subgraph: SubgraphName;
  /** Who is allowed; everyone else gets UNAUTHENTICATED (no token) or FORBIDDEN. */
  allowed: readonly Caller[];
  /** Why the table is narrower than the directive (a check the resolver makes on the data). */
  note?: string;
  /** Through the gateway; null when the field is not in the API (`@inaccessible`). */
  gateway: AccessOperation | null;
  /** Directly against `subgraph`; @default gateway */
  direct?: AccessOperation;
  /** Callers a direct call may also let through, if it answers `emptyAnswer` (no data of anyone's); see note. */
  alsoAllowedDirect?: readonly Caller[];
  /** The `data` such a let-through direct call answers. */
  emptyAnswer?: unknown;
  /** Whose data "own" is. @default fixtures.customerId */
  owner?: (fixtures: AccessFixtures) => string;
}

const STAFF: readonly Caller[] = ['ASSOCIATE', 'AGENT', 'ADMIN', 'SERVICE'];
const OWN_OR_STAFF: readonly Caller[] = ['CUSTOMER own', ...STAFF];
const EVERYONE: readonly Caller[] = CALLERS;
const AUTHENTICATED: readonly Caller[] = CALLERS.filter((caller) => caller !== 'anonymous');

const customerVars = (f: AccessFixtures) => ({ id: f.customerId });
const entities = (selection: string, representation: (f: AccessFixtures) => Record<string, unknown>): AccessOperation => ({
  query: `query ($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`,
  variables: (f) => ({ r: [representation(f)] }),
});
const customerRef = (f: AccessFixtures) => ({ __typename: 'Customer', id: f.customerId });
const orderRef = (f: AccessFixtures) => ({ __typename: 'Order', id: f.orderId });

/** The table (see module comment). Order matters a little: writes run in this order for each caller. */
export const ACCESS_TABLE: readonly AccessEntry[] = [
  // Catalogue: public
  { coordinate: 'Query.products', subgraph: 'inventory', allowed: EVERYONE, gateway: { query: '{ products(first: 2) { nodes { sku name } } }' } },
  {
    coordinate: 'Product',
    subgraph: 'inventory',
    allowed: EVERYONE,
    gateway: { query: 'query ($sku: ID!) { product(sku: $sku) { name } }', variables: (f) => ({ sku: f.sku }) },
    direct: entities('... on Product { name }', (f) => ({ __typename: 'Product', sku: f.sku })),
  },
  { coordinate: 'Mutation.registerCustomer', subgraph: 'customers', allowed: CALLERS.filter((caller) => caller !== 'ANALYST'), note: 'anonymous sign-up; not an ANALYST (no personal data)', gateway: { query: 'mutation ($input: RegisterCustomerInput!) { registerCustomer(input: $input) { id displayName } }', variables: (_f, slug) => ({ input: { displayName: 'Prueba de roles', email: `${slug}@rolematrix.example`, channel: 'WEB' } }) } },

  // Customers: profile, identities, addresses, wishlist, merge, erasure
  { coordinate: 'Query.customer', subgraph: 'customers', allowed: OWN_OR_STAFF, gateway: { query: 'query ($id: ID!) { customer(id: $id) { displayName phone } }', variables: customerVars } },
  {
    coordinate: 'Customer',
    subgraph: 'customers',
    allowed: OWN_OR_STAFF,
    // Through the gateway, the order's customer comes from customers' `_entities`.
    gateway: { query: 'query ($id: ID!) { order(id: $id) { customer { displayName phone } } }', variables: (f) => ({ id: f.orderId }) },
    direct: entities('... on Customer { displayName phone }', customerRef),
  },
  {
    coordinate: 'Query.findCustomer',
    subgraph: 'customers',
    allowed: OWN_OR_STAFF,
    note: 'a customer finds only themself (the resolver checks the customer it found)',
    gateway: { query: 'query ($v: String!) { findCustomer(identity: { kind: PHONE, value: $v }) { id displayName } }', variables: (f) => ({ v: f.phone }) },
  },
  { coordinate: 'Query.searchCustomers', subgraph: 'customers', allowed: STAFF, gateway: { query: 'query ($q: String!) { searchCustomers(query: $q, first: 3) { totalCount nodes { id } } }', variables: (f) => ({ q: f.displayName.split(' ')[0] ?? 'a' }) } },
  { coordinate: 'Query.me', subgraph: 'customers', allowed: AUTHENTICATED, note: 'null for a token that is not a customer', gateway: { query: '{ me { id } }' } },
  { coordinate: 'Mutation.updateCustomer', subgraph: 'customers', allowed: OWN_OR_STAFF, gateway: { query: 'mutation ($id: ID!, $name: String) { updateCustomer(id: $id, input: { displayName: $name }) { id } }', variables: (f) => ({ id: f.customerId, name: f.displayName }) } },
  { coordinate: 'Mutation.linkIdentity', subgraph: 'customers', allowed: OWN_OR_STAFF, gateway: { query: 'mutation ($id: ID!, $v: String!) { linkIdentity(customerId: $id, identity: { kind: EXTERNAL, value: $v }) { id } }', variables: (f, slug) => ({ id: f.customerId, v: `rolematrix:${slug}` }) } },
  { coordinate: 'Mutation.addAddress', subgraph: 'customers', allowed: OWN_OR_STAFF, gateway: { query: 'mutation ($id: ID!) { addAddress(customerId: $id, address: { street: "Calle 5 de Mayo", number: "12", neighborhood: "Centro", municipality: "Oaxaca de Juárez", state: "Oaxaca", postalCode: "68000" }) { id } }', variables: customerVars } },
  { coordinate: 'Mutation.removeAddress', subgraph: 'customers', allowed: OWN_OR_STAFF, gateway: { query: 'mutation ($id: ID!) { removeAddress(customerId: $id, addressId: "adr_rolematrix") { id } }', variables: customerVars } },
  { coordinate: 'Mutation.addToWishlist', subgraph: 'customers', allowed: OWN_OR_STAFF, gateway: { query: 'mutation ($id: ID!, $sku: ID!) { addToWishlist(customerId: $id, sku: $sku, channel: WEB) { id } }', variables: (f) => ({ id: f.customerId, sku: f.sku }) } },
  { coordinate: 'Mutation.removeFromWishlist', subgraph: 'customers', allowed: OWN_OR_STAFF, gateway: { query: 'mutation ($id: ID!, $sku: ID!) { removeFromWishlist(customerId: $id, sku: $sku) { id } }', variables: (f) => ({ id: f.customerId, sku: f.sku }) } },
  { coordinate: 'Mutation.mergeCustomers', subgraph: 'customers', allowed: ['AGENT', 'ADMIN'], gateway: { query: 'mutation ($s: ID!, $d: ID!) { mergeCustomers(survivorId: $s, duplicateId: $d) { id } }', variables: (f) => ({ s: f.customerId, d: f.unknownCustomerId }) } },
  { coordinate: 'Mutation.eraseCustomer', subgraph: 'customers', allowed: ['CUSTOMER own', 'ADMIN'], owner: (f) => f.unknownCustomerId, gateway: { query: 'mutation ($id: ID!) { eraseCustomer(id: $id) }', variables: (f) => ({ id: f.unknownCustomerId }) } },

  // Orders, carts, returns, KPIs
  { coordinate: 'Query.order', subgraph: 'orders', allowed: OWN_OR_STAFF, note: "a customer reads only their own orders (checked on the order: `Order @allow(owner: \"customer.id\")`)", gateway: { query: 'query ($id: ID!) { order(id: $id) { number total { amount } } }', variables: (f) => ({ id: f.orderId }) } },
  { coordinate: 'Query.orderByNumber', subgraph: 'orders', allowed: OWN_OR_STAFF, note: 'as `order`', gateway: { query: 'query ($n: String!) { orderByNumber(number: $n) { id } }', variables: (f) => ({ n: f.orderNumber }) } },
  {
    coordinate: 'Order',
    subgraph: 'orders',
    allowed: OWN_OR_STAFF,
    gateway: { query: 'query ($id: ID!) { customer(id: $id) { orders(first: 1) { nodes { number } } } }', variables: customerVars },
    direct: entities('... on Order { number total { amount } }', orderRef),
  },
  {
    coordinate: 'Customer.orders',
    subgraph: 'orders',
    allowed: OWN_OR_STAFF,
    gateway: { query: 'query ($id: ID!) { customer(id: $id) { orders(first: 1) { totalCount } purchaseSummary { orderCount } } }', variables: customerVars },
    direct: entities('... on Customer { orders(first: 1) { totalCount } purchaseSummary { orderCount } cart { id } }', customerRef),
  },
  { coordinate: 'Query.salesKpis', subgraph: 'orders', allowed: ['ANALYST', 'ADMIN'], gateway: { query: '{ salesKpis(from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z") { byChannel { channel orders } crossChannelCustomerShare } }' } },
  { coordinate: 'Mutation.addToCart', subgraph: 'orders', allowed: OWN_OR_STAFF, gateway: { query: 'mutation ($id: ID!, $sku: ID!) { addToCart(customerId: $id, sku: $sku, quantity: 1, channel: WEB) { id } }', variables: (f) => ({ id: f.customerId, sku: f.sku }) } },
  { coordinate: 'Mutation.updateCartLine', subgraph: 'orders', allowed: OWN_OR_STAFF, gateway: { query: 'mutation ($id: ID!, $sku: ID!) { updateCartLine(customerId: $id, sku: $sku, quantity: 0, channel: WEB) { id } }', variables: (f) => ({ id: f.customerId, sku: f.sku }) } },
  {
    coordinate: 'Mutation.placeOrder',
    subgraph: 'orders',
    allowed: OWN_OR_STAFF,
    gateway: {
      query: 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
      // An unknown sku: the call is let through and then refused for the data, so nothing is ordered.
      variables: (f, slug) => ({ input: { customerId: f.customerId, channel: 'WEB', lines: [{ sku: 'ZC-NADA-0000', quantity: 1 }], fulfillment: { method: 'SHIP_TO_HOME' }, idempotencyKey: `rolematrix-${slug}` } }),
    },
  },
  { coordinate: 'Mutation.cancelOrder', subgraph: 'orders', allowed: OWN_OR_STAFF, note: 'a customer cancels only their own order, while PLACED', gateway: { query: 'mutation ($id: ID!) { cancelOrder(id: $id) { status } }', variables: (f) => ({ id: f.orderId }) } },
  { coordinate: 'Mutation.markReadyForPickup', subgraph: 'orders', allowed: STAFF, gateway: { query: 'mutation ($id: ID!) { markReadyForPickup(id: $id) { status } }', variables: (f) => ({ id: f.orderId }) } },
  { coordinate: 'Mutation.completePickup', subgraph: 'orders', allowed: STAFF, gateway: { query: 'mutation ($id: ID!) { completePickup(id: $id) { status } }', variables: (f) => ({ id: f.orderId }) } },
  { coordinate: 'Mutation.markShipped', subgraph: 'orders', allowed: STAFF, gateway: { query: 'mutation ($id: ID!) { markShipped(id: $id) { status } }', variables: (f) => ({ id: f.orderId }) } },
  { coordinate: 'Mutation.markDelivered', subgraph: 'orders', allowed: STAFF, gateway: { query: 'mutation ($id: ID!) { markDelivered(id: $id) { status } }', variables: (f) => ({ id: f.orderId }) } },
  {
    coordinate: 'Mutation.requestReturn',
    subgraph: 'orders',
    allowed: OWN_OR_STAFF,
    note: 'a customer returns only their own order',
    gateway: { query: 'mutation ($input: ReturnInput!) { requestReturn(input: $input) { id } }', variables: (f) => ({ input: { orderId: f.orderId, channel: 'STORE', locationId: f.storeId, lines: [{ sku: f.sku, quantity: 1 }] } }) },
  },

  // Loyalty
  {
    coordinate: 'Customer.loyalty',
    subgraph: 'loyalty',
    allowed: OWN_OR_STAFF,
    gateway: { query: 'query ($id: ID!) { customer(id: $id) { loyalty { points } } }', variables: customerVars },
    direct: entities('... on Customer { loyalty { points transactions(first: 1) { totalCount } } }', customerRef),
  },
  {
    coordinate: 'Order.pointsEarned',
    subgraph: 'loyalty',
    allowed: OWN_OR_STAFF,
    alsoAllowedDirect: ['CUSTOMER other'],
    emptyAnswer: { _entities: [{ pointsEarned: 0 }] },
    note: "directly, another customer's order reads 0 points (loyalty knows orders only by id; 0 reveals nothing)",
    gateway: { query: 'query ($id: ID!) { order(id: $id) { pointsEarned } }', variables: (f) => ({ id: f.orderId }) },
    direct: entities('... on Order { pointsEarned }', orderRef),
  },
  { coordinate: 'Mutation.enrollLoyalty', subgraph: 'loyalty', allowed: OWN_OR_STAFF, gateway: { query: 'mutation ($id: ID!) { enrollLoyalty(customerId: $id, channel: WEB) { tier } }', variables: customerVars } },
  { coordinate: 'Mutation.redeemPoints', subgraph: 'loyalty', allowed: ['CUSTOMER own', 'ASSOCIATE', 'AGENT'], gateway: { query: 'mutation ($id: ID!, $key: String!) { redeemPoints(customerId: $id, points: 100000000, channel: WEB, idempotencyKey: $key) { points } }', variables: (f, slug) => ({ id: f.customerId, key: `rolematrix-${slug}` }) } },
  { coordinate: 'Mutation.adjustPoints', subgraph: 'loyalty', allowed: ['ADMIN'], gateway: { query: 'mutation ($id: ID!, $key: String!) { adjustPoints(customerId: $id, points: 1, reason: "prueba de roles", idempotencyKey: $key) { points } }', variables: (f, slug) => ({ id: f.customerId, key: `rolematrix-${slug}` }) } },

  // Messaging
  { coordinate: 'Query.conversation', subgraph: 'messaging', allowed: OWN_OR_STAFF, note: "a customer reads only their own conversations (checked on it: `Conversation @allow(owner: \"customer.id\")`)", gateway: { query: 'query ($id: ID!) { conversation(id: $id) { subject } }', variables: (f) => ({ id: f.conversationId }) } },
  {
    coordinate: 'Conversation',
    subgraph: 'messaging',
    allowed: OWN_OR_STAFF,
    gateway: { query: 'query ($id: ID!) { conversation(id: $id) { channels messages(first: 1) { totalCount } } }', variables: (f) => ({ id: f.conversationId }) },
    direct: entities('... on Conversation { subject messages(first: 1) { totalCount } }', (f) => ({ __typename: 'Conversation', id: f.conversationId })),
  },
  {
    coordinate: 'Customer.conversations',
    subgraph: 'messaging',
    allowed: OWN_OR_STAFF,
    gateway: { query: 'query ($id: ID!) { customer(id: $id) { conversations(first: 1) { id } contactPreferences { channel } } }', variables: customerVars },
    direct: entities('... on Customer { conversations(first: 1) { id } contactPreferences { channel } contactPreferenceHistory(first: 1) { channel } }', customerRef),
  },
  {
    coordinate: 'Order.notifications',
    subgraph: 'messaging',
    allowed: OWN_OR_STAFF,
    alsoAllowedDirect: ['CUSTOMER other'],
    emptyAnswer: { _entities: [{ notifications: [] }] },
    note: "directly, another customer's order with no notices reads an empty list, one with notices FORBIDDEN",
    gateway: { query: 'query ($id: ID!) { order(id: $id) { notifications { template } } }', variables: (f) => ({ id: f.orderId }) },
    direct: entities('... on Order { notifications { template channel } }', orderRef),
  },
  { coordinate: 'Mutation.logInteraction', subgraph: 'messaging', allowed: OWN_OR_STAFF, gateway: { query: 'mutation ($id: ID!) { logInteraction(input: { customerId: $id, channel: WHATSAPP, direction: INBOUND, body: "Hola, ¿dónde está mi pedido?" }) { id } }', variables: customerVars } },
  { coordinate: 'Mutation.sendMessage', subgraph: 'messaging', allowed: STAFF, gateway: { query: 'mutation ($id: ID!, $key: String!) { sendMessage(input: { customerId: $id, channel: EMAIL, body: "Su pedido va en camino", idempotencyKey: $key }) { id } }', variables: (f, slug) => ({ id: f.customerId, key: `rolematrix-${slug}` }) } },
  { coordinate: 'Mutation.setContactPreference', subgraph: 'messaging', allowed: OWN_OR_STAFF, gateway: { query: 'mutation ($id: ID!) { setContactPreference(customerId: $id, channel: SMS, optedIn: false, via: WEB) { optedIn } }', variables: customerVars } },
  { coordinate: 'Mutation.closeConversation', subgraph: 'messaging', allowed: OWN_OR_STAFF, note: 'a customer closes only their own', gateway: { query: 'mutation ($id: ID!) { closeConversation(id: $id) { status } }', variables: (f) => ({ id: f.conversationId }) } },
  { coordinate: 'Mutation.reopenConversation', subgraph: 'messaging', allowed: OWN_OR_STAFF, note: 'a customer reopens only their own', gateway: { query: 'mutation ($id: ID!) { reopenConversation(id: $id) { status } }', variables: (f) => ({ id: f.conversationId }) } },

  // Inventory: staff and internal operations
  { coordinate: 'Query.stockAdjustments', subgraph: 'inventory', allowed: ['ASSOCIATE', 'ADMIN'], note: 'an associate reads only their own store', gateway: { query: 'query ($l: ID!) { stockAdjustments(locationId: $l, first: 1) { delta } }', variables: (f) => ({ l: f.storeId }) } },
  { coordinate: 'Mutation.adjustStock', subgraph: 'inventory', allowed: ['ASSOCIATE', 'ADMIN'], note: 'an associate adjusts only at their own store (`storeId` claim; FORBIDDEN elsewhere)', gateway: { query: 'mutation ($l: ID!, $sku: ID!, $key: String) { adjustStock(locationId: $l, sku: $sku, delta: 1, reason: "prueba de roles", idempotencyKey: $key) { onHand } }', variables: (f, slug) => ({ l: f.storeId, sku: f.sku, key: `rolematrix-${slug}` }) } },
  { coordinate: 'Mutation.reserveStock', subgraph: 'inventory', allowed: ['SERVICE'], gateway: null, direct: { query: 'mutation ($l: ID!, $sku: ID!, $o: ID!) { reserveStock(orderId: $o, locationId: $l, lines: [{ sku: $sku, quantity: 1 }]) { status } }', variables: (f, slug) => ({ l: f.storeId, sku: f.sku, o: `ord_rm_${slug.replace(/[^a-z0-9]/g, '')}` }) } },
  { coordinate: 'Mutation.releaseReservation', subgraph: 'inventory', allowed: ['SERVICE'], gateway: null, direct: { query: 'mutation ($o: ID!) { releaseReservation(orderId: $o) { status } }', variables: (_f, slug) => ({ o: `ord_rm_${slug.replace(/[^a-z0-9]/g, '')}` }) } },
  { coordinate: 'Mutation.commitReservation', subgraph: 'inventory', allowed: ['SERVICE'], gateway: null, direct: { query: 'mutation { commitReservation(orderId: "ord_rm_none") { status } }' } },
  { coordinate: 'Mutation.restock', subgraph: 'inventory', allowed: ['SERVICE'], gateway: null, direct: { query: 'mutation ($l: ID!, $sku: ID!, $r: ID!) { restock(returnId: $r, locationId: $l, lines: [{ sku: $sku, quantity: 1 }]) }', variables: (f, slug) => ({ l: f.storeId, sku: f.sku, r: `ret_rm_${slug.replace(/[^a-z0-9]/g, '')}` }) } },
];

/** The README table (markdown) rendered from {@link ACCESS_TABLE}. */
export function renderAccessTable(table: readonly AccessEntry[] = ACCESS_TABLE): string {
  const header = `| field or operation | subgraph | ${CALLERS.join(' | ')} | notes |`;
  const rule = `| --- | --- | ${CALLERS.map(() => ':-:').join(' | ')} | --- |`;
  const rows = table.map((entry) => {
    const cells = CALLERS.map((caller) => (entry.allowed.includes(caller) ? '✅' : entry.alsoAllowedDirect?.includes(caller) ? '— ¹' : '—'));
    const where = entry.gateway === null ? 'internal (`@inaccessible`), subgraph only' : '';
    const notes = [where, entry.note ?? ''].filter(Boolean).join('; ');
    const name = entry.coordinate.includes('.') ? `\`${entry.coordinate}\`` : `\`${entry.coordinate}\` (entity, \`_entities\`)`;
    return `| ${name} | ${entry.subgraph} | ${cells.join(' | ')} | ${notes} |`;
  });
  return [header, rule, ...rows].join('\n');
}
