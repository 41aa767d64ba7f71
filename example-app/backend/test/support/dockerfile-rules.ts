/**
 * The Dockerfile's rules as a function of the file's text, so a test can check the real file
 * and also prove that each rule fails when the file breaks it (no Docker engine here and hadolint
 * is not in Debian). Each problem names the rule it breaks.
 */
import path from 'node:path';

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue; // comments, also between continued lines
    const joined = pending + line.trim();
    if (joined.endsWith('\\')) {
      pending = `${joined.slice(0, -1).trim()} `;
      continue;
    }
    pending = '';
    if (joined === '') continue;
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(joined) ?? [];
    instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return instructions;
}

function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** COPY's options and paths; the last path is the destination. */
function copyParts(args: string): { from: string | undefined; sources: string[] } {
  const words = args.split(/\s+/);
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((word) => !word.startsWith('--'));
  return { from, sources: paths.slice(0, -1) };
}

/**
 * Whether the build context leaves a path out, by Docker's rules: patterns in order, the last one
 * that matches the path or one of its parent folders decides, `!` lets a path back in, `*` and
 * `?` stay within one path segment, `**` spans any number.
 */
export function ignoredBy(ignoreFile: string, file: string): boolean {
  const rules = ignoreFile
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = path.posix.normalize((negated ? line.slice(1) : line).replace(/^\/+/, ''));
      return { negated, regex: globToRegex(pattern) };
    });
  const segments = file.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) ignored = !rule.negated;
  }
  return ignored;
}

function globToRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      i += 1;
      if (pattern[i + 1] === '/') {
        i += 1;
        source += '(?:.*/)?';
      } else {
        source += '.*';
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

const NODE_IMAGE =
  /^node:(\d+)(?:-(alpine|slim|bookworm-slim|trixie-slim)[\d.]*)?(?:@sha256:[a-f0-9]{64})?$/;

/**
 * Programs a HEALTHCHECK may call, by base image variant: Alpine has busybox `wget` but no curl;
 * the Debian slim images have neither; the full images have both. `node` is in all of them.
 */
function healthcheckTools(variant: string | undefined): string[] {
  if (variant === 'alpine') return ['node', 'wget'];
  if (variant?.endsWith('slim')) return ['node'];
  return ['node', 'wget', 'curl'];
}

/** Paths the build context must never carry. */
export const NEVER_SENT = [
  '.git/HEAD',
  'node_modules/fastify/package.json',
  'example-app/backend/node_modules/x/index.js',
  'example-app/backend/test/api.test.ts',
  'example-app/backend/src/notes/cursor.test.ts',
  'example-app/backend/build/server.js',
  'example-app/frontend/dist/index.html',
  'example-app/frontend/src/main.ts',
  'actions/common/src/inputs.ts',
  '.env',
  'example-app/backend/.env.production',
  // Inside the folders the ignore file lets through:
  'example-app/backend/src/.env',
  'example-app/backend/src/test/fixture.ts',
  'example-app/backend/src/node_modules/x/index.js',
];

export interface DockerfileInput {
  dockerfile: string;
  ignoreFile: string;
  /** Whether a path (relative to the build context) exists. */
  exists: (file: string) => boolean;
}

/** Every rule the Dockerfile breaks, one line each; empty when it keeps them all. */
export function dockerfileProblems({ dockerfile, ignoreFile, exists }: DockerfileInput): string[] {
  const problems: string[] = [];
  const stages = stagesOf(parseDockerfile(dockerfile));
  const runtime = stages.at(-1);
  if (!runtime) return ['multi-stage: no FROM instruction'];
  const keywords = runtime.instructions.map((instruction) => instruction.keyword);
  const variantOf = (stage: Stage): string | undefined => {
    const parent = stages.find((other) => other.name === stage.image);
    return parent ? variantOf(parent) : NODE_IMAGE.exec(stage.image)?.[2];
  };

  if (stages.length < 2) problems.push('multi-stage: a single stage ships its build tools');
  for (const stage of stages) {
    if (!stage.name || !/^[a-z][a-z0-9-]*$/.test(stage.name)) {
      problems.push(`multi-stage: stage FROM ${stage.image} has no lower-case name`);
    }
    if (stages.some((other) => other.name === stage.image)) continue;
    const match = NODE_IMAGE.exec(stage.image);
    if (!match || Number(match[1]) < 22) {
      problems.push(`pinned base: ${stage.image} is not node:<major ≥ 22>[-variant][@sha256:…]`);
    }
  }
  const variant = variantOf(runtime);
  if (variant !== 'alpine' && !variant?.endsWith('slim')) {
    problems.push(
      `small: the runtime stage's base ${runtime.image} is not an alpine or slim image`,
    );
  }

  const user = runtime.instructions
    .filter((i) => i.keyword === 'USER')
    .at(-1)
    ?.args.split(':')[0]
    ?.trim();
  if (user === undefined || ['root', '0', ''].includes(user)) {
    problems.push(`non-root: the runtime stage runs as ${user ?? 'root (no USER)'}`);
  } else if (keywords.lastIndexOf('USER') > keywords.lastIndexOf('CMD')) {
    problems.push('non-root: USER comes after CMD');
  }

  const healthcheck = runtime.instructions.filter((i) => i.keyword === 'HEALTHCHECK').at(-1);
  const check = /\bCMD\s+(.*)$/.exec(healthcheck?.args ?? '')?.[1];
  if (!check || !check.includes('/api/health')) {
    problems.push('healthcheck: no HEALTHCHECK CMD requesting /api/health');
  } else {
    const tool = check.startsWith('[') ? (JSON.parse(check) as string[])[0] : check.split(/\s+/)[0];
    const tools = healthcheckTools(variant);
    if (!tool || !tools.includes(tool)) {
      problems.push(
        `healthcheck: ${tool} is not in ${runtime.image} (use one of ${tools.join(', ')})`,
      );
    }
  }

  const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').at(-1);
  let command: unknown;
  try {
    command = JSON.parse(cmd?.args ?? '');
  } catch {
    command = cmd?.args;
  }
  if (JSON.stringify(command) !== JSON.stringify(['node', 'build/server.js'])) {
    problems.push(
      `command: CMD is ${cmd?.args ?? 'missing'}, not ["node", "build/server.js"] (exec form, so node gets SIGTERM)`,
    );
  }

  if (keywords.includes('RUN')) problems.push('production deps: the runtime stage has a RUN');
  const modules = runtime.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => copyParts(i.args))
    .find((copy) => copy.sources.some((source) => source.endsWith('node_modules')));
  const depsStage = stages.find((stage) => modules?.from && stage.name === modules.from);
  const installs = (depsStage?.instructions ?? []).filter((i) =>
    /\bnpm (ci|install|i)\b/.test(i.args),
  );
  if (
    installs.length !== 1 ||
    !/\bnpm ci\b/.test(installs[0]!.args) ||
    !/--omit=dev\b/.test(installs[0]!.args)
  ) {
    problems.push(
      'production deps: node_modules do not come from another stage with one `npm ci --omit=dev`',
    );
  }
  for (const copy of runtime.instructions.filter((i) => i.keyword === 'COPY')) {
    for (const source of copyParts(copy.args).sources) {
      if (/(^|\/)(src|test|tests)(\/|$)/.test(source)) {
        problems.push(`no sources: the runtime stage copies ${source}`);
      }
    }
  }

  // The migration task overrides the command with `npm run migrate`: npm needs the backend's
  // package.json in the working directory, and the runner reads migrations/ next to build/.
  const workdir = runtime.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args;
  const runtimeCopies = runtime.instructions
    .filter((i) => i.keyword === 'COPY' && !copyParts(i.args).from)
    .flatMap((i) => copyParts(i.args).sources);
  if (workdir !== '/app/example-app/backend') {
    problems.push(`migrate command: WORKDIR is ${workdir}, not /app/example-app/backend`);
  }
  for (const needed of ['example-app/backend/package.json', 'example-app/backend/migrations']) {
    if (!runtimeCopies.includes(needed)) {
      problems.push(`migrate command: the runtime stage does not copy ${needed}`);
    }
  }

  const fromContext = stages
    .flatMap((stage) => stage.instructions)
    .filter((i) => i.keyword === 'COPY' && !copyParts(i.args).from)
    .flatMap((i) => copyParts(i.args).sources);
  for (const source of fromContext) {
    if (!exists(source)) problems.push(`context: COPY ${source}, which does not exist`);
    else if (ignoredBy(ignoreFile, source)) {
      problems.push(`context: COPY ${source}, which the ignore file leaves out`);
    }
  }
  for (const file of NEVER_SENT) {
    if (!ignoredBy(ignoreFile, file)) problems.push(`ignore file: ${file} reaches the context`);
  }
  return problems;
}
