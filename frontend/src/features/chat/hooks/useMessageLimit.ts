import { useEffect, useState } from 'react';
import { api } from '@/lib/client';

let asked: Promise<number | null> | null = null;

/** Asked once per page load; a server that cannot say leaves the check to the server. */
function fetchLimit(): Promise<number | null> {
  asked ??= api
    .limits()
    .then((limits) => (Number.isInteger(limits.message_max_length) && limits.message_max_length > 0 ? limits.message_max_length : null))
    .catch(() => {
      asked = null; // Asked again next time: the server may be back.
      return null;
    });
  return asked;
}

/**
 * The longest message the server takes (`GET /api/limits/`), or null while unknown: the box
 * then sets no limit of its own, and the server's `too_long` refusal still says it.
 */
export function useMessageLimit(): number | null {
  const [limit, setLimit] = useState<number | null>(null);
  useEffect(() => {
    let current = true;
    void fetchLimit().then((value) => current && setLimit(value));
    return () => {
      current = false;
    };
  }, []);
  return limit;
}

