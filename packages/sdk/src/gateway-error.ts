import type { ErrorCode } from '@ntg/contracts';

/** A `{ code, message, requestId }` answer from the gateway. Switch on `code`, never on `message`. */
export class GatewayError extends Error {
  readonly code: ErrorCode | 'NETWORK' | 'BAD_RESPONSE';
  readonly status: number;
  readonly requestId: string | null;

  constructor(code: GatewayError['code'], message: string, status: number, requestId: string | null) {
    super(message);
    this.name = 'GatewayError';
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }
}
