/**
 * The order notices, in Spanish. One template per event, the same facts in every channel: a short text
 * for WhatsApp, SMS and app push (read on a phone, SMS billed per 160 characters), the full text for
 * e-mail (a subject line, a greeting, the details, what to bring). Every text names the order number and,
 * where it matters, the store.
 */
import { UnreachableCaseError } from '../../kit/src';
import { isShortChannel, type DeliverableChannel } from './messagingChannels';

/** The notice templates. */
export const NOTIFICATION_TEMPLATES = ['ORDER_CONFIRMATION', 'READY_FOR_PICKUP', 'RETURN_RECEIVED'] as const;

/** One of {@link NOTIFICATION_TEMPLATES}. */
export type NotificationTemplate = (typeof NOTIFICATION_TEMPLATES)[number];

/** What a template is filled with. */
export interface TemplateValues {
  /** The order number read over the phone, e.g. `ZC-104233`. */
  orderNumber: string;
  /** The store's name, or its id when the name could not be learned. */
  locationName: string;
  /** SHIP_TO_HOME, PICKUP_IN_STORE, SHIP_FROM_STORE or IN_STORE_PURCHASE, when known. */
  fulfillmentMethod?: string | null;
  totalCents?: number | null;
  refundCents?: number | null;
}

/** `123450` → `$1,234.50 MXN`: written out here so the text is the same on every machine's ICU. */
export function formatPesos(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const absolute = Math.abs(Math.round(cents));
  const pesos = String(Math.floor(absolute / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${pesos}.${String(absolute % 100).padStart(2, '0')} MXN`;
}

const SIGNATURE = 'Zócalo';

function confirmation(values: TemplateValues, short: boolean): string {
  const total = values.totalCents != null ? formatPesos(values.totalCents) : null;
  const next =
    values.fulfillmentMethod === 'PICKUP_IN_STORE'
      ? `Te avisaremos cuando esté listo para recoger en ${values.locationName}.`
      : values.fulfillmentMethod === 'IN_STORE_PURCHASE'
        ? `Gracias por tu compra en ${values.locationName}.`
        : `Lo preparamos en ${values.locationName} y te avisaremos cuando vaya en camino.`;
  if (short) return `${SIGNATURE}: recibimos tu pedido ${values.orderNumber}${total ? ` por ${total}` : ''}. ${next}`;
  return [
    `Asunto: Confirmación de tu pedido ${values.orderNumber}`,
    '',
    'Hola:',
    '',
    `Gracias por comprar en ${SIGNATURE}. Recibimos tu pedido ${values.orderNumber}${total ? ` por un total de ${total}` : ''}.`,
    next,
    '',
    `Si tienes dudas, responde a este correo o escríbenos por WhatsApp mencionando el número ${values.orderNumber}; quien te atienda verá esta conversación.`,
    '',
    `Saludos,\nEl equipo de ${SIGNATURE}`,
  ].join('\n');
}

function readyForPickup(values: TemplateValues, short: boolean): string {
  if (short) return `${SIGNATURE}: tu pedido ${values.orderNumber} ya está listo para recoger en ${values.locationName}. Presenta el número ${values.orderNumber} y una identificación.`;
  return [
    `Asunto: Tu pedido ${values.orderNumber} está listo para recoger`,
    '',
    'Hola:',
    '',
    `Tu pedido ${values.orderNumber} ya te espera en ${values.locationName}.`,
    `Al llegar, presenta el número de pedido ${values.orderNumber} y una identificación oficial en el mostrador de entregas.`,
    'Si otra persona lo recogerá por ti, respóndenos con su nombre completo.',
    '',
    `Saludos,\nEl equipo de ${SIGNATURE}`,
  ].join('\n');
}

function returnReceived(values: TemplateValues, short: boolean): string {
  const refund = values.refundCents != null ? formatPesos(values.refundCents) : null;
  if (short) return `${SIGNATURE}: recibimos en ${values.locationName} la devolución de tu pedido ${values.orderNumber}.${refund ? ` Reembolso: ${refund}.` : ''}`;
  return [
    `Asunto: Recibimos tu devolución del pedido ${values.orderNumber}`,
    '',
    'Hola:',
    '',
    `Recibimos en ${values.locationName} los artículos que devolviste de tu pedido ${values.orderNumber}.`,
    refund ? `Te reembolsaremos ${refund} con el mismo medio de pago; puede tardar hasta 10 días hábiles en reflejarse.` : 'Te confirmaremos el reembolso en cuanto se procese.',
    '',
    `Saludos,\nEl equipo de ${SIGNATURE}`,
  ].join('\n');
}

/** The text of `template` for `channel`. */
export function renderTemplate(template: NotificationTemplate, channel: DeliverableChannel, values: TemplateValues): string {
  const short = isShortChannel(channel);
  switch (template) {
    case 'ORDER_CONFIRMATION':
      return confirmation(values, short);
    case 'READY_FOR_PICKUP':
      return readyForPickup(values, short);
    case 'RETURN_RECEIVED':
      return returnReceived(values, short);
    default:
      throw new UnreachableCaseError(template);
  }
}
