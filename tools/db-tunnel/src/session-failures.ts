/**
 * What went wrong when `aws ssm start-session` failed, recognised from what the AWS CLI and the
 * Session Manager plugin wrote to stderr, with the fix. Pure: text in, explanation out.
 *
 * The messages (AWS CLI and plugin wording):
 * - `An error occurred (TargetNotConnectedException) when calling the StartSession operation: ...`:
 *   the agent in the task has no channel to Systems Manager (task role, network, agent not up).
 * - `SessionManagerPlugin is not found. Please refer to SessionManager Documentation here: ...`:
 *   the CLI could not run `session-manager-plugin`.
 * - `AccessDeniedException ... ssm:StartSession`: the person's own credentials may not start it.
 * - ECS's "execute command agent isn't running" wording (InvalidParameterException from ECS
 *   ExecuteCommand), seen when the agent died after starting.
 * StartSession errors: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartSession.html#API_StartSession_Errors
 */
import { PLUGIN_INSTALL_URL } from './local-checks.js';

export interface SessionFailure {
  title: string;
  hint: string;
}

export function explainSessionFailure(stderr: string): SessionFailure | undefined {
  if (/SessionManagerPlugin is not found/i.test(stderr)) {
    return {
      title: 'The Session Manager plugin is not installed',
      hint: `Install session-manager-plugin (macOS: brew install --cask session-manager-plugin; others: ${PLUGIN_INSTALL_URL}) so that the aws CLI finds it on PATH, then run db-tunnel again.`,
    };
  }
  if (/TargetNotConnected/i.test(stderr)) {
    return {
      title: 'The tunnel task is not connected to Systems Manager (TargetNotConnectedException)',
      hint: "The ECS Exec agent in the task could not open its channel: the task role needs ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel, and the task's subnets need HTTPS to ssmmessages.<region>.amazonaws.com (a NAT gateway route or an ssmmessages VPC endpoint with private DNS). The preflight lines above say which one is missing.",
    };
  }
  if (/execute command agent isn'?t running|agent (is )?not running/i.test(stderr)) {
    return {
      title: 'The ECS Exec agent is not running in the tunnel task',
      hint: 'The agent stopped after the task started (see the task in the ECS console: its container shows the ExecuteCommandAgent status and reason). Usually the same causes as TargetNotConnectedException: task role permissions or network to ssmmessages.',
    };
  }
  if (/AccessDenied/i.test(stderr) && /StartSession/i.test(stderr)) {
    return {
      title: 'Your credentials may not start a Session Manager session on the task',
      hint: 'Ask for ssm:StartSession on arn:aws:ecs:<region>:<account>:task/<cluster>/* and on the document arn:aws:ssm:<region>::document/AWS-StartPortForwardingSessionToRemoteHost (and ssm:TerminateSession on your own sessions).',
    };
  }
  if (/ExpiredToken|security token included in the request is expired/i.test(stderr)) {
    return {
      title: 'Your AWS credentials expired',
      hint: 'Log in again (aws sso login --profile <profile>, or refresh your credentials) and run db-tunnel again.',
    };
  }
  if (/address already in use|bind: /i.test(stderr)) {
    return {
      title: 'The local port is taken',
      hint: 'Something started listening on the local port after the check; pass another --local-port.',
    };
  }
  return undefined;
}
