// Each action's README documents exactly the inputs and outputs its action.yml declares, and shows
// the minimal step a user copies (`uses: OWNER/REPO/actions/<name>@v1`) with every required input
// and nothing the action does not take. A renamed or added input fails here until the README says
// so.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../support-workflows/deploy-steps.mjs';
import { failureTitles, titleShape, titlesInSource } from '../support-workflows/failure-titles.mjs';

interface ActionMeta {
  inputs?: Record<string, { required?: boolean | string; default?: unknown } | null>;
  outputs?: Record<string, unknown>;
}

const actions = readdirSync(path.join(REPO_ROOT, 'actions'))
  .filter((name) => existsSync(path.join(REPO_ROOT, 'actions', name, 'action.yml')))
  .sort();

function meta(name: string): ActionMeta {
  return parse(
    readFileSync(path.join(REPO_ROOT, 'actions', name, 'action.yml'), 'utf8'),
  ) as ActionMeta;
}

function readme(name: string): string {
  const file = path.join(REPO_ROOT, 'actions', name, 'README.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** The text of the `## <title>` section (up to the next `## `), or undefined. */
function section(markdown: string, title: string): string | undefined {
  const parts = markdown.split(/^## /m).slice(1);
  const found = parts.find(
    (part) => part.split('\n', 1)[0]!.trim().toLowerCase() === title.toLowerCase(),
  );
  return found?.slice(found.indexOf('\n') + 1);
}

/** Names written in backticks in a text: `name`. */
function quotedNames(text: string): Set<string> {
  return new Set([...text.matchAll(/`([a-z0-9]+(?:-[a-z0-9]+)*)`/g)].map((match) => match[1]!));
}

/** The names in the first column of the markdown tables of a text: | `name` | ... */
function tableNames(text: string): string[] {
  return [...text.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((match) => match[1]!);
}

/** YAML code blocks of a markdown text, parsed (blocks that do not parse are skipped). */
function yamlBlocks(markdown: string): unknown[] {
  return [...markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)].flatMap((match) =>
    parseAllDocuments(match[1]!)
      .filter((document) => document.errors.length === 0)
      .map((document) => document.toJS() as unknown),
  );
}

function* stepsIn(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) for (const item of value) yield* stepsIn(item);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.uses === 'string') yield record;
    for (const item of Object.values(record)) yield* stepsIn(item);
  }
}

describe.each(actions)('actions/%s/README.md', (name) => {
  const declared = meta(name);
  const text = readme(name);
  const inputs = Object.keys(declared.inputs ?? {});
  const outputs = Object.keys(declared.outputs ?? {});

  it('exists', () => {
    expect(text.length).toBeGreaterThan(0);
  });

  it('names every input of action.yml in its Inputs section', () => {
    const documented = quotedNames(section(text, 'Inputs') ?? '');
    expect(inputs.filter((input) => !documented.has(input))).toEqual([]);
  });

  it('names every output of action.yml in its Outputs section', () => {
    const documented = quotedNames(section(text, 'Outputs') ?? '');
    expect(outputs.filter((output) => !documented.has(output))).toEqual([]);
  });

  it('documents no input or output that action.yml does not declare', () => {
    const stale = [
      ...tableNames(section(text, 'Inputs') ?? '').filter((input) => !inputs.includes(input)),
      ...tableNames(section(text, 'Outputs') ?? '')
        // provision-stack documents each stack output as `<OutputKey>`.
        .filter((output) => /^[a-z0-9-]+$/.test(output))
        .filter((output) => !outputs.includes(output)),
    ];
    expect(stale).toEqual([]);
  });

  it('shows the minimal step: uses: OWNER/REPO/actions/<name>@v1 with the required inputs', () => {
    const uses = `OWNER/REPO/actions/${name}@v1`;
    const steps = yamlBlocks(text).flatMap((block) => [...stepsIn(block)]);
    const minimal = steps.find((step) => step.uses === uses);
    expect(minimal ? uses : `no YAML block with a step "uses: ${uses}"`).toBe(uses);
    const given = Object.keys((minimal?.with ?? {}) as Record<string, unknown>);
    const required = Object.entries(declared.inputs ?? {})
      .filter(([, spec]) => String(spec?.required) === 'true' && spec?.default === undefined)
      .map(([input]) => input);
    expect(required.filter((input) => !given.includes(input))).toEqual([]);
    expect(given.filter((input) => !inputs.includes(input))).toEqual([]);
  });
});

