// Gives moto a template it can create: the real template with only what moto's CloudFormation
// cannot do taken out or rewritten (moto-support.mjs says why for each), and what was taken out
// created directly through the service's own API where moto has one (handlers.mjs). References to
// a resource taken out become the values of what the demo created in its place. Every change is
// one line of the returned `lines`; nothing is changed in silence.
import { referencesOf, subVariables, transform } from '../cfn-template.mjs';
import {
  NO_VALUE,
  Pending,
  evaluate,
  evaluateConditions,
  parameterValues,
  withoutPending,
} from '../intrinsics.mjs';
import { ATTRIBUTE_GAPS, CIDR_BECAUSE, unsupportedBecause } from '../moto-support.mjs';

/**
 * @typedef {import('../cfn-template.mjs').Template} Template
 * @typedef {import('../cfn-template.mjs').Resource} Resource
 * @typedef {{ ref: unknown, attributes?: Record<string, unknown>, line: string, created: boolean, properties?: unknown }} Substitute
 * @typedef {{
 *   phase: 'before' | 'after',
 *   create: (context: HandlerContext) => Promise<Substitute>,
 *   complete?: (context: HandlerContext & { created: Substitute }) => Promise<string | undefined>,
 *   update?: (context: HandlerContext & { created: Substitute }) => Promise<{ substitute: Partial<Substitute>, line: string }>,
 * }} Handler
 * @typedef {{
 *   logicalId: string, resource: Resource, because: string, file: string, stackName: string,
 *   properties: () => any, demo: any, scope: import('../intrinsics.mjs').Scope,
 * }} HandlerContext
 * @typedef {{ type: string, physicalId: string }} StackResource
 */

/**
 * @param {{
 *   file: string, stackName: string, template: Template, parameters: Record<string, string>,
 *   motoTypes: Set<string>, handlers: Record<string, Handler>, fallback: Handler, demo: any,
 *   completions?: Record<string, (c: any) => Promise<string | undefined>>,
 *   previous?: Map<string, Substitute>,
 * }} options
 */
