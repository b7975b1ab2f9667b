/**
 * The boundary to whatever delivers messages: a WhatsApp Business API client, an SMS gateway, an SMTP
 * relay, a push service — or the local outbox. Messaging decides WHAT to send, to WHOM (a customer id)
 * and WHETHER it may (consent); a provider decides HOW, including the customer's address: messaging
 * never reads the customers database, so a real provider resolves the address for the channel (asking
 * the customers subgraph with a SERVICE token, or from its own contact book fed by events) and keeps it
 * only as long as delivery needs it.
 *
 * Delivery is asynchronous: `send` returns the provider's receipt (its id and first status), later
 * changes (delivered, read, failed) come back through the listeners registered with
 * `onDeliveryStatus` — a real provider calls them from its webhook handler.
 */
import type { Channel } from '../../../kit/src';
import type { ProviderStatus } from '../domain/deliveryStatus';

/** A message to deliver. */
export interface OutgoingMessage {
  /**
   * Our message id. Sending the same id twice must deliver once (a retried send after a crash): pass it
   * to providers that take a client reference, or dedupe on it.
   */
  messageId: string;
  /** The recipient; the provider resolves the address for `channel`. */
  customerId: string;
  channel: Channel;
  body: string;
}

/** What a provider says when it takes a message. */
export interface ProviderReceipt {
  providerMessageId: string;
  /** QUEUED (accepted, not yet handed on), SENT, or FAILED. */
  status: ProviderStatus;
}

/** A later change of a message's delivery status. */
export interface DeliveryStatusUpdate {
  providerMessageId: string;
  status: ProviderStatus;
  at: Date;
}

/** What {@link MessageProvider.forget} removes. */
export interface ForgetRequest {
  customerId: string;
  providerMessageIds: readonly string[];
}

/** Receives delivery status updates. */
export type DeliveryStatusListener = (update: DeliveryStatusUpdate) => Promise<void>;

/** Something that delivers messages (see module comment). */
export interface MessageProvider {
  /** For logs and health, e.g. `local-outbox`, `whatsapp-cloud`. */
  readonly name: string;
  /** Hands a message over for delivery. Throws when the provider cannot take it now. */
  send(message: OutgoingMessage): Promise<ProviderReceipt>;
  /** Registers a listener for delivery status updates; returns a function that removes it. */
  onDeliveryStatus(listener: DeliveryStatusListener): () => void;
  /**
   * Erasure: removes the bodies and addresses the provider keeps for `customerId` and for the listed
   * messages (those sent to a duplicate merged into this customer were addressed to the duplicate's id).
   */
  forget(request: ForgetRequest): Promise<void>;
}