describe('the README check itself', () => {
  const sample = [
    '# x',
    '## Inputs',
    '| Input | Default |',
    '| --- | --- |',
    '| `stack-name` | (required) |',
    '| `gone` | |',
    '## Outputs',
    '- `changed`: true or false',
    '## More',
    'mentions `template` here only',
  ].join('\n');

  it('reads a name only inside its own section', () => {
    expect(quotedNames(section(sample, 'Inputs') ?? '')).toEqual(new Set(['stack-name', 'gone']));
    expect(quotedNames(section(sample, 'Outputs') ?? '')).toEqual(new Set(['changed']));
    expect(quotedNames(section(sample, 'Inputs') ?? '').has('template')).toBe(false);
  });

  it('sees the table rows that would be stale', () => {
    expect(tableNames(section(sample, 'Inputs') ?? '')).toEqual(['stack-name', 'gone']);
  });
});

describe('the Marketplace listing', () => {
  // docs.github.com, "Metadata syntax for GitHub Actions", branding: the badge colours, and icons
  // from its list of supported Feather v4.28.0 icons (a few; add one after checking that list).
  const COLORS = [
    'white',
    'black',
    'yellow',
    'blue',
    'green',
    'orange',
    'red',
    'purple',
    'gray-dark',
  ];
  const SUPPORTED_ICONS = [
    'layers',
    'upload-cloud',
    'database',
    'refresh-cw',
    'box',
    'package',
    'server',
    'cloud',
    'globe',
  ];

  it.each(actions)('%s has a branding block with a supported icon and colour', (name) => {
    const branding = (meta(name) as { branding?: { icon?: string; color?: string } }).branding;
    expect(SUPPORTED_ICONS).toContain(branding?.icon);
    expect(COLORS).toContain(branding?.color);
  });

  it('gives every action its own icon', () => {
    const icons = actions.map(
      (name) => (meta(name) as { branding?: { icon?: string } }).branding?.icon,
    );
    expect(new Set(icons).size).toBe(actions.length);
  });
});

