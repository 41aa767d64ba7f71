import { describe, expect, it } from '@jest/globals';
import { CloudFormationServiceException } from '@aws-sdk/client-cloudformation';
import {
  ActionError,
  awsErrorCode,
  describeError,
  errorMessage,
  InputError,
  isAwsError,
  TimeoutError,
} from '../src/errors.js';

/** An SDK v3 exception as the clients throw it. */
function awsError(name: string, message: string): Error {
  return new CloudFormationServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

describe('describeError', () => {
  it('names the denied action and resource for AccessDenied and points at the role policy', () => {
    const report = describeError(
      awsError(
        'AccessDenied',
        'User: arn:aws:sts::123456789012:assumed-role/deploy/gha is not authorized to perform: cloudformation:CreateChangeSet on resource: arn:aws:cloudformation:eu-west-1:123456789012:stack/app/* because no identity-based policy allows it',
      ),
      'stack app',
    );
    expect(report.code).toBe('AccessDenied');
    expect(report.title).toBe('Access denied: cloudformation:CreateChangeSet');
    expect(report.message).toMatch(/^AccessDenied \(stack app\): User:/);
    expect(report.hint).toContain(
      'Allow cloudformation:CreateChangeSet on arn:aws:cloudformation:eu-west-1:123456789012:stack/app/*',
    );
  });

  it('says that expired credentials ran out and how to get longer ones', () => {
    const report = describeError(
      awsError('ExpiredToken', 'The security token included in the request is expired'),
    );
    expect(report.title).toBe('AWS credentials expired');
    expect(report.hint).toMatch(/role-duration-seconds/);
  });

  it('explains missing credentials and throttling that outlasted the retries', () => {
    const missing = new Error('Could not load credentials from any providers');
    missing.name = 'CredentialsProviderError';
    expect(describeError(missing).title).toBe('No valid AWS credentials');
    expect(describeError(awsError('ThrottlingException', 'Rate exceeded')).hint).toMatch(
      /concurrency/,
    );
  });

  it('keeps other AWS codes visible', () => {
    const report = describeError(
      awsError('ValidationError', 'Stack with id app does not exist'),
      'stack app',
    );
    expect(report).toEqual({
      code: 'ValidationError',
      title: 'AWS error: ValidationError',
      message: 'ValidationError (stack app): Stack with id app does not exist',
    });
  });

  it("passes the toolkit's own errors through with their titles and fixes", () => {
    expect(describeError(new InputError('template', 'x.yaml', 'an existing file')).title).toBe(
      'Invalid input: template',
    );
    expect(
      describeError(
        new ActionError(
          'Protected resource',
          'Database would be replaced',
          'Add it to allow-replacement',
        ),
      ),
    ).toEqual({
      title: 'Protected resource',
      message: 'Database would be replaced',
      hint: 'Add it to allow-replacement',
    });
    expect(describeError(new TimeoutError('Gave up')).title).toBe('Timed out');
    expect(describeError('a string').message).toBe('a string');
    expect(describeError(new Error('boom')).title).toBe('Unexpected failure');
  });
});

describe('awsErrorCode and isAwsError', () => {
  it('recognise SDK exceptions only', () => {
    expect(awsErrorCode(awsError('ValidationError', 'x'))).toBe('ValidationError');
    expect(awsErrorCode(new Error('plain'))).toBeUndefined();
    expect(isAwsError(awsError('ValidationError', 'x'), 'Throttling', 'ValidationError')).toBe(
      true,
    );
    expect(isAwsError(new Error('ValidationError'), 'ValidationError')).toBe(false);
  });
});

describe('errorMessage', () => {
  it('reads the message of anything thrown', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage({ code: 7 })).toBe('{"code":7}');
    expect(errorMessage(undefined)).toBe('undefined');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(errorMessage(circular)).toBe('[object Object]');
  });
});
