/** The notes table, through prepared statements. Newest first is (created_at, id) descending. */
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Database } from '../db/database.js';
import { encodeCursor, type NotePosition } from './cursor.js';

export interface Note {
  id: number;
  text: string;
  /** ISO 8601, UTC, millisecond precision. */
  createdAt: string;
}

export interface NotePage {
  items: Note[];
  /** Cursor for the next (older) page; null on the last page. */
  next: string | null;
}

interface NoteRow extends RowDataPacket {
  id: number;
  text: string;
  created_at: string;
}

/**
 * created_at as 'YYYY-MM-DD HH:MM:SS.mmm'. The driver returns DATETIME(3) as text and drops a zero
 * fraction ('… 00:00:00'), which would otherwise change the API's format and the cursor's.
 */
function databaseTime(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(value);
  if (!match) throw new Error(`unexpected DATETIME value ${JSON.stringify(value)}`);
  return `${match[1]}.${(match[2] ?? '').padEnd(3, '0').slice(0, 3)}`;
}

function toNote(row: NoteRow): Note {
  const createdAt = databaseTime(row.created_at);
  return { id: Number(row.id), text: row.text, createdAt: `${createdAt.replace(' ', 'T')}Z` };
}

export class NotesStore {
  constructor(private readonly database: Database) {}

  async list(options: { limit: number; after?: NotePosition }): Promise<NotePage> {
    // One row more than asked tells whether another page exists without a COUNT.
    // LIMIT is sent as a string: MySQL 8 rejects a numeric LIMIT parameter in prepared statements.
    const fetch = String(options.limit + 1);
    const rows = options.after
      ? await this.database.execute<NoteRow[]>(
          `SELECT id, text, created_at FROM notes
            WHERE created_at < ? OR (created_at = ? AND id < ?)
            ORDER BY created_at DESC, id DESC LIMIT ?`,
          [options.after.createdAt, options.after.createdAt, options.after.id, fetch],
        )
      : await this.database.execute<NoteRow[]>(
          'SELECT id, text, created_at FROM notes ORDER BY created_at DESC, id DESC LIMIT ?',
          [fetch],
        );
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      items: page.map(toNote),
      next:
        rows.length > options.limit && last
          ? encodeCursor({ createdAt: databaseTime(last.created_at), id: Number(last.id) })
          : null,
    };
  }

  async create(text: string): Promise<Note> {
    // UTC_TIMESTAMP rather than the column default, so the session time zone never matters.
    const result = await this.database.execute<ResultSetHeader>(
      'INSERT INTO notes (text, created_at) VALUES (?, UTC_TIMESTAMP(3))',
      [text],
    );
    const rows = await this.database.execute<NoteRow[]>(
      'SELECT id, text, created_at FROM notes WHERE id = ?',
      [result.insertId],
    );
    const row = rows[0];
    if (!row) throw new Error(`note ${result.insertId} vanished right after it was inserted`);
    return toNote(row);
  }

  /** True when a note was deleted, false when there was none with that id. */
  async delete(id: number): Promise<boolean> {
    const result = await this.database.execute<ResultSetHeader>('DELETE FROM notes WHERE id = ?', [
      id,
    ]);
    return result.affectedRows > 0;
  }
}
