/**
 * The request rules of the notes API. Each failure is a message naming the field, which the API
 * returns as {"error": message} with status 400.
 */

export const MAX_TEXT_LENGTH = 500;
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** `limit` from the query string: absent means the default; anything else must be 1–100. */
export function checkLimit(raw: unknown): Checked<number> {
  if (raw === undefined) return { ok: true, value: DEFAULT_LIMIT };
  const error = `limit must be a whole number from 1 to ${MAX_LIMIT}`;
  if (typeof raw !== 'string' || !/^\d{1,3}$/.test(raw)) return { ok: false, error };
  const value = Number(raw);
  if (value < 1 || value > MAX_LIMIT) return { ok: false, error };
  return { ok: true, value };
}

/** The body of POST /api/notes: an object whose `text` is a non-blank string of ≤ 500 characters. */
export function checkNoteText(body: unknown): Checked<string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'text is required: send a JSON object like {"text":"…"}' };
  }
  const text = (body as { text?: unknown }).text;
  if (text === undefined || text === null) return { ok: false, error: 'text is required' };
  if (typeof text !== 'string') return { ok: false, error: 'text must be a string' };
  if (text.trim() === '') return { ok: false, error: 'text must not be empty' };
  // Characters as the database counts them (code points, utf8mb4), not UTF-16 units, so an
  // emoji counts once here and in VARCHAR(500).
  if ([...text].length > MAX_TEXT_LENGTH) {
    return { ok: false, error: `text must be at most ${MAX_TEXT_LENGTH} characters` };
  }
  return { ok: true, value: text };
}
