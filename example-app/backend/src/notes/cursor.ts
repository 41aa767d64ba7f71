/**
 * The `next` cursor of GET /api/notes: an opaque token for "the notes older than the last one you
 * saw". Clients must not read it; it is base64url JSON so we can change its content later.
 */

export interface NotePosition {
  /** created_at as the database stores it: 'YYYY-MM-DD HH:MM:SS.mmm' (UTC). */
  createdAt: string;
  id: number;
}

const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;

export function encodeCursor(position: NotePosition): string {
  return Buffer.from(JSON.stringify({ c: position.createdAt, i: position.id })).toString(
    'base64url',
  );
}

/** The position a cursor names, or undefined when it is not one this API issued. */
export function decodeCursor(cursor: string): NotePosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { c, i } = value as { c?: unknown; i?: unknown };
    if (typeof c !== 'string' || !DATETIME.test(c)) return undefined;
    if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 1) return undefined;
    return { createdAt: c, id: i };
  } catch {
    return undefined;
  }
}
