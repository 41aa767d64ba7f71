/** GET/POST /api/notes and DELETE /api/notes/:id, exactly as the contract in README.md says. */
import type { FastifyPluginAsync } from 'fastify';
import { decodeCursor } from '../notes/cursor.js';
import type { NotesStore } from '../notes/notes-store.js';
import { checkLimit, checkNoteText } from '../notes/validation.js';

export const notesRoutes: FastifyPluginAsync<{ notes: NotesStore }> = async (app, { notes }) => {
  app.get('/', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const limit = checkLimit(query.limit);
    if (!limit.ok) return reply.code(400).send({ error: limit.error });
    let after;
    if (query.cursor !== undefined) {
      after = typeof query.cursor === 'string' ? decodeCursor(query.cursor) : undefined;
      if (!after) {
        return reply
          .code(400)
          .send({ error: 'cursor is not valid: pass the "next" value of the previous page' });
      }
    }
    return notes.list({ limit: limit.value, after });
  });

  app.post('/', async (request, reply) => {
    const text = checkNoteText(request.body);
    if (!text.ok) return reply.code(400).send({ error: text.error });
    return reply.code(201).send(await notes.create(text.value));
  });

  app.delete('/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    // An id that is not a positive integer cannot exist, so it is "unknown" like any other.
    const found = /^[1-9]\d{0,14}$/.test(id) && (await notes.delete(Number(id)));
    if (!found) return reply.code(404).send({ error: `note ${id} not found` });
    return reply.code(204).send();
  });
};
