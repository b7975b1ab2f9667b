/** The one `Channel` enum of the contract, in the order of DESIGN.md. */
export const CHANNELS = ['WEB', 'APP', 'STORE', 'CALL_CENTER', 'WHATSAPP', 'MARKETPLACE', 'SOCIAL', 'EMAIL', 'SMS'] as const;

/** A door through which a customer reaches the retailer. */
export type Channel = (typeof CHANNELS)[number];

/** Type guard for values read from a database or an event. */
export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}
