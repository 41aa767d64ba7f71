import { describe, expect, it } from '@jest/globals';
import { Inputs } from '../../common/src/inputs.js';
import { checkKnownParameters, planParameters, secretValues } from '../src/parameters.js';
import type { TemplateParameter } from '../src/template.js';

const declared: TemplateParameter[] = [
  { name: 'Env', type: 'String', hasDefault: false, noEcho: false, allowedValues: ['dev', 'prod'] },
  { name: 'DbPassword', type: 'String', hasDefault: false, noEcho: true },
  { name: 'Retention', type: 'Number', hasDefault: true, noEcho: false },
  {
    name: 'Cidr',
    type: 'String',
    hasDefault: true,
    noEcho: false,
    allowedPattern: '\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+',
  },
];

describe('planParameters', () => {
  it('sends the given values and leaves parameters with defaults out on a new stack', () => {
    const plan = planParameters({ declared, given: { Env: 'dev', DbPassword: 'p=a,ss' } });
    expect(plan.parameters).toEqual([
      { ParameterKey: 'Env', ParameterValue: 'dev' },
      { ParameterKey: 'DbPassword', ParameterValue: 'p=a,ss' },
    ]);
    expect(plan.secrets).toEqual(['p=a,ss']);
    expect(plan.kept).toEqual([]);
  });

  it('keeps every deployed parameter that is not given at its previous value', () => {
    const plan = planParameters({
      declared,
      given: { Env: 'prod' },
      deployed: ['Env', 'DbPassword', 'Retention'],
    });
    expect(plan.parameters).toEqual([
      { ParameterKey: 'Env', ParameterValue: 'prod' },
      { ParameterKey: 'DbPassword', UsePreviousValue: true },
      { ParameterKey: 'Retention', UsePreviousValue: true },
    ]);
    expect(plan.kept).toEqual(['DbPassword', 'Retention']);
  });

  it('lists every missing required parameter by name', () => {
    expect(() => planParameters({ declared, given: {} })).toThrow(
      /Input 'parameters'.*missing: Env, DbPassword/,
    );
  });

  it('lists every unknown parameter by name, with the ones the template declares', () => {
    expect(() => checkKnownParameters(declared, { Env: 'dev', Evn: 'x', Colour: 'red' })).toThrow(
      /unknown: Evn, Colour \(the template declares Env, DbPassword, Retention, Cidr\)/,
    );
  });

  it('checks AllowedValues and AllowedPattern, hiding NoEcho values', () => {
    expect(() => checkKnownParameters(declared, { Env: 'staging' })).toThrow(
      /AllowedValues: dev, prod/,
    );
    expect(() => checkKnownParameters(declared, { Cidr: '10.0.0.0' })).toThrow(
      /matching its AllowedPattern/,
    );
    expect(() => checkKnownParameters(declared, { Cidr: '10.0.0.0/16' })).not.toThrow();
    const secret: TemplateParameter[] = [
      { name: 'Key', type: 'String', hasDefault: false, noEcho: true, allowedValues: ['a'] },
    ];
    expect(() => checkKnownParameters(secret, { Key: 'hunter2' })).toThrow(/Key=\*\*\*\*/);
  });

  it('keeps commas and equals signs in values read through the parameters input', () => {
    const inputs = new Inputs((name) =>
      name === 'parameters' ? 'Env=dev\nDbPassword=a=b,c=d' : '',
    );
    const given = inputs.map('parameters');
    expect(planParameters({ declared, given }).parameters[1]).toEqual({
      ParameterKey: 'DbPassword',
      ParameterValue: 'a=b,c=d',
    });
    expect(secretValues(declared, given)).toEqual(['a=b,c=d']);
  });
});
