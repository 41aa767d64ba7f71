/**
 * DescribeTasks task shapes as the API reference documents them
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html,
 * API_Container.html: runtimeId, managedAgents; API_ManagedAgent.html: name ExecuteCommandAgent,
 * lastStatus, reason). On Fargate a container's runtimeId is `<task-id>-<number>`, as the AWS CLI
 * shows it in the target it builds for `ecs execute-command`.
 */
import type { Container, ManagedAgent, Task } from '@aws-sdk/client-ecs';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
export const TASK_ID = '7412261320c54ef9a1ae606175e9bec1';
export const TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${TASK_ID}`;
export const RUNTIME_ID = `${TASK_ID}-3811061257`;

export function agent(lastStatus: string, reason?: string): ManagedAgent {
  return {
    name: 'ExecuteCommandAgent',
    lastStatus,
    ...(reason ? { reason } : {}),
    lastStartedAt: new Date('2026-11-30T10:00:05Z'),
  };
}

export function container(overrides: Partial<Container> = {}): Container {
  return {
    containerArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container/prod/${TASK_ID}/0a1b2c3d-0000-4000-8000-000000000001`,
    taskArn: TASK_ARN,
    name: 'api',
    image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/prod/api:v1.4.0`,
    lastStatus: 'RUNNING',
    runtimeId: RUNTIME_ID,
    managedAgents: [agent('RUNNING')],
    healthStatus: 'UNKNOWN',
    ...overrides,
  };
}

export function task(overrides: Partial<Task> = {}): Task {
  return {
    taskArn: TASK_ARN,
    clusterArn: CLUSTER_ARN,
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/prod-api:8`,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    enableExecuteCommand: true,
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    startedBy: 'db-tunnel/alice-example-com',
    containers: [container()],
    ...overrides,
  };
}
