import { useEffect, useState } from 'react';
import { api } from '@/lib/client';
import type { Limits } from '@/lib/protocol';

/** What the client checks before sending; null: unknown, and the server's refusal says it. */
export interface ClientLimits {
  /** The longest message, in characters as the server counts them. */
  maxLength: number | null;
  /** Seconds after sending during which a message may be edited. */
  editWindow: number | null;
  /** Distinct emoji one message may carry. */
  reactionsPerMessage: number | null;
}

export const UNKNOWN_LIMITS: ClientLimits = { maxLength: null, editWindow: null, reactionsPerMessage: null };

/** A positive integer, or null: a server that does not state a limit (an older one) leaves it to its checks. */
function positive(value: number | undefined): number | null {
  return Number.isInteger(value) && (value as number) > 0 ? (value as number) : null;
}

export function clientLimits(limits: Limits): ClientLimits {
  return {
    maxLength: positive(limits.message_max_length),
    editWindow: positive(limits.edit_window),
    reactionsPerMessage: positive(limits.reactions_per_message),
  };
}

let asked: Promise<ClientLimits> | null = null;

/** Asked once per page load. */
function fetchLimits(): Promise<ClientLimits> {
  asked ??= api
    .limits()
    .then(clientLimits)
    .catch(() => {
      asked = null; // Asked again next time: the server may be back.
      return UNKNOWN_LIMITS;
    });
  return asked;
}

/**
 * The server's limits (`GET /api/limits/`), all unknown until they arrive or when the request
 * fails: the client then sets no limit of its own, and the server's refusals still say them.
 */
export function useLimits(): ClientLimits {
  const [limits, setLimits] = useState(UNKNOWN_LIMITS);
  useEffect(() => {
    let current = true;
    void fetchLimits().then((value) => current && setLimits(value));
    return () => {
      current = false;
    };
  }, []);
  return limits;
}