describe('docs/TROUBLESHOOTING.md', () => {
  const page = readFileSync(path.join(REPO_ROOT, 'docs', 'TROUBLESHOOTING.md'), 'utf8');
  const headings = new Set(
    [...page.matchAll(/^#{3,4} (.+)$/gm)].map((match) => titleShape(match[1]!)),
  );
  const titles = failureTitles();

  it('has a heading for every failure title in actions/*/src and the workflows', () => {
    const missing = titles
      .filter(({ title }) => !headings.has(titleShape(title)))
      .map(({ title, file, line }) => `${title} (${file}${line ? `:${line}` : ''})`);
    expect(missing).toEqual([]);
  });

  it('finds the titles of every action and of deploy.yml', () => {
    const where = new Set(titles.map(({ file }) => file.split('/').slice(0, 2).join('/')));
    for (const action of actions) expect(where).toContain(`actions/${action}`);
    expect(where).toContain('actions/common');
    expect(where).toContain('.github/workflows');
  });

  it('reads titles from every form the sources use, and only from those', () => {
    const sample = [
      "throw new ActionError('Bucket not found', `The bucket ${b} does not exist.`, 'Create it.');",
      'throw new ActionError(`Unknown service: ${name}`, message);',
      "// throw new ActionError('In a comment', x);",
      "const report = { title: ran ? `Migration failed: exit code ${code}` : 'Task stopped', message: m };",
      "const heading = { title: 'A summary heading', rows: [] };",
      "return { title: `Access denied${denied ? `: ${denied}` : ''}`, message };",
      'const title = `Stack ${name} is in ${status}`;',
      "log.warning(`${undeclared} is not in the template`, 'Protected logical id not in the template');",
      'throw new ActionError(decision.title, decision.message);',
    ].join('\n');
    expect(titlesInSource(sample).map(({ title }) => title)).toEqual([
      'Bucket not found',
      'Unknown service: <value>',
      'Migration failed: exit code <value>',
      'Task stopped',
      'Access denied<value>',
      'Stack <value> is in <value>',
      'Protected logical id not in the template',
    ]);
  });

  it('matches a title to its heading by shape, placeholders and punctuation aside', () => {
    expect(titleShape('Cluster <value> is <value>')).toBe(
      titleShape('`Cluster <cluster> is <status>`'),
    );
    expect(titleShape('Access denied<value>')).toBe(titleShape('`Access denied: <action>`'));
    expect(titleShape('Stack <value> is in ROLLBACK_COMPLETE')).not.toBe(
      titleShape('`Stack <name> is in <status>`'),
    );
  });
});

describe('README.md, "Use it in your repository"', () => {
  const readmeText = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const use = section(readmeText, 'Use it in your repository') ?? '';
  const deployInputs = (
    parse(readFileSync(path.join(REPO_ROOT, '.github/workflows/deploy.yml'), 'utf8')) as {
      on: { workflow_call: { inputs: Record<string, { required?: boolean }> } };
    }
  ).on.workflow_call.inputs;
  const callers = [...use.matchAll(/^```yaml\n([\s\S]*?)^```/gm)]
    .map((match) => match[1]!)
    .filter((text) => text.includes('uses: OWNER/REPO/.github/workflows/deploy.yml@v1'));

  it('has the caller workflows to paste', () => {
    expect(callers.length).toBe(2);
  });

  it.each(callers.map((text, index) => [index, text] as const))(
    'caller %i passes only deploy.yml inputs, every required one, and the permissions it needs',
    (_index, text) => {
      const workflow = parse(text) as {
        jobs: Record<
          string,
          { uses?: string; with?: Record<string, unknown>; permissions?: unknown }
        >;
      };
      const job = Object.values(workflow.jobs).find((candidate) => candidate.uses)!;
      const given = Object.keys(job.with ?? {});
      expect(given.filter((name) => !(name in deployInputs))).toEqual([]);
      const required = Object.entries(deployInputs)
        .filter(([, spec]) => spec.required)
        .map(([name]) => name);
      expect(required.filter((name) => !given.includes(name))).toEqual([]);
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    },
  );

  it('bootstraps github-oidc.yaml with exactly its parameters', () => {
    const command = /aws cloudformation deploy[\s\S]*?(?=\naws |\n```)/.exec(use)?.[0] ?? '';
    expect(command).toContain('--template-file github-oidc.yaml');
    const given = [...command.matchAll(/^\s+([A-Za-z]+)=\S+/gm)].map((match) => match[1]!);
    const template = readFileSync(path.join(REPO_ROOT, 'cloudformation/github-oidc.yaml'), 'utf8');
    const parametersBlock = template.slice(
      template.indexOf('\nParameters:'),
      template.indexOf('\nConditions:'),
    );
    const declared = [...parametersBlock.matchAll(/^ {2}([A-Za-z]+):$/gm)].map(
      (match) => match[1]!,
    );
    const withDefault = [
      ...parametersBlock.matchAll(/^ {2}([A-Za-z]+):\n(?: {4}.*\n)*? {4}Default:/gm),
    ].map((match) => match[1]!);
    expect(declared).toContain('GitHubEnvironment');
    expect(given.length).toBeGreaterThanOrEqual(4);
    expect(given.filter((name) => !declared.includes(name))).toEqual([]);
    expect(declared.filter((name) => !withDefault.includes(name) && !given.includes(name))).toEqual(
      [],
    );
  });

  it('links the sections it points to', () => {
    expect(use).toContain('docs/VERSIONING.md');
    expect(use).toContain('(#reaching-the-database)');
  });
});
