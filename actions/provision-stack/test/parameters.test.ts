import { describe, expect, it } from '@jest/globals';
import { Inputs } from '../../common/src/inputs.js';
import {
  checkKnownParameters,
  commaJoinedParameters,
  planParameters,
  secretValues,
  type ValueConstraints,
} from '../src/parameters.js';
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

// Rules: "CloudFormation template Parameters syntax",
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
// ("When applied to a parameter of type CommaDelimitedList, the pattern must match each value in
// the list"; "each member string is space trimmed"; MinLength/MaxLength for String types,
// MinValue/MaxValue for Number types; Number is "an integer or float").
describe('checkKnownParameters: each item of a list parameter (issue 10 #3)', () => {
  const lists: TemplateParameter[] = [
    {
      name: 'Ids',
      type: 'CommaDelimitedList',
      hasDefault: true,
      noEcho: false,
      allowedPattern: '^sg-[0-9a-f]+$',
    },
    {
      name: 'Groups',
      type: 'List<AWS::EC2::SecurityGroup::Id>',
      hasDefault: true,
      noEcho: false,
      allowedPattern: 'sg-[0-9a-f]+',
    },
    {
      name: 'Envs',
      type: 'CommaDelimitedList',
      hasDefault: true,
      noEcho: false,
      allowedValues: ['dev', 'prod', 'test'],
    },
    // An SSM parameter type: the value given is the Parameter Store name, not the list.
    {
      name: 'FromSsm',
      type: 'AWS::SSM::Parameter::Value<List<String>>',
      hasDefault: true,
      noEcho: false,
      allowedPattern: '^[a-z]+$',
    },
    { name: 'Plain', type: 'String', hasDefault: true, noEcho: false, allowedPattern: '[a-z]+' },
  ];

  it('accepts items that each match, space-trimmed', () => {
    expect(() =>
      checkKnownParameters(lists, {
        Ids: 'sg-0a1,sg-0b2',
        Groups: 'sg-0a1, sg-0b2',
        Envs: 'dev,prod',
        FromSsm: '/team/subnets',
        Plain: 'abc',
      }),
    ).not.toThrow();
  });

  it('refuses the item that does not match, naming it and its place', () => {
    expect(() => checkKnownParameters(lists, { Ids: 'sg-0a1,bad' })).toThrow(
      /got "Ids=sg-0a1,bad"; expected each item of Ids \(a CommaDelimitedList\) matching its AllowedPattern \^sg-\[0-9a-f\]\+\$ \(item 2 of 2 is "bad"\)/,
    );
    expect(() => checkKnownParameters(lists, { Envs: 'dev,qa' })).toThrow(
      /each item of Envs \(a CommaDelimitedList\) among its AllowedValues: dev, prod, test \(item 2 of 2 is "qa"\)/,
    );
  });

  it('still tests a String with a comma as one value', () => {
    expect(() => checkKnownParameters(lists, { Plain: 'a,b' })).toThrow(/AllowedPattern/);
  });
});

