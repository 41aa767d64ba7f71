/** The notes page: list (newest first, "show older"), add, delete; API errors shown in an alert. */
import { ApiError, createNote, deleteNote, listNotes, type Note } from './api.js';
import './style.css';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found as T;
}

const form = element<HTMLFormElement>('new-note');
const input = element<HTMLInputElement>('note-text');
const addButton = form.querySelector('button') as HTMLButtonElement;
const list = element<HTMLUListElement>('notes');
const more = element<HTMLButtonElement>('more');
const errorBox = element<HTMLParagraphElement>('error');
const status = element<HTMLParagraphElement>('status');

let nextCursor: string | null = null;

function showError(error: unknown): void {
  errorBox.textContent =
    error instanceof ApiError ? error.message : 'Something went wrong. Please try again.';
  errorBox.hidden = false;
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = '';
}

function renderNote(note: Note): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.id = String(note.id);
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = note.text; // textContent, never innerHTML: notes are user input
  const time = document.createElement('time');
  time.dateTime = note.createdAt;
  time.textContent = new Date(note.createdAt).toLocaleString();
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = 'Delete';
  remove.setAttribute('aria-label', `Delete note: ${note.text}`);
  remove.addEventListener('click', () => void removeNote(note, item, remove));
  item.append(text, time, remove);
  return item;
}

function updateEmptyState(): void {
  status.textContent = list.children.length === 0 ? 'No notes yet.' : '';
}

async function loadPage(cursor?: string): Promise<void> {
  more.disabled = true;
  try {
    const page = await listNotes(cursor);
    if (!cursor) list.replaceChildren();
    list.append(...page.items.map(renderNote));
    nextCursor = page.next;
    more.hidden = nextCursor === null;
    clearError();
  } catch (error) {
    showError(error);
  } finally {
    more.disabled = false;
    updateEmptyState();
  }
}

async function addNote(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  addButton.disabled = true;
  try {
    const note = await createNote(input.value);
    list.prepend(renderNote(note));
    input.value = '';
    clearError();
    status.textContent = 'Note added.';
  } catch (error) {
    showError(error);
  } finally {
    addButton.disabled = false;
    input.focus();
  }
}

async function removeNote(
  note: Note,
  item: HTMLLIElement,
  button: HTMLButtonElement,
): Promise<void> {
  button.disabled = true;
  let message = 'Note deleted.';
  try {
    await deleteNote(note.id);
  } catch (error) {
    // 404: deleted meanwhile (another tab or person); the list catches up instead of keeping a
    // note the user can never delete.
    if (!(error instanceof ApiError && error.status === 404)) {
      button.disabled = false;
      showError(error);
      return;
    }
    message = 'That note was already deleted.';
  }
  // Keep keyboard focus somewhere sensible once the focused button disappears.
  const neighbour = (item.nextElementSibling ?? item.previousElementSibling)?.querySelector(
    'button',
  );
  item.remove();
  (neighbour ?? input).focus();
  clearError();
  updateEmptyState();
  if (list.children.length > 0) status.textContent = message;
}

form.addEventListener('submit', (event) => void addNote(event));
more.addEventListener('click', () => void (nextCursor && loadPage(nextCursor)));
void loadPage();
