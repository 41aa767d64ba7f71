import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../common/src/errors.js';
import { INLINE_TEMPLATE_LIMIT, loadTemplate } from '../src/template.js';
import { paddedTemplate } from './helpers.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

function write(body: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tpl-')), 'template.yaml');
  writeFileSync(file, body);
  return file;
}

describe('loadTemplate', () => {
  it('reads parameters (NoEcho, defaults, allowed values) and resources of a YAML template with short-form tags', () => {
    const template = loadTemplate({ path: path.join(fixtures, 'app.yaml'), input: 'app.yaml' });
    expect(template.parameters).toEqual([
      {
        name: 'Env',
        type: 'String',
        hasDefault: false,
        noEcho: false,
        allowedPattern: '[a-z0-9-]+',
      },
      { name: 'Secret', type: 'String', hasDefault: true, noEcho: true },
      { name: 'Retention', type: 'Number', hasDefault: true, noEcho: false },
    ]);
    expect(template.resources).toEqual({
      Setting: 'AWS::SSM::Parameter',
      Logs: 'AWS::Logs::LogGroup',
    });
    expect(template.needsBucket).toBe(false);
    expect(template.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads MinLength, MaxLength, MinValue and MaxValue as numbers, quoted or not (issue 16 #11)', () => {
    const file = write(
      [
        'Parameters:',
        '  Name: { Type: String, MinLength: 3, MaxLength: "5" }',
        '  Count: { Type: Number, MinValue: 1, MaxValue: 10 }',
        'Resources:',
        '  Logs: { Type: AWS::Logs::LogGroup }',
        '',
      ].join('\n'),
    );
    const template = loadTemplate({ path: file, input: 'template.yaml' });
    expect(template.parameters).toEqual([
      {
        name: 'Name',
        type: 'String',
        hasDefault: false,
        noEcho: false,
        minLength: 3,
        maxLength: 5,
      },
      {
        name: 'Count',
        type: 'Number',
        hasDefault: false,
        noEcho: false,
        minValue: 1,
        maxValue: 10,
      },
    ]);
  });

  it('reads JSON templates too', () => {
    const file = write(
      JSON.stringify({
        Parameters: { Name: { Type: 'String', NoEcho: 'true' } },
        Resources: { Q: { Type: 'AWS::SQS::Queue' } },
      }),
    );
    const template = loadTemplate({ path: file, input: 'q.json' });
    expect(template.parameters[0]).toMatchObject({ name: 'Name', noEcho: true, hasDefault: false });
  });

  it('rejects text that is not YAML, saying where', () => {
    const load = () =>
      loadTemplate({ path: path.join(fixtures, 'not-yaml.template'), input: 'not-yaml.template' });
    expect(load).toThrow(InputError);
    expect(load).toThrow(
      /Input 'template': got "not-yaml.template"; expected a CloudFormation template in YAML or JSON \(not readable at line \d+/,
    );
  });

  it('rejects an unknown short-form tag, which CloudFormation would not accept', () => {
    const file = write(
      'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Reff Name\n',
    );
    expect(() => loadTemplate({ path: file, input: 't.yaml' })).toThrow(/!Reff/);
  });

  it('rejects a template without resources, and a resource without a Type', () => {
    expect(() => loadTemplate({ path: write('Description: nothing\n'), input: 't.yaml' })).toThrow(
      /Resources section declaring at least one resource/,
    );
    expect(() =>
      loadTemplate({ path: write('Resources:\n  B:\n    Properties: {}\n'), input: 't.yaml' }),
    ).toThrow(/resource B declares a Type/);
  });

  it('needs template-bucket once the template is over 51,200 bytes', () => {
    const file = write(paddedTemplate(INLINE_TEMPLATE_LIMIT + 1));
    const load = () => loadTemplate({ path: file, input: 'big.yaml' });
    expect(load).toThrow(
      /Input 'template-bucket': got nothing; expected an S3 bucket to upload the template to: big.yaml is 51,201 bytes/,
    );
    expect(loadTemplate({ path: file, input: 'big.yaml', bucket: 'artifacts' }).needsBucket).toBe(
      true,
    );
    expect(
      loadTemplate({ path: write(paddedTemplate(INLINE_TEMPLATE_LIMIT)), input: 'edge.yaml' })
        .needsBucket,
    ).toBe(false);
  });

  it('refuses a template over the 1 MB TemplateURL limit even with a bucket', () => {
    const file = write(paddedTemplate(1_048_577));
    expect(() => loadTemplate({ path: file, input: 'huge.yaml', bucket: 'artifacts' })).toThrow(
      /at most 1,048,576 bytes/,
    );
  });
});

/**
 * Fn::ForEach (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html):
 * in Resources, `Fn::ForEach::<LoopName>: [Identifier, Collection, {OutputKey: fragment}]`;
 * "If you use the Fn::ForEach intrinsic function in your template, you must also use the
 * AWS::LanguageExtensions transform." Loops nest inside the fragment.
 */
describe('Fn::ForEach loops in Resources', () => {
  const loop = `
  'Fn::ForEach::Topics':
    - TopicName
    - [Success, Failure]
    - 'SnsTopic\${TopicName}':
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Sub 'my-\${TopicName}'
  'Fn::ForEach::Queues':
    - Env
    - [dev, prod]
    - 'Fn::ForEach::Inner':
        - Kind
        - [a, b]
        - 'Queue\${Env}\${Kind}':
            Type: AWS::SQS::Queue
  Bucket:
    Type: AWS::S3::Bucket
`;
  it('leaves the loops to CloudFormation, recording their names', () => {
    const template = loadTemplate({
      path: write(`Transform: AWS::LanguageExtensions\nResources:${loop}`),
      input: 't.yaml',
    });
    expect(template.resources).toEqual({ Bucket: 'AWS::S3::Bucket' });
    expect(template.forEachLoops).toEqual(['Topics', 'Queues']);
    expect(template.transforms).toEqual(['AWS::LanguageExtensions']);
  });

  it('accepts a template made only of a loop, with the transform in a list', () => {
    const template = loadTemplate({
      path: write(
        "Transform: [AWS::LanguageExtensions]\nResources:\n  'Fn::ForEach::Topics':\n    - T\n    - !Ref Names\n    - 'Topic${T}':\n        Type: AWS::SNS::Topic\n",
      ),
      input: 't.yaml',
    });
    expect(template.resources).toEqual({});
    expect(template.forEachLoops).toEqual(['Topics']);
  });

  it('refuses a loop without the AWS::LanguageExtensions transform, saying what to add', () => {
    expect(() => loadTemplate({ path: write(`Resources:${loop}`), input: 't.yaml' })).toThrow(
      /Fn::ForEach::Topics.*Transform: AWS::LanguageExtensions/,
    );
  });

  it('refuses a loop entry that is not [identifier, collection, fragment]', () => {
    expect(() =>
      loadTemplate({
        path: write("Transform: AWS::LanguageExtensions\nResources:\n  'Fn::ForEach::Bad': {}\n"),
        input: 't.yaml',
      }),
    ).toThrow(InputError);
  });
});