export async function prepareForMoto(options) {
  const { file, stackName, template, motoTypes, handlers, fallback, demo } = options;
  const parameters = parameterValues(template.Parameters ?? {}, options.parameters);
  const pseudo = {
    'AWS::Region': demo.region,
    'AWS::AccountId': demo.account,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
  };
  const resources = template.Resources;
  const noResources = () => {
    throw new Error('conditions read parameters only');
  };
  const conditions = evaluateConditions(template.Conditions ?? {}, {
    parameters,
    pseudo,
    mappings: template.Mappings,
    ref: noResources,
    getAtt: noResources,
  });
  const active = (/** @type {string} */ id) => {
    const condition = resources[id]?.Condition;
    return condition === undefined || conditions[condition] === true;
  };

  /**
   * Resources moto cannot create, active or not: none of them goes to moto; nor do resources whose
   * condition is false and that name one of those (nobody creates them, moto would choke on them).
   */
  const takenOut = Object.keys(resources).filter(
    (id) => unsupportedBecause(resources[id], motoTypes) !== undefined,
  );
  for (let grew = true; grew;) {
    grew = false;
    for (const id of Object.keys(resources)) {
      if (takenOut.includes(id) || active(id)) continue;
      if (
        [...referencesOf(resources[id])].some((other) => takenOut.includes(other) && !active(other))
      ) {
        takenOut.push(id);
        grew = true;
      }
    }
  }
  const substitutes = /** @type {Map<string, Substitute>} */ (new Map());
  const after = /** @type {string[]} */ ([]);

  /** @type {import('../intrinsics.mjs').Scope} */
  const beforeScope = {
    parameters,
    pseudo,
    conditions,
    mappings: template.Mappings,
    ref: (id) => {
      if (substitutes.has(id)) return substitutes.get(id)?.ref;
      if (after.includes(id))
        throw new Error(`${id} is created after the stack, yet read before it`);
      if (!(id in resources)) throw new Error(`${file}: Ref to unknown ${id}`);
      return new Pending(`${id}, which the stack creates`);
    },
    getAtt: (id, attribute) => {
      const substitute = substitutes.get(id);
      if (substitute) {
        if (!(attribute in (substitute.attributes ?? {})))
          throw new Error(`${file}: the demo's ${id} has no attribute ${attribute}`);
        return substitute.attributes?.[attribute];
      }
      if (!(id in resources)) throw new Error(`${file}: GetAtt of unknown ${id}`);
      return new Pending(`${id}.${attribute}, which the stack creates`);
    },
  };

  const lines = /** @type {string[]} */ ([]);
  const order = dependencyOrder(takenOut.filter(active), (id) => [
    ...referencesOf(resources[id]),
    ...[resources[id].DependsOn ?? []].flat(),
  ]);
  for (const id of order) {
    const resource = resources[id];
    const handler = handlers[resource.Type] ?? fallback;
    if (handler.phase === 'after') {
      after.push(id);
      continue;
    }
    const context = contextFor({
      id,
      resource,
      file,
      stackName,
      demo,
      scope: beforeScope,
      motoTypes,
    });
    const earlier = options.previous?.get(id);
    if (earlier) {
      // A later release of the same stack: the substitute exists; only a change is applied.
      const now = withoutPending(context.properties()).value;
      if (JSON.stringify(now) === JSON.stringify(earlier.properties)) {
        substitutes.set(id, earlier);
        continue;
      }
      if (!handler.update)
        throw new Error(
          `${file}: ${id}'s properties changed since it was created, and the demo cannot change its substitute`,
        );
      const updated = await handler.update({ ...context, created: earlier });
      substitutes.set(id, { ...earlier, ...updated.substitute, properties: now });
      lines.push(updated.line);
      continue;
    }
    const created = await handler.create(context);
    created.properties = withoutPending(context.properties()).value;
    substitutes.set(id, created);
    lines.push(created.line);
  }

  // The template moto gets.
  const gapsUsed = /** @type {string[]} */ ([]);
  let cidrUses = 0;
  const literal = (
    /** @type {string} */ id,
    /** @type {string | undefined} */ attribute,
    /** @type {string} */ where,
  ) => {
    if (after.includes(id))
      throw new Error(
        `${file}: ${where} reads ${id}, which the demo can only create after the stack: a substitute is needed before it.`,
      );
    const substitute = substitutes.get(id);
    if (!substitute) {
      // Inactive (its condition is false): only an untaken Fn::If branch can name it.
      return `${id}-not-created`;
    }
    if (attribute === undefined) return substitute.ref;
    if (!(attribute in (substitute.attributes ?? {})))
      throw new Error(
        `${file}: ${where} reads ${id}.${attribute}, which the demo's substitute lacks.`,
      );
    return substitute.attributes?.[attribute];
  };
  const rewrite = (/** @type {unknown} */ value, /** @type {string} */ where) =>
    transform(value, (node) => {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
      const object = /** @type {Record<string, any>} */ (node);
      if (typeof object.Ref === 'string' && takenOut.includes(object.Ref))
        return literal(object.Ref, undefined, where);
      if (Array.isArray(object['Fn::GetAtt'])) {
        const [id, attribute] = object['Fn::GetAtt'];
        if (takenOut.includes(id)) return literal(id, attribute, where);
        const gap = ATTRIBUTE_GAPS[resources[id]?.Type]?.[attribute];
        if (gap) {
          gapsUsed.push(
            `GetAtt ${id}.${attribute} (${where}): ${gap.because}; moto gets the subnet's own ${gap.property} expression instead`,
          );
          return rewrite(resources[id].Properties?.[gap.property], where);
        }
      }
      if (Array.isArray(object['Fn::If'])) {
        // A branch that names a resource whose condition is false is never taken: moto gets the
        // branch that is, so no placeholder has to pass for that resource.
        const [condition, whenTrue, whenFalse] = object['Fn::If'];
        const untaken = conditions[condition] ? whenFalse : whenTrue;
        if ([...referencesOf(untaken)].some((id) => takenOut.includes(id) && !active(id)))
          return rewrite(conditions[condition] ? whenTrue : whenFalse, where);
      }
      if ('Fn::Cidr' in object) {
        cidrUses += 1;
        const blocks = evaluate(object, beforeScope);
        if (blocks instanceof Pending) throw new Error(`${file}: Fn::Cidr of ${blocks.what}`);
        return blocks;
      }
      if ('Fn::Sub' in object) return rewriteSub(object['Fn::Sub'], where);
      return undefined;
    });
  const rewriteSub = (/** @type {any} */ sub, /** @type {string} */ where) => {
    const [text, variables] = Array.isArray(sub) ? sub : [sub, {}];
    const extra = /** @type {Record<string, unknown>} */ ({});
    const replaced = String(text).replace(/\$\{([^!}][^}]*)\}/g, (whole, name) => {
      const key = name.trim();
      if (key in variables) return whole;
      const [id, ...rest] = key.split('.');
      const attribute = rest.length > 0 ? rest.join('.') : undefined;
      if (takenOut.includes(id)) return String(literal(id, attribute, where));
      if (attribute && ATTRIBUTE_GAPS[resources[id]?.Type]?.[attribute]) {
        const variable = `${id}${attribute.replace(/\W/g, '')}`;
        extra[variable] = rewrite({ 'Fn::GetAtt': [id, attribute] }, where);
        return `\${${variable}}`;
      }
      return whole;
    });
    const allVariables = { ...rewrite(variables, where), ...extra };
    if (Object.keys(allVariables).length === 0) {
      return subVariables(replaced).length === 0 && !replaced.includes('${!')
        ? replaced
        : { 'Fn::Sub': replaced };
    }
    return { 'Fn::Sub': [replaced, allVariables] };
  };

  /** @type {Template} */
  const forMoto = { ...template, Resources: {} };
  for (const [id, resource] of Object.entries(resources)) {
    if (takenOut.includes(id)) continue;
    const kept = /** @type {Resource} */ (rewrite(resource, `resource ${id}`));
    if (kept.DependsOn !== undefined) {
      const dependsOn = [kept.DependsOn].flat().filter((name) => !takenOut.includes(name));
      if (dependsOn.length === 0) delete kept.DependsOn;
      else kept.DependsOn = dependsOn;
    }
    forMoto.Resources[id] = kept;
  }
  if (template.Outputs) {
    forMoto.Outputs = {};
    for (const [name, output] of Object.entries(template.Outputs)) {
      forMoto.Outputs[name] = rewrite(output, `output ${name}`);
    }
  }
  keepLinterQuiet(forMoto);
  if (cidrUses > 0) {
    lines.unshift(
      `Fn::Cidr (${cidrUses} in ${file}): ${CIDR_BECAUSE}; moto gets the blocks the demo computed (${evaluate(findCidr(template), beforeScope).join(', ')})`,
    );
  }
  lines.push(...new Set(gapsUsed));
  const inactive = takenOut.filter((name) => !active(name));
  if (inactive.length > 0) {
    const each = inactive.map((id) => {
      const type = resources[id].Type;
      const why = unsupportedBecause(resources[id], motoTypes)
        ? `moto has no ${type}`
        : `names ${[...referencesOf(resources[id])].filter((other) => inactive.includes(other)).join(', ')}`;
      return `${id} (${resources[id].Condition}; ${why})`;
    });
    lines.push(
      `${file}: also taken out of what moto gets, though nothing creates them here (their conditions are false): ${each.join(', ')}`,
    );
  }

  /**
   * After the stack: creates what needs the stack's own resources, and completes what was
   * created before it without them.
   * @param {{ stackResources: Record<string, StackResource> }} stack
   */
  const finish = async ({ stackResources }) => {
    const afterLines = /** @type {string[]} */ ([]);
    const afterScope = {
      ...beforeScope,
      ref: (/** @type {string} */ id) => {
        if (substitutes.has(id)) return substitutes.get(id)?.ref;
        const found = stackResources[id];
        if (!found) throw new Error(`${file}: the stack has no ${id}`);
        return found.physicalId;
      },
      getAtt: (/** @type {string} */ id, /** @type {string} */ attribute) => {
        if (substitutes.has(id)) return beforeScope.getAtt(id, attribute);
        const found = stackResources[id];
        if (!found) throw new Error(`${file}: the stack has no ${id}`);
        return attributeOf({ ...found, id, attribute, demo });
      },
    };
    for (const [id, resource] of Object.entries(forMoto.Resources)) {
      if (options.previous) break; // done by the release that created the stack
      const complete = options.completions?.[resource.Type];
      if (!complete || !stackResources[id]) continue;
      const properties = evaluate(resources[id].Properties ?? {}, afterScope);
      const line = await complete({
        logicalId: id,
        file,
        physicalId: stackResources[id].physicalId,
        properties,
        demo,
      });
      if (line) afterLines.push(line);
    }
    for (const id of order) {
      // What an earlier release made after its stack is there already.
      if (options.previous?.has(id)) continue;
      const resource = resources[id];
      const handler = handlers[resource.Type] ?? fallback;
      const context = contextFor({
        id,
        resource,
        file,
        stackName,
        demo,
        scope: afterScope,
        motoTypes,
      });
      if (handler.phase === 'after') {
        const created = await handler.create(context);
        substitutes.set(id, created);
        afterLines.push(created.line);
      } else if (handler.complete) {
        const line = await handler.complete({
          ...context,
          created: /** @type {Substitute} */ (substitutes.get(id)),
        });
        if (line) afterLines.push(line);
      }
    }
    return afterLines;
  };

  return { template: forMoto, lines, finish, substitutes };
}

