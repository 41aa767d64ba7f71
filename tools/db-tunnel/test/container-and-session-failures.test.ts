/**
 * Two preflight/diagnosis pieces with no AWS call: the container check (task definition fields as
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html has them)
 * and recognising a failed session from the AWS CLI's and the plugin's own wording.
 */
import { describe, expect, it } from '@jest/globals';
import { checkContainer } from '../src/container-check.js';
import { explainSessionFailure } from '../src/session-failures.js';

const APP_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/prod/api:v1.4.0';

describe('checkContainer', () => {
  it('is ok for the app container of a released revision', () => {
    const results = checkContainer({
      container: { name: 'api', image: APP_IMAGE, essential: true, readonlyRootFilesystem: false },
      platformVersion: 'LATEST',
    });
    expect(results).toEqual([expect.objectContaining({ status: 'ok' })]);
  });

  it('fails when the task definition sets an entryPoint the command override cannot replace', () => {
    const [result] = checkContainer({
      container: { name: 'api', image: APP_IMAGE, entryPoint: ['node', 'build/server.js'] },
    });
    expect(result?.status).toBe('failed');
    expect(result?.detail).toContain('entryPoint ["node","build/server.js"]');
  });

  it('fails for a container that is not essential, a read-only root and an old platform version', () => {
    const results = checkContainer({
      container: { name: 'api', image: APP_IMAGE, essential: false, readonlyRootFilesystem: true },
      platformVersion: '1.3.0',
    });
    expect(results.map((result) => [result.name, result.status])).toEqual([
      ['tunnel command in the container', 'failed'],
      ['ECS Exec in the container', 'failed'],
      ['ECS Exec on this platform version', 'failed'],
    ]);
    expect(
      checkContainer({ container: { name: 'api', image: APP_IMAGE }, platformVersion: '1.4.0' }),
    ).toHaveLength(1);
  });
});

describe('explainSessionFailure', () => {
  it('recognises TargetNotConnectedException as the CLI prints it', () => {
    const failure = explainSessionFailure(
      '\nAn error occurred (TargetNotConnectedException) when calling the StartSession operation: ecs:prod_abc_abc-1 is not connected.\n',
    );
    expect(failure?.title).toContain('TargetNotConnectedException');
    expect(failure?.hint).toContain('ssmmessages:CreateControlChannel');
    expect(failure?.hint).toContain('VPC endpoint');
  });

  it('recognises the missing plugin', () => {
    const failure = explainSessionFailure(
      '\nSessionManagerPlugin is not found. Please refer to SessionManager Documentation here: http://docs.aws.amazon.com/console/systems-manager/session-manager-plugin-not-found\n',
    );
    expect(failure?.title).toContain('plugin is not installed');
    expect(failure?.hint).toContain('brew install --cask session-manager-plugin');
  });

  it('recognises the agent not running', () => {
    const failure = explainSessionFailure(
      "An error occurred (InvalidParameterException) when calling the ExecuteCommand operation: The execute command failed because execute command was not enabled when the task was run or the execute command agent isn't running. Wait and try again or run a new task with execute command enabled and try again.",
    );
    expect(failure?.title).toContain('agent is not running');
  });

  it("recognises the person's own missing ssm:StartSession and expired credentials", () => {
    expect(
      explainSessionFailure(
        'An error occurred (AccessDeniedException) when calling the StartSession operation: User: arn:aws:sts::1:assumed-role/Dev/alice is not authorized to perform: ssm:StartSession on resource: arn:aws:ecs:eu-west-1:1:task/prod/abc',
      )?.hint,
    ).toContain('ssm:StartSession on arn:aws:ecs');
    expect(
      explainSessionFailure(
        'An error occurred (ExpiredTokenException) when calling the StartSession operation: The security token included in the request is expired',
      )?.title,
    ).toContain('expired');
  });

  it('says nothing about output it does not know', () => {
    expect(explainSessionFailure('Exiting session with sessionId: alice-0abc.\n')).toBeUndefined();
    expect(explainSessionFailure('')).toBeUndefined();
  });
});
