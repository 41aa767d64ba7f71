/**
 * The start-session command line. The parameters follow StartSession's Parameters type (a map of
 * names to lists of strings, https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartSession.html)
 * and the AWS-StartPortForwardingSessionToRemoteHost document's parameter names.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import {
  PORT_FORWARDING_DOCUMENT,
  portForwardingParameters,
  sessionReason,
  shellLine,
  startSessionArgv,
} from '../src/session.js';

const HOST = 'prod-data-databasecluster-abc.cluster-cxyz.eu-west-1.rds.amazonaws.com';

describe('portForwardingParameters', () => {
  it('gives host, portNumber and localPortNumber, each a list of one string', () => {
    const json = portForwardingParameters({ host: HOST, remotePort: 3306, localPort: 3307 });
    expect(JSON.parse(json)).toEqual({
      host: [HOST],
      portNumber: ['3306'],
      localPortNumber: ['3307'],
    });
  });
});

describe('startSessionArgv', () => {
  it('names the target, the document, the parameters, the region and the profile', () => {
    const argv = startSessionArgv({
      target: 'ecs:prod_abc_abc-1',
      host: HOST,
      remotePort: 3306,
      localPort: 3306,
      region: 'eu-west-1',
      profile: 'prod-admin',
      reason: 'db-tunnel prod by db-tunnel/alice',
    });
    expect(argv).toEqual([
      'ssm',
      'start-session',
      '--target',
      'ecs:prod_abc_abc-1',
      '--document-name',
      PORT_FORWARDING_DOCUMENT,
      '--parameters',
      `{"host":["${HOST}"],"portNumber":["3306"],"localPortNumber":["3306"]}`,
      '--reason',
      'db-tunnel prod by db-tunnel/alice',
      '--region',
      'eu-west-1',
      '--profile',
      'prod-admin',
    ]);
    expect(PORT_FORWARDING_DOCUMENT).toBe('AWS-StartPortForwardingSessionToRemoteHost');
  });

  it('leaves out --profile and --reason when there are none', () => {
    const argv = startSessionArgv({
      target: 't',
      host: HOST,
      remotePort: 3306,
      localPort: 1,
      region: 'us-east-1',
    });
    expect(argv).not.toContain('--profile');
    expect(argv).not.toContain('--reason');
  });
});

describe('sessionReason', () => {
  it('is one line of at most 256 characters (StartSession Reason pattern ^.{1,256}$)', () => {
    const reason = sessionReason(`line one\nline two ${'x'.repeat(400)}`);
    expect(reason.startsWith('line one line two')).toBe(true);
    expect(reason).toHaveLength(256);
    expect(reason).not.toMatch(/\n/);
  });
});

describe('shellLine', () => {
  it('quotes so that a POSIX shell gives back exactly the same words', () => {
    const words = [
      'aws',
      '--parameters',
      '{"host":["h"],"portNumber":["3306"]}',
      "it's",
      'a b',
      '',
      'ecs:prod_a_b',
      '$HOME',
      'tasks[0].containers[?name==`api`].runtimeId',
    ];
    const line = shellLine(words);
    // The shell parses the printed line; printf prints each word it received NUL-terminated.
    const output = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`]);
    expect(output.toString('utf8').split('\0').slice(0, -1)).toEqual(words);
  });

  it('leaves plain words bare', () => {
    expect(shellLine(['aws', 'ssm', 'start-session', '--region', 'eu-west-1'])).toBe(
      'aws ssm start-session --region eu-west-1',
    );
  });
});
