// What moto's CloudFormation can and cannot do with our templates, and why (moto 5.2, read in its
// source: moto/cloudformation/parsing.py and the models' get_cfn_attribute):
// - resource types: only the models moto registers (parsing.get_model_map()). Any other type is
//   skipped with the warning "No Moto CloudFormation support for <type>"; when an output reads an
//   attribute of one, ResourceMap.validate_outputs fails with AttributeError ('NoneType' object
//   has no attribute 'has_cfn_attr') and CreateStack/CreateChangeSet answer HTTP 500.
// - Custom:: resources: moto invokes their Lambda function, which needs Docker (none here).
// - AWS::RDS::DBInstance of an Aurora cluster: DBInstance.create_from_cloudformation_json leaves
//   DBClusterIdentifier out of what it passes on, so the instance is made stand-alone, and
//   DBInstance.__init__ looks up default_engine_versions['aurora-mysql']: KeyError, HTTP 500.
// - Fn::Cidr: clean_json has no case for it, so `!Select [0, !Cidr ...]` indexes the unevaluated
//   {'Fn::Cidr': ...} dict and fails with KeyError: 0 (HTTP 500) — network.yaml's subnets.
// - GetAtt <Subnet>.AvailabilityZone: moto's Subnet.get_cfn_attribute raises NotImplementedError,
//   which clean_json swallows, leaving the {'Fn::GetAtt': ...} dict in the value: network.yaml's
//   AvailabilityZones output would read "{'Fn::GetAtt': ['PrivateSubnetA', 'AvailabilityZone']},…".
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../test-support/action-runner.mjs';
import { MOTO_PYTHON } from '../../test-support/moto-server.mjs';

const CACHE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'three-tier-demo');

/**
 * The resource types moto's CloudFormation creates, asked of the installed moto (cached per moto
 * version: importing every moto backend takes seconds).
 * @returns {Promise<{ version: string, types: Set<string> }>}
 */
export async function motoResourceTypes() {
  const run = promisify(execFile);
  const version = (
    await run(MOTO_PYTHON, ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' })
  ).stdout.trim();
  const cache = path.join(CACHE_DIR, `moto-${version}-resource-types.json`);
  try {
    return { version, types: new Set(JSON.parse(readFileSync(cache, 'utf8'))) };
  } catch {
    // not cached yet
  }
  const { stdout } = await run(
    MOTO_PYTHON,
    [
      '-c',
      'import json; from moto.cloudformation.parsing import get_model_map; print(json.dumps(sorted(get_model_map())))',
    ],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const types = JSON.parse(stdout);
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(cache, JSON.stringify(types));
  return { version, types: new Set(types) };
}

/**
 * Why moto's CloudFormation does not create this resource, or undefined if it does.
 * @param {{ Type: string, Properties?: Record<string, unknown> }} resource
 * @param {Set<string>} types moto's resource types
 */
export function unsupportedBecause(resource, types) {
  const type = resource.Type;
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource')
    return 'moto runs a custom resource by invoking its Lambda function in Docker, and there is no Docker here';
  if (!types.has(type))
    return `moto's CloudFormation has no ${type} (not in parsing.get_model_map())`;
  if (type === 'AWS::RDS::DBInstance' && resource.Properties?.DBClusterIdentifier !== undefined)
    return "moto's CloudFormation drops DBClusterIdentifier (rds DBInstance.create_from_cloudformation_json), so an Aurora instance fails with KeyError 'aurora-mysql', HTTP 500";
  return undefined;
}

/**
 * Attributes moto's models do not return although the type is supported: GetAtt of them is
 * replaced with the property the attribute mirrors, which moto does evaluate.
 * @type {Record<string, Record<string, { property: string, because: string }>>}
 */
export const ATTRIBUTE_GAPS = {
  'AWS::EC2::Subnet': {
    AvailabilityZone: {
      property: 'AvailabilityZone',
      because:
        "moto's Subnet.get_cfn_attribute raises NotImplementedError for AvailabilityZone and leaves the unevaluated GetAtt in the value",
    },
  },
};

export const CIDR_BECAUSE =
  "moto's CloudFormation has no Fn::Cidr (parsing.clean_json): Fn::Select then indexes the unevaluated function and fails with KeyError: 0, HTTP 500";
