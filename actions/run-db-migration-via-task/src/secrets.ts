/**
 * What of a command and its environment is a secret, so it is masked (core.setSecret) before
 * anything could print it, and shown as *** in the job summary: options and variables whose name
 * says password, secret, token or key, and the password part of a URL (`mysql://app:pw@db/app`).
 * Pure; the masking call is the caller's.
 */
const SECRET_NAME =
  /pass(word)?|passwd|pwd|secret|token|api[-_]?key|private[-_]?key|credential|auth/i;
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:([^@\s/]+)@/i;

export const MASK = '***';

/** True for a variable or option name that holds a secret by its name (DB_PASSWORD, --api-key). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The secret values inside a command's words (empty values are no secrets). */
export function secretsInCommand(words: readonly string[]): string[] {
  const found: string[] = [];
  words.forEach((word, index) => {
    const option = /^--?([A-Za-z][\w-]*)(=(.*))?$/s.exec(word);
    if (option) {
      const [, name, hasValue, value] = option;
      if (name && isSecretName(name)) {
        if (hasValue !== undefined) found.push(value ?? '');
        // `--password secret`: the next word is the value, unless it is another option.
        else if (words[index + 1] !== undefined && !words[index + 1]?.startsWith('-')) {
          found.push(words[index + 1] as string);
        }
      }
    }
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
    if (assignment && isSecretName(assignment[1] as string)) found.push(assignment[2] as string);
    const url = URL_PASSWORD.exec(word.includes('=') ? word.slice(word.indexOf('=') + 1) : word);
    if (url?.[1]) found.push(url[1]);
  });
  return unique(found);
}

/** The values of environment variables that are secrets by their name. */
export function secretsInEnvironment(environment: Readonly<Record<string, string>>): string[] {
  const found = Object.entries(environment)
    .filter(([name]) => isSecretName(name))
    .map(([, value]) => value);
  for (const value of Object.values(environment)) {
    const url = URL_PASSWORD.exec(value);
    if (url?.[1]) found.push(url[1]);
  }
  return unique(found);
}

/** The command as a person would type it, with every secret replaced by ***. */
export function displayCommand(words: readonly string[], secrets: readonly string[]): string {
  return hide(words.map(shellWord).join(' '), secrets);
}

/** A word as a POSIX shell reads it back: plain when safe, else in single quotes. */
function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `text` with every secret replaced by ***, longest first (so a secret inside another goes too). */
export function hide(text: string, secrets: readonly string[]): string {
  let shown = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    shown = shown.split(secret).join(MASK);
  }
  return shown;
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((value) => value !== ''))];
}