/**
 * moto validates templates with cfn-lint and refuses warnings too; taking resources out leaves
 * parameters, conditions and mappings that only they used. Naming those in the template's
 * Metadata (which nothing creates anything from) keeps them "used" for the linter, and says why.
 * @param {Template} template
 */
function keepLinterQuiet(template) {
  const body = {
    Resources: template.Resources,
    Outputs: template.Outputs,
    Conditions: template.Conditions,
  };
  const referenced = referencesOf(body);
  const conditionsUsed = new Set();
  const mappingsUsed = new Set();
  transform(body, (node) => {
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      const object = /** @type {Record<string, any>} */ (node);
      if (typeof object.Condition === 'string') conditionsUsed.add(object.Condition);
      if (Array.isArray(object['Fn::If'])) conditionsUsed.add(object['Fn::If'][0]);
      if (Array.isArray(object['Fn::FindInMap'])) mappingsUsed.add(object['Fn::FindInMap'][0]);
    }
    return undefined;
  });
  const parameters = Object.keys(template.Parameters ?? {}).filter((name) => !referenced.has(name));
  const conditions = Object.keys(template.Conditions ?? {}).filter(
    (name) => !conditionsUsed.has(name),
  );
  const mappings = Object.keys(template.Mappings ?? {}).filter((name) => !mappingsUsed.has(name));
  if (parameters.length + conditions.length + mappings.length === 0) return;
  template.Metadata = {
    ...template.Metadata,
    ThreeTierDemo: {
      Note: 'Used only by what the demo took out of this template for moto (scripts/demo/substitutes)',
      Parameters: parameters.map((name) => ({ Ref: name })),
      Conditions: conditions.map((name) => ({ 'Fn::If': [name, true, false] })),
      Mappings: mappings.map((name) => ({
        Name: name,
        Keys: Object.keys(template.Mappings?.[name] ?? {}),
      })),
    },
  };
  // A mapping counts as used when something reads it: read one value of each.
  for (const name of mappings) {
    const [first] = Object.keys(template.Mappings?.[name] ?? {});
    const [second] = Object.keys(template.Mappings?.[name]?.[first] ?? {});
    template.Metadata.ThreeTierDemo.Mappings.push({ 'Fn::FindInMap': [name, first, second] });
  }
}

