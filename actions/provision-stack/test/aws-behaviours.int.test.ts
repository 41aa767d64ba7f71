/**
 * The bundle (dist/index.js) run as the runner runs it, against moto and, for what moto cannot
 * show, through the fault proxy (test-support/fault-proxy.ts): moto's real answers rewritten into
 * the shapes AWS gives (API reference pages cited at each), or answered outright. Issue 10's
 * provision-stack items that can be shown this way; the rest are unit tests (see README, Testing
 * notes). moto gaps named where each is scripted.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  CloudFormationClient,
  ListChangeSetsCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '../../common/src/aws-client.js';
import {
  type FaultProxy,
  type FaultResponse,
  type ProxiedRequest,
  queryAction,
  startFaultProxy,
  type UpstreamResponse,
} from '../../../test-support/fault-proxy.js';
import { motoUrl } from '../../../test-support/moto.js';
import { type ActionResult, runAction } from '../../../test-support/run-action.js';
import { FIXTURES } from './helpers.js';

jest.setTimeout(90_000);

const cfn = createClient(CloudFormationClient, 'CLOUDFORMATION', { action: 'test' });
const fixture = (name: string) => path.join(FIXTURES, name);
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

function provision(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionResult> {
  return runAction('provision-stack', inputs, { env });
}

async function throughProxy(
  rules: Parameters<typeof startFaultProxy>[0]['rules'],
  inputs: Record<string, string>,
): Promise<{ result: ActionResult; proxy: FaultProxy }> {
  proxy = await startFaultProxy({ target: motoUrl(), rules });
  const result = await provision(inputs, { AWS_ENDPOINT_URL: proxy.url });
  return { result, proxy };
}

/** The query-protocol actions the bundle sent, in order. */
const actionsOf = (seen: FaultProxy) =>
  seen.requests.map((request) => new URLSearchParams(request.body).get('Action') ?? '?');

const param = (request: ProxiedRequest, name: string) =>
  new URLSearchParams(request.body).get(name) ?? '';

