/**
 * The API contract (example-app/README.md), line by line, against a real MariaDB: a throwaway
 * database for this file, the migrations applied, requests through request().
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { readDatabaseConfig } from '../src/config.js';
import { createRuntime } from '../src/runtime.js';
import { client, listenLocally } from './support/http.js';
import { collectLog } from './support/log-lines.js';
import { MARIADB } from './support/mariadb.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// A busy CI machine can take seconds per spawned process or new database; Jest's default is 5 s
// (a testTimeout in a project's config is not applied, so it is set here).
jest.setTimeout(30_000);

let t: TestApp;
let request: TestApp['request'];

beforeAll(async () => {
  t = await startTestApp();
  request = t.request;
});
afterAll(async () => t?.close());
beforeEach(async () => {
  await t.db.query('DELETE FROM notes');
});

interface Note {
  id: number;
  text: string;
  createdAt: string;
}

async function post(payload: unknown) {
  return request({ method: 'POST', url: '/api/notes', payload: payload as object });
}

async function addNotes(count: number): Promise<Note[]> {
  const notes: Note[] = [];
  for (let i = 1; i <= count; i += 1)
    notes.push((await post({ text: `note ${i}` })).json() as Note);
  return notes;
}

async function allPages(limit: number): Promise<{ pages: Note[][]; nexts: (string | null)[] }> {
  const pages: Note[][] = [];
  const nexts: (string | null)[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await request({ url: `/api/notes?limit=${limit}${query}` });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { items: Note[]; next: string | null };
    pages.push(body.items);
    nexts.push(body.next);
    cursor = body.next;
  } while (cursor && pages.length < 50);
  return { pages, nexts };
}

describe('GET /api/health', () => {
  it('answers 200 {"status":"ok"}', async () => {
    const response = await request({ url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    // Byte for byte: checks outside this repository may compare the body as a string.
    expect(response.body).toBe('{"status":"ok"}');
  });
});

describe('GET /api/health/ready', () => {
  it('answers 200 when the database answers', async () => {
    const response = await request({ url: '/api/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready' });
  });
});

describe('with the database unreachable', () => {
  let down: FastifyInstance;
  let downRequest: TestApp['request'];
  const downLog = collectLog();
  beforeAll(async () => {
    // Port 1 on localhost refuses connections: the database "does not answer".
    const config = readDatabaseConfig({ ...t.db.env, DB_PORT: '1' });
    down = createRuntime({ database: config, log: downLog.log }).app;
    downRequest = client(await listenLocally(down));
  });
  afterAll(async () => down?.close());

  it('GET /api/health still answers 200 (it never touches the database)', async () => {
    const response = await downRequest({ url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('GET /api/health/ready answers 503 with the reason', async () => {
    const response = await downRequest({ url: '/api/health/ready' });
    expect(response.statusCode).toBe(503);
    // The kind of failure only (the endpoint is public behind CloudFront); details in the log.
    expect(response.json()).toEqual({
      status: 'unavailable',
      reason: 'database: cannot connect (ECONNREFUSED)',
    });
    const logged = downLog.lines().find((line) => line.event === 'ready.failed');
    expect(logged).toMatchObject({ level: 'warn', err: { code: 'ECONNREFUSED' } });
    expect(JSON.stringify(logged)).toContain('127.0.0.1:1');
  });

  it('a note request answers 500 {"error"} without internals', async () => {
    const response = await downRequest({ url: '/api/notes' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'internal error' });
  });
});

describe('POST /api/notes', () => {
  it('answers 201 with the note', async () => {
    const response = await post({ text: 'Buy milk' });
    expect(response.statusCode).toBe(201);
    const note = response.json() as Note;
    expect(Object.keys(note).sort()).toEqual(['createdAt', 'id', 'text']);
    expect(note.text).toBe('Buy milk');
    expect(Number.isInteger(note.id)).toBe(true);
    expect(note.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Math.abs(Date.parse(note.createdAt) - Date.now())).toBeLessThan(5 * 60_000);
    const listed = (await request({ url: '/api/notes' })).json() as { items: Note[] };
    expect(listed.items).toEqual([note]);
  });

  it('accepts exactly 500 characters, counting an emoji as one', async () => {
    const plain = 'a'.repeat(500);
    const emoji = '😀'.repeat(500); // 1000 UTF-16 units, 500 characters
    expect((await post({ text: plain })).statusCode).toBe(201);
    const response = await post({ text: emoji });
    expect(response.statusCode).toBe(201);
    expect((response.json() as Note).text).toBe(emoji);
  });

  it.each([
    ['missing', {}, /^text is required/],
    ['null', { text: null }, /^text is required/],
    ['empty', { text: '' }, /^text must not be empty/],
    ['blank', { text: '  \n ' }, /^text must not be empty/],
    ['a number', { text: 42 }, /^text must be a string/],
    ['an array', { text: ['a'] }, /^text must be a string/],
    ['an object', { text: { value: 'a' } }, /^text must be a string/],
    ['501 characters', { text: 'a'.repeat(501) }, /^text must be at most 500 characters/],
    ['a JSON array body', ['text'], /^text is required/],
  ])('answers 400 naming the field when text is %s', async (_case, payload, message) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: expect.stringMatching(message) });
    expect(await t.db.query<unknown[]>('SELECT id FROM notes')).toHaveLength(0);
  });

  it.each([
    ['malformed JSON', '{"text": "unterminated'],
    ['a JSON prefix', '{"text":'],
    ['an empty body', ''],
  ])('answers 400 {"error"} for %s', async (_case, body) => {
    const response = await request({
      method: 'POST',
      url: '/api/notes',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error:
        body === ''
          ? 'text is required: send a JSON object like {"text":"…"}'
          : 'request body is not valid JSON',
    });
  });

  it('answers 400 for text/plain, 415 for other media types, 413 for an oversized body', async () => {
    const send = (contentType: string, body: string) =>
      request({
        method: 'POST',
        url: '/api/notes',
        headers: { 'content-type': contentType },
        body,
      });
    const plain = await send('text/plain', 'hello');
    expect(plain.statusCode).toBe(400);
    expect(plain.json()).toEqual({ error: expect.stringMatching(/^text is required/) });
    const xml = await send('application/xml', '<text>hello</text>');
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toEqual({ error: expect.stringContaining('application/json') });
    const huge = await post({ text: 'a'.repeat(20_000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toEqual({ error: 'request body is too large' });
  });

  it('stores 50 notes posted at the same time, each once', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post({ text: `parallel ${i}` })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    const ids = responses.map((r) => (r.json() as Note).id);
    expect(new Set(ids).size).toBe(50);
    const { pages } = await allPages(100);
    const texts = pages.flat().map((note) => note.text);
    expect(texts.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `parallel ${i}`).sort());
  });
});

describe('GET /api/notes', () => {
  it('answers {"items":[],"next":null} when there are none', async () => {
    const response = await request({ url: '/api/notes' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ items: [], next: null });
  });

  it('lists newest first, 20 by default', async () => {
    const created = await addNotes(22);
    const body = (await request({ url: '/api/notes' })).json() as {
      items: Note[];
      next: string | null;
    };
    expect(body.items).toEqual(created.reverse().slice(0, 20));
    expect(typeof body.next).toBe('string');
  });

  it('pages through every note exactly once, newest first, with an opaque cursor', async () => {
    const created = await addNotes(23);
    const { pages, nexts } = await allPages(10);
    expect(pages.map((page) => page.length)).toEqual([10, 10, 3]);
    expect(nexts.at(-1)).toBeNull();
    expect(pages.flat()).toEqual([...created].reverse());
    for (const next of nexts.slice(0, -1)) expect(next).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('keeps pages stable when notes share a timestamp and when new ones arrive', async () => {
    // Same millisecond for all: only the id tie-break keeps the order total.
    await t.db.query(
      `INSERT INTO notes (text, created_at) VALUES ${Array(7).fill("(?, '2026-01-01 00:00:00.000')").join(',')}`,
      Array.from({ length: 7 }, (_, i) => `tied ${i}`),
    );
    const first = (await request({ url: '/api/notes?limit=3' })).json() as {
      items: Note[];
      next: string;
    };
    await post({ text: 'newer than everything' }); // must not shift the following pages
    const seen = [...first.items];
    let cursor: string | null = first.next;
    while (cursor) {
      const page = (
        await request({ url: `/api/notes?limit=3&cursor=${encodeURIComponent(cursor)}` })
      ).json() as { items: Note[]; next: string | null };
      seen.push(...page.items);
      cursor = page.next;
    }
    expect(seen.map((note) => note.text)).toEqual(
      Array.from({ length: 7 }, (_, i) => `tied ${6 - i}`),
    );
    // A whole second still has three decimals (the binary protocol drops a zero fraction).
    expect(seen[0]!.createdAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('accepts limit 1 and 100', async () => {
    await addNotes(3);
    const one = (await request({ url: '/api/notes?limit=1' })).json() as { items: Note[] };
    const hundred = (await request({ url: '/api/notes?limit=100' })).json() as {
      items: Note[];
      next: string | null;
    };
    expect(one.items).toHaveLength(1);
    expect(hundred.items).toHaveLength(3);
    expect(hundred.next).toBeNull();
  });

  it.each(['0', '101', '-1', '1.5', 'ten', '', '1e1', '1&limit=2'])(
    'answers 400 naming limit for limit=%s',
    async (limit) => {
      const response = await request({ url: `/api/notes?limit=${limit}` });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: expect.stringMatching(/^limit must be/) });
    },
  );

  it.each([
    ['garbage', 'not-a-cursor!'],
    ['base64 of something else', Buffer.from('{"c":1}').toString('base64url')],
    ['empty', ''],
  ])('answers 400 naming cursor for a %s cursor', async (_case, cursor) => {
    const response = await request({ url: `/api/notes?cursor=${encodeURIComponent(cursor)}` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: expect.stringMatching(/^cursor is not valid/) });
  });
});

describe('DELETE /api/notes/:id', () => {
  it('answers 204 with no body, then 404 for the same id', async () => {
    const [note] = await addNotes(2);
    const response = await request({ method: 'DELETE', url: `/api/notes/${note!.id}` });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    const listed = (await request({ url: '/api/notes' })).json() as { items: Note[] };
    expect(listed.items.map((n) => n.id)).not.toContain(note!.id);
    expect(listed.items).toHaveLength(1);
    const again = await request({ method: 'DELETE', url: `/api/notes/${note!.id}` });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toEqual({ error: `note ${note!.id} not found` });
  });

  it.each(['999999', 'abc', '0', '1.5', '99999999999999999999'])(
    'answers 404 for the unknown id %s',
    async (id) => {
      await addNotes(1);
      const response = await request({ method: 'DELETE', url: `/api/notes/${id}` });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: `note ${id} not found` });
      expect(await t.db.query<unknown[]>('SELECT id FROM notes')).toHaveLength(1);
    },
  );
});

describe('anything else', () => {
  it('answers 404 {"error"} for an unknown route', async () => {
    const response = await request({ url: '/api/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'no route for GET /api/nope' });
  });
});

describe('request logs', () => {
  it('writes one JSON line per request, without headers or credentials', async () => {
    const before = t.logs.lines().length;
    await request({
      method: 'POST',
      url: '/api/notes',
      headers: {
        authorization: 'Bearer SENTINEL-TOKEN',
        'x-origin-verify': 'SENTINEL-ORIGIN-SECRET',
        cookie: 'session=SENTINEL-COOKIE',
        'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678',
      },
      payload: { text: 'logged' },
    });
    await request({ url: '/api/notes?limit=5' });
    const lines = t.logs.lines().slice(before);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'info',
      event: 'request',
      method: 'POST',
      url: '/api/notes',
      status: 201,
      reqId: 'Root=1-67891233-abcdef012345678912345678',
    });
    expect(typeof lines[0]!.durationMs).toBe('number');
    expect(lines[1]).toMatchObject({ method: 'GET', url: '/api/notes?limit=5', status: 200 });
    expect(t.logs.text()).not.toMatch(/SENTINEL|logged/);
    expect(t.logs.text()).not.toContain(MARIADB.password || 'no-password-to-leak');
  });
});