/**
 * @param {{ id: string, resource: Resource, file: string, stackName: string, demo: any,
 *   scope: import('../intrinsics.mjs').Scope, motoTypes: Set<string> }} options
 * @returns {HandlerContext}
 */
function contextFor({ id, resource, file, stackName, demo, scope, motoTypes }) {
  return {
    logicalId: id,
    resource,
    file,
    stackName,
    demo,
    scope,
    because: /** @type {string} */ (unsupportedBecause(resource, motoTypes)),
    properties: () => {
      const value = evaluate(resource.Properties ?? {}, scope);
      return value === NO_VALUE ? {} : value;
    },
  };
}

/** The ids in an order where each comes after the ids (of the same list) it refers to. */
function dependencyOrder(
  /** @type {string[]} */ ids,
  /** @type {(id: string) => string[]} */ dependsOn,
) {
  const ordered = /** @type {string[]} */ ([]);
  const visit = (/** @type {string} */ id, /** @type {string[]} */ trail) => {
    if (ordered.includes(id) || trail.includes(id)) return;
    for (const other of dependsOn(id)) if (ids.includes(other)) visit(other, [...trail, id]);
    ordered.push(id);
  };
  for (const id of ids) visit(id, []);
  return ordered;
}

function findCidr(/** @type {unknown} */ value) {
  /** @type {unknown} */
  let found;
  transform(value, (node) => {
    if (!found && node && typeof node === 'object' && 'Fn::Cidr' in node) found = node;
    return undefined;
  });
  return found;
}

/**
 * Attributes of resources moto created, for what the demo creates after the stack: from the
 * physical id where AWS defines them by it, else an error naming what is missing.
 * @param {{ id: string, type: string, physicalId: string, attribute: string, demo: any }} options
 */
function attributeOf({ id, type, physicalId, attribute, demo }) {
  const byType = /** @type {Record<string, Record<string, (physicalId: string) => string>>} */ ({
    'AWS::S3::Bucket': {
      Arn: (name) => `arn:aws:s3:::${name}`,
      DomainName: (name) => `${name}.s3.amazonaws.com`,
      RegionalDomainName: (name) => `${name}.s3.${demo.region}.amazonaws.com`,
    },
    'AWS::ECS::Service': {
      // moto's physical id of a service is its ARN (…:service/<cluster>/<name>).
      Name: (arn) => arn.split('/').pop() ?? arn,
    },
    'AWS::ECS::Cluster': {
      Arn: (name) => `arn:aws:ecs:${demo.region}:${demo.account}:cluster/${name}`,
    },
    // moto's physical id of a role is its name.
    'AWS::IAM::Role': { Arn: (name) => `arn:aws:iam::${demo.account}:role/${name}` },
  });
  const read = byType[type]?.[attribute];
  if (!read) throw new Error(`The demo cannot read ${id}.${attribute} (${type}) after the stack.`);
  return read(physicalId);
}