/** A CloudFormation (query protocol) answer, as AWS writes it. */
function queryAnswer(action: string, result: string): FaultResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body:
      `<${action}Response xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>fault-proxy</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** moto's own answer, rewritten. */
function rewrite(upstream: UpstreamResponse, edit: (body: string) => string): FaultResponse {
  return {
    status: upstream.status,
    headers: { 'content-type': 'text/xml' },
    body: edit(upstream.body),
  };
}

function errorOf(result: ActionResult) {
  const errors = result.annotations.filter((annotation) => annotation.level === 'error');
  expect(errors).toHaveLength(1);
  return errors[0] as { title?: string; message: string };
}

async function stacksNamed(name: string): Promise<string[]> {
  const { StackSummaries } = await cfn.send(new ListStacksCommand({}));
  return (StackSummaries ?? [])
    .filter((stack) => stack.StackName === name)
    .map((stack) => stack.StackStatus ?? '');
}

async function changeSetsOf(stackName: string) {
  const { Summaries } = await cfn.send(new ListChangeSetsCommand({ StackName: stackName }));
  return (Summaries ?? []).filter((summary) => summary.StackName === stackName);
}

// Issue 10 #1. moto has no early validation and no DescribeEvents (it answers HTTP 500 with an
// HTML page). The change set's FAILED status and reason are scripted into moto's
// DescribeChangeSet; DescribeEvents is answered in the shape of API_DescribeEvents.
const EARLY =
  'The following hook(s)/validation failed: [AWS::EarlyValidation::ResourceExistenceCheck]. To troubleshoot Early Validation errors, use the DescribeEvents API for detailed failure information.';
const failedChangeSet = {
  match: queryAction('DescribeChangeSet'),
  times: Infinity,
  transform: (_request: ProxiedRequest, upstream: UpstreamResponse) =>
    rewrite(upstream, (body) =>
      body
        .replace(
          '<Status>CREATE_COMPLETE</Status>',
          `<Status>FAILED</Status><StatusReason>${EARLY}</StatusReason>`,
        )
        .replace(
          '<ExecutionStatus>AVAILABLE</ExecutionStatus>',
          '<ExecutionStatus>UNAVAILABLE</ExecutionStatus>',
        ),
    ),
};

describe('early validation (issue 10 #1)', () => {
  it('names each failed check from DescribeEvents before it deletes the change set and the stack it made', async () => {
    const describeEvents = {
      match: queryAction('DescribeEvents'),
      times: Infinity,
      response: queryAnswer(
        'DescribeEvents',
        '<OperationEvents><member><EventId>e1</EventId><OperationType>CREATE_CHANGESET</OperationType>' +
          '<OperationStatus>FAILED</OperationStatus><EventType>VALIDATION_ERROR</EventType>' +
          '<LogicalResourceId>Logs</LogicalResourceId><ResourceType>AWS::Logs::LogGroup</ResourceType>' +
          '<Timestamp>2026-01-01T10:00:00Z</Timestamp><ValidationFailureMode>FAIL</ValidationFailureMode>' +
          '<ValidationName>NAME_CONFLICT_VALIDATION</ValidationName><ValidationStatus>FAILED</ValidationStatus>' +
          "<ValidationStatusReason>Resource of type 'AWS::Logs::LogGroup' with identifier '/provision-stack-test/early' already exists.</ValidationStatusReason>" +
          '<ValidationPath>/Resources/Logs/Properties/LogGroupName</ValidationPath></member></OperationEvents>',
      ),
    };
    const { result, proxy: seen } = await throughProxy([describeEvents, failedChangeSet], {
      template: fixture('app.yaml'),
      'stack-name': 'it-early',
      parameters: 'Env=early',
    });
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe('Change set failed');
    expect(error.message).toContain(EARLY);
    expect(error.message).toContain(
      "Logs (AWS::Logs::LogGroup): NAME_CONFLICT_VALIDATION at /Resources/Logs/Properties/LogGroupName: Resource of type 'AWS::Logs::LogGroup' with identifier '/provision-stack-test/early' already exists.",
    );
    expect(error.message).toContain('already exists outside this stack');
    expect(result.summary).toContain('Failed checks of the change set');
    expect(result.summary).toContain('<td>/Resources/Logs/Properties/LogGroupName</td>');
    const order = actionsOf(seen);
    expect(order.indexOf('DescribeEvents')).toBeLessThan(order.indexOf('DeleteChangeSet'));
    expect(seen.requests.find((r) => param(r, 'Action') === 'DescribeEvents')?.body).toContain(
      'Filters.FailedEvents=true',
    );
    // This run made the stack (REVIEW_IN_PROGRESS, empty): it goes with the change set.
    expect(order).toContain('DeleteStack');
    expect(
      (await stacksNamed('it-early')).filter((status) => status !== 'DELETE_COMPLETE'),
    ).toEqual([]);
  });

  it('against moto as it is (DescribeEvents answers HTTP 500): the original reason, and a warning that details are missing', async () => {
    const { result } = await throughProxy([failedChangeSet], {
      template: fixture('app.yaml'),
      'stack-name': 'it-early-moto',
      parameters: 'Env=early-moto',
    });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result).message).toContain(EARLY);
    expect(result.annotations).toContainEqual(
      expect.objectContaining({ level: 'warning', title: 'Early validation details unavailable' }),
    );
  });
});

describe('nested change sets (issue 10 #2)', () => {
  // moto accepts IncludeNestedStacks and ignores it. The root change set gets a nested stack's
  // change with the ChangeSetId of its nested change set (API_ResourceChange), which is answered
  // as DescribeChangeSet would: a database in it to be replaced.
  it('guards a database inside a nested stack like one at the top', async () => {
    const nestedId =
      'arn:aws:cloudformation:us-east-1:123456789012:changeSet/provision-nested-Network-1A2B/5';
    const nestedChange =
      '<member><Type>Resource</Type><ResourceChange><Action>Modify</Action><LogicalResourceId>Network</LogicalResourceId>' +
      '<ResourceType>AWS::CloudFormation::Stack</ResourceType><Replacement>False</Replacement>' +
      `<ChangeSetId>${nestedId}</ChangeSetId></ResourceChange></member>`;
    const rules = [
      {
        match: (request: ProxiedRequest) =>
          queryAction('DescribeChangeSet')(request) && param(request, 'ChangeSetName') === nestedId,
        times: Infinity,
        response: queryAnswer(
          'DescribeChangeSet',
          `<ChangeSetId>${nestedId}</ChangeSetId><Status>CREATE_COMPLETE</Status><StatusReason>Only executable from the root change set.</StatusReason>` +
            '<Changes><member><Type>Resource</Type><ResourceChange><Action>Modify</Action><LogicalResourceId>Db</LogicalResourceId>' +
            '<ResourceType>AWS::RDS::DBInstance</ResourceType><Replacement>True</Replacement>' +
            '<Scope><member>Properties</member></Scope></ResourceChange></member></Changes>',
        ),
      },
      {
        match: queryAction('DescribeChangeSet'),
        times: Infinity,
        transform: (_request: ProxiedRequest, upstream: UpstreamResponse) =>
          rewrite(upstream, (body) =>
            body.includes('<Changes/>')
              ? body.replace('<Changes/>', `<Changes>${nestedChange}</Changes>`)
              : body.replace('</Changes>', `${nestedChange}</Changes>`),
          ),
      },
    ];
    const { result, proxy: seen } = await throughProxy(rules, {
      template: fixture('app.yaml'),
      'stack-name': 'it-nested',
      parameters: 'Env=nested',
    });
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe('Protected resources would be replaced or deleted');
    expect(error.message).toContain('Network/Db (AWS::RDS::DBInstance) would be replaced');
    expect(result.summary).toContain(
      '<td>Modify</td><td>Network/Db</td><td>AWS::RDS::DBInstance</td><td>yes</td>',
    );
    expect(seen.requests.find((r) => param(r, 'Action') === 'CreateChangeSet')?.body).toContain(
      'IncludeNestedStacks=true',
    );
    expect(actionsOf(seen)).not.toContain('ExecuteChangeSet');
  });
});

describe('Fn::ForEach (issue 10 #4)', () => {
  // moto answers HTTP 500 to AWS::LanguageExtensions; the template's calls are answered as AWS
  // would, with the loop's resources expanded in the change set.
  it('sends a template with a loop to CloudFormation and notes the expanded ids', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'foreach-'));
    const template = path.join(dir, 'loops.yaml');
    writeFileSync(
      template,
      "Transform: AWS::LanguageExtensions\nResources:\n  'Fn::ForEach::Topics':\n    - TopicName\n    - [Success, Failure]\n    - 'SnsTopic${TopicName}':\n        Type: AWS::SNS::Topic\n",
    );
    const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/it-loops/1';
    const changeSetId = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/provision-loops/2';
    const topic = (id: string) =>
      `<member><Type>Resource</Type><ResourceChange><Action>Add</Action><LogicalResourceId>${id}</LogicalResourceId><ResourceType>AWS::SNS::Topic</ResourceType></ResourceChange></member>`;
    const rules = [
      {
        match: queryAction('ValidateTemplate'),
        times: Infinity,
        response: queryAnswer(
          'ValidateTemplate',
          '<Parameters/><Capabilities><member>CAPABILITY_AUTO_EXPAND</member></Capabilities><DeclaredTransforms><member>AWS::LanguageExtensions</member></DeclaredTransforms>',
        ),
      },
      {
        match: queryAction('CreateChangeSet'),
        times: Infinity,
        response: queryAnswer(
          'CreateChangeSet',
          `<Id>${changeSetId}</Id><StackId>${stackId}</StackId>`,
        ),
      },
      {
        match: queryAction('DescribeChangeSet'),
        times: Infinity,
        response: queryAnswer(
          'DescribeChangeSet',
          `<ChangeSetId>${changeSetId}</ChangeSetId><StackId>${stackId}</StackId><Status>CREATE_COMPLETE</Status>` +
            `<ExecutionStatus>AVAILABLE</ExecutionStatus><Changes>${topic('SnsTopicSuccess')}${topic('SnsTopicFailure')}</Changes>`,
        ),
      },
    ];
    const { result, proxy: seen } = await throughProxy(rules, {
      template,
      'stack-name': 'it-loops',
      capabilities: 'CAPABILITY_AUTO_EXPAND',
      mode: 'preview',
    });
    expect(result.annotations).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain(
      '<td>Add</td><td>SnsTopicSuccess</td><td>AWS::SNS::Topic</td>',
    );
    expect(result.summary).toContain(
      'Resources made by the Fn::ForEach loops (Topics) are listed under their expanded logical ids.',
    );
    // The template went to CloudFormation as written, loop included.
    expect(
      param(
        seen.requests.find((r) => param(r, 'Action') === 'CreateChangeSet') as ProxiedRequest,
        'TemplateBody',
      ),
    ).toContain("'Fn::ForEach::Topics':");
  });
});

describe('stacks moto cannot put in failed states (issue 10 #5, #8)', () => {
  const deployFirst = async (stackName: string, env: string) => {
    const created = await provision({
      template: fixture('app.yaml'),
      'stack-name': stackName,
      parameters: `Env=${env}`,
    });
    expect(created.exitCode).toBe(0);
  };
  const status = (value: string) => ({
    match: queryAction('DescribeStacks'),
    times: Infinity,
    transform: (_request: ProxiedRequest, upstream: UpstreamResponse) =>
      rewrite(upstream, (body) =>
        body.replace(/<StackStatus>[A-Z_]+<\/StackStatus>/, `<StackStatus>${value}</StackStatus>`),
      ),
  });

  // moto never rolls back, so UPDATE_ROLLBACK_FAILED is scripted into DescribeStacks, and the
  // stuck resource into moto's own ListStackResources answer (StackResourceSummary).
  it('on UPDATE_ROLLBACK_FAILED lists the stuck resources from ListStackResources', async () => {
    await deployFirst('it-stuck', 'stuck');
    const stuck = {
      match: queryAction('ListStackResources'),
      times: Infinity,
      transform: (_request: ProxiedRequest, upstream: UpstreamResponse) =>
        rewrite(upstream, (body) =>
          body.replace(
            /(<LogicalResourceId>Setting<\/LogicalResourceId>[\s\S]*?)<ResourceStatus>[A-Z_]+<\/ResourceStatus>/,
            '$1<ResourceStatus>UPDATE_FAILED</ResourceStatus><ResourceStatusReason>Parameter was deleted outside CloudFormation</ResourceStatusReason>',
          ),
        ),
    };
    const { result, proxy: seen } = await throughProxy([status('UPDATE_ROLLBACK_FAILED'), stuck], {
      template: fixture('app.yaml'),
      'stack-name': 'it-stuck',
      parameters: 'Env=stuck',
    });
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe('Stack it-stuck is in UPDATE_ROLLBACK_FAILED');
    expect(error.message).toContain(
      'Setting (AWS::SSM::Parameter) UPDATE_FAILED: Parameter was deleted outside CloudFormation',
    );
    expect(actionsOf(seen)).toContain('ListStackResources');
    expect(actionsOf(seen)).not.toContain('DescribeStackResources');
  });

  // moto cannot leave a stack in UPDATE_FAILED (no rollback, no failures): scripted into
  // DescribeStacks; moto's own empty change set ("No updates are to be performed") follows.
  it('on UPDATE_FAILED, "no changes" fails naming the state', async () => {
    await deployFirst('it-failed', 'failed');
    const { result, proxy: seen } = await throughProxy([status('UPDATE_FAILED')], {
      template: fixture('app.yaml'),
      'stack-name': 'it-failed',
      parameters: 'Env=failed',
    });
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe('Stack it-failed is in UPDATE_FAILED');
    expect(error.message).toContain('No changes');
    expect(error.message).toContain('rollback-stack --stack-name it-failed');
    expect(result.outputs).toMatchObject({ changed: 'false', 'stack-status': 'UPDATE_FAILED' });
    expect(actionsOf(seen)).toContain('CreateChangeSet');
  });
});

describe('hooks (issue 10 #6)', () => {
  // moto has no hooks: a WARN-mode hook verdict (StackEvent HookType, HookStatus,
  // HookStatusReason, HookFailureMode — API_StackEvent) is added to moto's DescribeStackEvents
  // answers once the execution has started (the first call marks what was there before).
  it('warns about a hook that objected in WARN mode, and the create still succeeds', async () => {
    let calls = 0;
    const hookEvent =
      '<member><StackId>x</StackId><EventId>hook-1</EventId><StackName>it-hook</StackName><LogicalResourceId>Logs</LogicalResourceId>' +
      '<ResourceType>AWS::Logs::LogGroup</ResourceType><Timestamp>2026-01-01T10:00:00Z</Timestamp><ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus>' +
      '<HookType>Private::Guard::LogRetention</HookType><HookStatus>HOOK_COMPLETE_FAILED</HookStatus>' +
      '<HookStatusReason>Hook failed with message: RetentionInDays below 30</HookStatusReason><HookInvocationPoint>PRE_PROVISION</HookInvocationPoint>' +
      '<HookFailureMode>WARN</HookFailureMode></member>';
    const rules = [
      {
        match: queryAction('DescribeStackEvents'),
        times: Infinity,
        transform: (_request: ProxiedRequest, upstream: UpstreamResponse) =>
          rewrite(upstream, (body) =>
            ++calls === 1 ? body : body.replace('<StackEvents>', `<StackEvents>${hookEvent}`),
          ),
      },
    ];
    const { result } = await throughProxy(rules, {
      template: fixture('app.yaml'),
      'stack-name': 'it-hook',
      parameters: 'Env=hook',
    });
    expect(result.exitCode).toBe(0);
    const warnings = result.annotations.filter((annotation) => annotation.title === 'Hook warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain(
      'Logs (AWS::Logs::LogGroup) hook Private::Guard::LogRetention HOOK_COMPLETE_FAILED (WARN): Hook failed with message: RetentionInDays below 30',
    );
  });
});

describe("another run's preview is kept (issue 10 #7)", () => {
  it('a failed CREATE change set on a REVIEW_IN_PROGRESS stack deletes only its own change set', async () => {
    const preview = await provision({
      template: fixture('app.yaml'),
      'stack-name': 'it-review',
      parameters: 'Env=review',
      mode: 'preview',
    });
    expect(preview.exitCode).toBe(0);
    expect(await stacksNamed('it-review')).toEqual(['REVIEW_IN_PROGRESS']);
    const { result, proxy: seen } = await throughProxy(
      [
        {
          // Only this run's change set (the preview's is not described again) fails.
          match: queryAction('DescribeChangeSet'),
          times: Infinity,
          transform: (_request, upstream) =>
            rewrite(upstream, (body) =>
              body.replace(
                '<Status>CREATE_COMPLETE</Status>',
                '<Status>FAILED</Status><StatusReason>Template error: instance of Fn::GetAtt references undefined resource Nope</StatusReason>',
              ),
            ),
        },
      ],
      { template: fixture('app.yaml'), 'stack-name': 'it-review', parameters: 'Env=review' },
    );
    expect(result.exitCode).toBe(1);
    expect(errorOf(result).message).toContain('references undefined resource Nope');
    expect(actionsOf(seen)).toContain('DeleteChangeSet');
    expect(actionsOf(seen)).not.toContain('DeleteStack');
    // The preview's change set is still there for review.
    expect((await changeSetsOf('it-review')).map((summary) => summary.ChangeSetName)).toContain(
      preview.outputs['change-set-id']?.split('/')[1],
    );
  });
});

describe('no-op release without a change set', () => {
  // moto keeps no Capabilities on a stack (AWS returns those the last operation was given,
  // API_Stack): they are added to moto's DescribeStacks answers, as AWS would return them.
  const withCapabilities = {
    match: queryAction('DescribeStacks'),
    times: Infinity,
    transform: (_request: ProxiedRequest, upstream: UpstreamResponse) =>
      rewrite(upstream, (body) =>
        body.replace(
          /<\/StackStatus>/g,
          '</StackStatus><Capabilities><member>CAPABILITY_NAMED_IAM</member></Capabilities>',
        ),
      ),
  };
  const inputs = { template: fixture('app.yaml'), 'stack-name': 'it-fast', parameters: 'Env=fast' };

  it('says "No changes" after DescribeStacks and GetTemplate alone', async () => {
    const created = await provision(inputs);
    expect(created.exitCode).toBe(0);
    const { result, proxy: seen } = await throughProxy([withCapabilities], inputs);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ changed: 'false', 'change-set-id': '' });
    expect(actionsOf(seen)).toEqual(['DescribeStacks', 'GetTemplate']);
    expect(seen.requests[1]?.body).toContain('TemplateStage=Original');
    expect(result.log).toContain('no change set was needed (fast-no-op)');
  });

  it('with fast-no-op: false makes the change set', async () => {
    const { result, proxy: seen } = await throughProxy([withCapabilities], {
      ...inputs,
      'fast-no-op': 'false',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.changed).toBe('false');
    expect(actionsOf(seen)).toContain('CreateChangeSet');
    expect(actionsOf(seen)).not.toContain('GetTemplate');
  });

  it('makes the change set when a parameter differs, saying why', async () => {
    const { result, proxy: seen } = await throughProxy([withCapabilities], {
      ...inputs,
      parameters: 'Env=fast\nRetention=14',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.changed).toBe('true');
    expect(result.log).toContain(
      'Fast no-op check: parameter Retention differs from its deployed value; creating a change set.',
    );
    expect(actionsOf(seen)).toContain('ExecuteChangeSet');
  });

  it('makes the change set when the template differs from the deployed one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fast-'));
    const edited = path.join(dir, 'app.yaml');
    const { readFileSync } = await import('node:fs');
    writeFileSync(
      edited,
      `${readFileSync(fixture('app.yaml'), 'utf8')}# a comment changes the text\n`,
    );
    const { result, proxy: seen } = await throughProxy([withCapabilities], {
      ...inputs,
      template: edited,
      parameters: 'Env=fast\nRetention=14',
    });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('Fast no-op check: the template differs from the deployed one');
    expect(actionsOf(seen)).toContain('CreateChangeSet');
  });

  it('against moto as it is (no Capabilities on the stack) falls back to the change set', async () => {
    const result = await provision({ ...inputs, parameters: 'Env=fast\nRetention=14' });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('Fast no-op check: the capabilities differ (the stack has none)');
  });
});
