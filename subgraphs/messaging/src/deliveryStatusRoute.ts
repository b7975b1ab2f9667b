/**
 * `POST /internal/delivery-status`: where delivery status updates come back when the provider runs
 * outside this process (a webhook relay, an operator's script). SERVICE tokens only; body
 * `{ "providerMessageId": "...", "status": "DELIVERED" | "READ" | "FAILED" | "SENT", "at"?: ISO-8601 }`.
 * Answers 200 `{ applied }` — false when the message is unknown or already past that status (a late or
 * repeated callback), which is not an error.
 */
import type { ServerResponse } from 'node:http';
import { principalFromAuthorization, sendJson, type AuthConfig, type RouteHandler, type RouteRequest } from '../../kit/src';
import { isProviderStatus } from './domain/deliveryStatus';
import type { DeliveryStatusRecorder } from './domain/deliveryStatusRecorder';

/** Builds the route handler over `recorder`. */
export function createDeliveryStatusRoute(recorder: DeliveryStatusRecorder, auth: AuthConfig): RouteHandler {
  return async (request: RouteRequest, response: ServerResponse) => {
    if (request.method !== 'POST') return sendJson(response, 405, { error: 'POST only' }, { allow: 'POST' });
    let role: string | undefined;
    try {
      role = principalFromAuthorization(request.headers.authorization, auth)?.role;
    } catch {
      role = undefined;
    }
    if (role !== 'SERVICE') return sendJson(response, role ? 403 : 401, { error: 'A SERVICE token is required' });
    const body = request.body as { providerMessageId?: unknown; status?: unknown; at?: unknown } | undefined;
    const at = typeof body?.at === 'string' ? new Date(body.at) : new Date();
    if (typeof body?.providerMessageId !== 'string' || body.providerMessageId.length > 200 || !isProviderStatus(body.status) || Number.isNaN(at.getTime())) {
      return sendJson(response, 400, { error: 'Expected { providerMessageId, status: QUEUED|SENT|DELIVERED|READ|FAILED, at? }' });
    }
    const applied = await recorder.record({ providerMessageId: body.providerMessageId, status: body.status, at });
    return sendJson(response, 200, { applied });
  };
}
