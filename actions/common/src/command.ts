/**
 * A command input (an ECS container command override, a migration's `npm run migrate`) read into
 * its words: either a JSON array of strings, taken as given, or one line split the way a POSIX
 * shell splits words — quotes and backslashes respected — by shell-quote's `parse`. Nothing is
 * expanded: the words go to a container, not to a shell, so whatever a shell would do beyond
 * splitting (pipes, redirections, `$VAR`, globs, command substitution) is refused with a message
 * rather than passed on as literal text that would surprise the user.
 */
import { parse, type ParseEntry } from 'shell-quote';
import { InputError } from './errors.js';

const ACCEPTED =
  'a command such as npm run migrate -- --to "v 2" (words split like a POSIX shell, quotes respected) or a JSON array of strings such as ["npm", "run", "migrate"]';

/** Marks a `$NAME` shell-quote met outside single quotes; we refuse it instead of expanding it. */
interface VariableMark {
  variable: string;
}

/**
 * The command's words. `input` names the input in errors; `value` is its raw text
 * (`parseCommand('command', inputs.raw('command'))`). Not an `Inputs` method on purpose: every
 * action bundles inputs.ts, and only the actions that take a command should carry shell-quote. A command a
 * shell would be needed for is better given as `["sh", "-c", "…"]`, which the message says.
 */
export function parseCommand(input: string, value: string): string[] {
  const text = value.trim();
  if (text === '') throw new InputError(input, value, `${ACCEPTED}; the command is empty`);
  if (text.startsWith('[')) return parseJsonCommand(input, text);
  checkQuoting(input, text);
  const entries = parse(text, (name): VariableMark => ({ variable: name }));
  const words: string[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      words.push(entry);
      continue;
    }
    throw new InputError(input, value, `${ACCEPTED}; ${refusal(entry)}`);
  }
  if (words.length === 0 || words[0] === '') {
    throw new InputError(input, value, `${ACCEPTED}; the command is empty`);
  }
  return words;
}

function refusal(entry: Exclude<ParseEntry, string> | VariableMark): string {
  const shell = `if a shell is meant, give ["sh", "-c", "…"]`;
  if ('variable' in entry) {
    return `$${entry.variable} would not be expanded (no shell runs the command): escape it as \\$ or single-quote it to pass it literally, or ${shell}`;
  }
  if ('comment' in entry) return `# starts a comment in a shell: quote it to pass it, or remove it`;
  if (entry.op === 'glob') {
    return `${entry.pattern} is a file pattern a shell would expand: quote it to pass it literally, or ${shell}`;
  }
  return `${entry.op} is a shell operator, which only a shell understands: quote it to pass it literally, or ${shell}`;
}

/**
 * shell-quote closes an unbalanced quote silently; a shell would wait for more input. We refuse
 * it, and backquotes (command substitution, which shell-quote leaves as text), outside single
 * quotes.
 */
function checkQuoting(input: string, text: string): void {
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      continue;
    }
    if (ch === '\\') {
      if (i === text.length - 1) {
        throw new InputError(input, text, `${ACCEPTED}; it ends with a lone backslash`);
      }
      i++;
      continue;
    }
    if (ch === '`') {
      throw new InputError(
        input,
        text,
        `${ACCEPTED}; backquotes (command substitution) are not run: quote them with '…' to pass them literally, or give ["sh", "-c", "…"]`,
      );
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    }
  }
  if (quote) {
    throw new InputError(input, text, `${ACCEPTED}; a ${quote} quote is not closed`);
  }
}

function parseJsonCommand(input: string, text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      input,
      text,
      `${ACCEPTED}; it starts with [ but is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === 'string')) {
    throw new InputError(input, text, `${ACCEPTED}; the JSON array must hold only strings`);
  }
  if (parsed.length === 0 || parsed[0] === '') {
    throw new InputError(input, text, `${ACCEPTED}; the command is empty`);
  }
  return parsed as string[];
}
