import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { Inputs } from '../../src/inputs.js';
import { readClusterAndService, readContainerName, readEnvironment } from '../../src/ecs/inputs.js';

const from = (values: Record<string, string>): Inputs => new Inputs((name) => values[name] ?? '');

describe('ECS input readers shared by deploy-ecs-service and run-db-migration-via-task', () => {
  it('accepts cluster and service names or ARNs, under the names the action uses', () => {
    expect(
      readClusterAndService(
        from({
          cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod-app',
          service: 'prod-api',
        }),
      ),
    ).toEqual({
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod-app',
      service: 'prod-api',
    });
    expect(() => readClusterAndService(from({ cluster: 'prod app', service: 'api' }))).toThrow(
      "Input 'cluster'",
    );
    expect(() => readClusterAndService(from({ cluster: 'prod' }))).toThrow("Input 'service'");
  });

  it('reads an optional container name and refuses one ECS could not hold', () => {
    expect(readContainerName(from({}))).toBeUndefined();
    expect(readContainerName(from({ 'container-name': 'api' }))).toBe('api');
    expect(() => readContainerName(from({ 'container-name': 'api/web' }))).toThrow(InputError);
  });

  it('keeps environment values as given and refuses a key that is not a variable name, without repeating values', () => {
    expect(
      readEnvironment(from({ environment: 'DB_URL=mysql://a:b@host/db?x=1\nEMPTY=' })),
    ).toEqual({
      DB_URL: 'mysql://a:b@host/db?x=1',
      EMPTY: '',
    });
    const error = (() => {
      try {
        readEnvironment(from({ environment: '1BAD=secret-value' }));
      } catch (caught) {
        return caught as InputError;
      }
      throw new Error('no error');
    })();
    expect(error.message).toContain('"1BAD" is not');
    expect(error.message).not.toContain('secret-value');
  });
});
