/**
 * The notes API as the page calls it: relative /api paths only, so the same build works behind
 * CloudFront (which routes /api/* to the ALB) and in the local run.
 */

export interface Note {
  id: number;
  text: string;
  createdAt: string;
}

export interface NotePage {
  items: Note[];
  next: string | null;
}

/** A failed call, with the message to show: the API's {"error"} text when it sent one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function call(path: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { accept: 'application/json', ...init?.headers },
    });
  } catch {
    throw new ApiError('Cannot reach the server. Check your connection and try again.', 0);
  }
  if (response.ok) return response;
  let message = `The server answered ${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string' && body.error) message = body.error;
  } catch {
    // Not JSON (a proxy's error page, for example): keep the status line.
  }
  throw new ApiError(message, response.status);
}

export async function listNotes(cursor?: string): Promise<NotePage> {
  const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
  return (await call(`/api/notes${query}`)).json() as Promise<NotePage>;
}

export async function createNote(text: string): Promise<Note> {
  const response = await call('/api/notes', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  return response.json() as Promise<Note>;
}

export async function deleteNote(id: number): Promise<void> {
  await call(`/api/notes/${encodeURIComponent(String(id))}`, { method: 'DELETE' });
}