describe('checkKnownParameters: Number and length/range constraints locally (issue 16 #11)', () => {
  const typed: (TemplateParameter & ValueConstraints)[] = [
    { name: 'Count', type: 'Number', hasDefault: true, noEcho: false, minValue: 1, maxValue: 10 },
    { name: 'Ratio', type: 'Number', hasDefault: true, noEcho: false },
    { name: 'Ports', type: 'List<Number>', hasDefault: true, noEcho: false, maxValue: 65535 },
    { name: 'Name', type: 'String', hasDefault: true, noEcho: false, minLength: 3, maxLength: 5 },
    { name: 'Pin', type: 'String', hasDefault: true, noEcho: true, minLength: 4 },
  ];
  const check = (given: Record<string, string>) => () => checkKnownParameters(typed, given);

  it.each(['12', '-1.5', '1e3', '.5', '+3'])('accepts the number %j', (value) => {
    expect(check({ Ratio: value })).not.toThrow();
  });

  it.each(['12a', '0x1F', '', ' ', 'Infinity', '1,5'])('refuses %j for a Number', (value) => {
    expect(check({ Ratio: value })).toThrow(/a number for Ratio \(its Type is Number\)/);
  });

  it('checks MinValue and MaxValue', () => {
    expect(check({ Count: '10' })).not.toThrow();
    expect(check({ Count: '1' })).not.toThrow();
    expect(check({ Count: '0' })).toThrow(/Count from 1 to 10 \(MinValue 1, MaxValue 10\)/);
    expect(check({ Count: '11' })).toThrow(/Count from 1 to 10/);
  });

  it('checks each number of a List<Number>', () => {
    expect(check({ Ports: '80, 443' })).not.toThrow();
    expect(check({ Ports: '80,x' })).toThrow(/a number for each item of Ports.*item 2 of 2 is "x"/);
    expect(check({ Ports: '80,70000' })).toThrow(
      /of at most 65535 \(MaxValue 65535\) \(item 2 of 2 is "70000"\)/,
    );
  });

  it('checks MinLength and MaxLength in characters, hiding NoEcho values', () => {
    expect(check({ Name: 'abc' })).not.toThrow();
    expect(check({ Name: 'ééé' })).not.toThrow();
    expect(check({ Name: 'ab' })).toThrow(
      /Name of 3 to 5 characters \(MinLength 3, MaxLength 5; it has 2\)/,
    );
    expect(check({ Name: 'abcdef' })).toThrow(/it has 6/);
    const error = check({ Pin: '123' });
    expect(error).toThrow(/got "Pin=\*\*\*\*"; expected a value of Pin of at least 4 characters/);
  });
});

describe('commaJoinedParameters (issue 16 #10)', () => {
  const names: TemplateParameter[] = [
    { name: 'Version', type: 'String', hasDefault: false, noEcho: false },
    { name: 'Account', type: 'String', hasDefault: true, noEcho: false },
    { name: 'Secret', type: 'String', hasDefault: true, noEcho: true },
  ];

  it('warns when a value holds ,<declared parameter>=, the form of another deploy action', () => {
    expect(commaJoinedParameters(names, { Version: '2,Account=111111111111' })).toEqual([
      "The value of Version holds ',Account=': one line sets one parameter, so Version is sent with all of it and Account is not set by it. If two parameters were meant, put Account=… on a line of its own.",
    ]);
  });

  it('never prints a NoEcho value, and ignores commas that name no parameter', () => {
    const warnings = commaJoinedParameters(names, {
      Secret: 'p4ss, Version=3',
      Account: 'a,b=c',
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^The value of Secret \(NoEcho\) holds a comma, a declared parameter's name and =: /,
    );
    expect(warnings[0]).not.toMatch(/p4ss|Version/);
  });
});

describe('planParameters with UsePreviousValue from a parameter file (issue 16 #1)', () => {
  it('keeps a kept parameter at its deployed value and lists it', () => {
    const plan = planParameters({
      declared,
      given: { DbPassword: 'x' },
      kept: ['Env'],
      deployed: ['Env', 'DbPassword'],
    });
    expect(plan.parameters).toEqual([
      { ParameterKey: 'Env', UsePreviousValue: true },
      { ParameterKey: 'DbPassword', ParameterValue: 'x' },
    ]);
    expect(plan.kept).toEqual(['Env']);
  });

  it('refuses to keep what the stack does not have yet, naming it', () => {
    expect(() => planParameters({ declared, given: { DbPassword: 'x' }, kept: ['Env'] })).toThrow(
      /a ParameterValue for Env: UsePreviousValue keeps the deployed value, and the stack has none yet/,
    );
  });

  it('refuses to keep a parameter the template does not declare', () => {
    expect(() => checkKnownParameters(declared, { Env: 'dev' }, ['Colour'])).toThrow(
      /unknown: Colour/,
    );
  });
});
