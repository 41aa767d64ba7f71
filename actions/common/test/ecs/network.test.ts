/**
 * Copying a service's placement into RunTask fields. Service shapes follow DescribeServices
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html): a service created
 * with a launch type reports an empty capacityProviderStrategy, one created with a strategy no
 * launchType.
 */
import { describe, expect, it } from '@jest/globals';
import type { Service } from '@aws-sdk/client-ecs';
import { ActionError } from '../../src/errors.js';
import { taskPlacementFromService } from '../../src/ecs/network.js';

const fargateService: Service = {
  serviceName: 'api',
  serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/api',
  status: 'ACTIVE',
  launchType: 'FARGATE',
  platformVersion: '1.4.0',
  capacityProviderStrategy: [],
  networkConfiguration: {
    awsvpcConfiguration: {
      subnets: ['subnet-private-a', 'subnet-private-b'],
      securityGroups: ['sg-service'],
      assignPublicIp: 'DISABLED',
    },
  },
};

describe('taskPlacementFromService', () => {
  it('copies subnets, security groups, public IP setting, launch type and platform version', () => {
    const placement = taskPlacementFromService(fargateService);
    expect(placement.networkConfiguration).toEqual({
      awsvpcConfiguration: {
        subnets: ['subnet-private-a', 'subnet-private-b'],
        securityGroups: ['sg-service'],
        assignPublicIp: 'DISABLED',
      },
    });
    expect(placement.launchType).toBe('FARGATE');
    expect(placement.capacityProviderStrategy).toBeUndefined();
    expect(placement.platformVersion).toBe('1.4.0');
    expect(placement.describe.subnets).toBe(
      'subnet-private-a, subnet-private-b (from service api)',
    );
    expect(placement.describe.capacity).toBe('launch type FARGATE, platform version 1.4.0');
  });

  it('uses the capacity provider strategy instead of a launch type when the service has one', () => {
    const placement = taskPlacementFromService({
      ...fargateService,
      launchType: undefined,
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
      ],
    });
    expect(placement.launchType).toBeUndefined();
    expect(placement.capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE', weight: 1, base: 1 },
      { capacityProvider: 'FARGATE_SPOT', weight: 3 },
    ]);
    expect(placement.describe.capacity).toMatch(
      /^capacity providers FARGATE \(weight 1, base 1\), FARGATE_SPOT/,
    );
  });

  it('leaves both out when the service uses the cluster default strategy', () => {
    const placement = taskPlacementFromService({
      ...fargateService,
      launchType: undefined,
      capacityProviderStrategy: [],
      platformVersion: undefined,
    });
    expect(placement).not.toHaveProperty('launchType');
    expect(placement).not.toHaveProperty('capacityProviderStrategy');
    expect(placement).not.toHaveProperty('platformVersion');
    expect(placement.describe.capacity).toBe("the cluster's default capacity provider strategy");
  });

  it('lets the inputs replace subnets and security groups, keeping the rest', () => {
    const placement = taskPlacementFromService(fargateService, {
      subnets: ['subnet-x', ' '],
      securityGroups: ['sg-migrate'],
    });
    expect(placement.networkConfiguration?.awsvpcConfiguration).toEqual({
      subnets: ['subnet-x'],
      securityGroups: ['sg-migrate'],
      assignPublicIp: 'DISABLED',
    });
    expect(placement.describe.subnets).toBe('subnet-x (subnets input)');
    expect(placement.describe.securityGroups).toBe('sg-migrate (security-groups input)');
  });

  it('keeps a public IP only when the service has one', () => {
    const placement = taskPlacementFromService({
      ...fargateService,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-public'], assignPublicIp: 'ENABLED' },
      },
    });
    expect(placement.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('ENABLED');
    // No security groups on the service: none sent, so ECS uses the VPC's default group.
    expect(placement.networkConfiguration?.awsvpcConfiguration).not.toHaveProperty(
      'securityGroups',
    );
  });

  it('refuses a service without awsvpc configuration when no subnets are given, naming the input', () => {
    const bridge: Service = {
      ...fargateService,
      networkConfiguration: undefined,
      launchType: 'EC2',
    };
    expect(() => taskPlacementFromService(bridge)).toThrow(ActionError);
    expect(() => taskPlacementFromService(bridge)).toThrow(
      /Service api has no awsvpc network configuration.*subnets input is empty/,
    );
    const given = taskPlacementFromService(bridge, { subnets: ['subnet-a'] });
    expect(given.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual(['subnet-a']);
    expect(given.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('DISABLED');
  });

  it('sends no network configuration for a task definition outside awsvpc mode', () => {
    const placement = taskPlacementFromService(
      {
        ...fargateService,
        networkConfiguration: undefined,
        launchType: 'EC2',
        platformVersion: undefined,
      },
      { taskNetworkMode: 'bridge' },
    );
    expect(placement).not.toHaveProperty('networkConfiguration');
    expect(placement.launchType).toBe('EC2');
  });
});
