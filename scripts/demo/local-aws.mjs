// The demo's local AWS: moto's server mode on 127.0.0.1, started through moto_fixed.py, which
// fixes two things in moto's CloudFormation the release cannot do without (the file says where
// and why; MOTO_FIXES says it to the user). Otherwise it is moto as the tests run it
// (test-support/moto-server.mjs).
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMoto } from '../../test-support/moto-server.mjs';

const PATCH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'moto_fixed.py');

/** One line per fix in moto_fixed.py. */
export const MOTO_FIXES = [
  "Stack capabilities: moto's CreateStack and CreateChangeSet drop them and DescribeStacks answers none (cloudformation/models.py Stack has no capabilities), so provision-stack's fast no-op check never holds for a stack that needs CAPABILITY_IAM; the demo's moto keeps what each call gave, as CloudFormation reports them (scripts/demo/moto_fixed.py)",
  "Speed only: moto's ValidateTemplate loads every cfn-lint rule anew on each call (cloudformation/utils.py); the demo's moto loads them once, and cfn-lint's findings are the same (scripts/demo/moto_fixed.py)",
  "Image digests: moto's ECR hashes only an image's layer digests (ecr/models.py Image._create_digest), so the next commit's image of the same layers would get the same digest; ECR hashes the manifest itself (the config, the commit's revision label included), and so does the demo's moto (scripts/demo/moto_fixed.py)",
  'Stacks with List or CommaDelimitedList parameters: moto keeps them as lists (cloudformation/parsing.py resolved_parameters), so an update that changes nothing is never "No updates are to be performed" (responses.py _validate_different_update) and DescribeStacks answers them as lists (models.py Stack.parameter_list), which provision-stack\'s fast no-op check reads as changed; the demo\'s moto compares and answers them as the comma-separated strings CloudFormation takes (scripts/demo/moto_fixed.py)',
  "Stack outputs after a change set: moto's execute_change_set (cloudformation/models.py) applies a change set's resources but never rebuilds the stack's outputs, so DescribeStacks lists none after provision-stack; the demo's moto rebuilds them with moto's own evaluation (scripts/demo/moto_fixed.py)",
  "RunTask of a Fargate revision without container-level memory (app.yaml's, valid on AWS): moto's _calculate_task_resource_requirements (ecs/models.py) adds None to an int, TypeError, HTTP 500; the demo's moto counts such a container with the task's memory (scripts/demo/moto_fixed.py)",
  "AWS::ECS::TaskDefinition BootstrapTaskDefinition and AWS::ECS::Service Service (app.yaml): moto's CloudFormation passes on only Family, ContainerDefinitions, Volumes, Memory and Cluster, TaskDefinition, DesiredCount (ecs/models.py create_from_cloudformation_json), so the revision would lose awsvpc, Fargate, CPU and its roles and the service its launch type, network and load balancer; the demo's moto passes on every property its RegisterTaskDefinition and CreateService take (scripts/demo/moto_fixed.py)",
];

/** @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>} */
export function startLocalAws() {
  return startMoto({
    script: PATCH,
    // DEMO_MOTO_LOG=<file> keeps moto's own log (its tracebacks say why a call failed).
    onStderr: (chunk) => {
      if (process.env.DEMO_MOTO_LOG) appendFileSync(process.env.DEMO_MOTO_LOG, chunk);
    },
  });
}
