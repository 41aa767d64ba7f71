"""moto's server mode with the fixes the demo cannot do without (the demo lists each one).

1. A stack created or updated through a change set (provision-stack's only way) has no outputs
   in moto 5.2: CloudFormationBackend.execute_change_set applies the change set's resources
   (ChangeSet.apply -> resource_map.update) but never rebuilds stack.output_map, which
   Stack.update does. DescribeStacks then lists no outputs, and deploy.yml's next stack gets
   empty parameters. Fixed: the outputs are rebuilt after each executed change set, with moto's
   own output evaluation.
2. moto's CloudFormation models of AWS::ECS::TaskDefinition and AWS::ECS::Service pass on only
   a few properties (ecs/models.py create_from_cloudformation_json: Family, ContainerDefinitions,
   Volumes and Memory; Cluster, TaskDefinition and DesiredCount): app.yaml's bootstrap revision
   loses awsvpc, Fargate, CPU and its roles, the service its launch type, network configuration,
   load balancer and tags. Fixed: they pass on every property moto's own RegisterTaskDefinition
   and CreateService take.
3. moto's RunTask adds up each container's memory (ecs/models.py,
   _calculate_task_resource_requirements); a Fargate container without container-level memory,
   which AWS accepts when the task sets Memory (app.yaml's does), makes that None + int: TypeError,
   HTTP 500. Fixed: such a container counts with the task's memory.
4. moto keeps a stack's List and CommaDelimitedList parameters as Python lists
   (ResourceMap.resolved_parameters) and compares and answers them as such: an update that
   changes nothing is never "No updates are to be performed"
   (CloudFormationResponse._validate_different_update compares them with the request's strings),
   so moto makes a change set without changes, which provision-stack then executes; and
   DescribeStacks answers them as lists, not the comma-separated string CloudFormation answers
   (Stack.parameter_list), so provision-stack's fast no-op check sees them changed. Fixed: lists
   are compared and answered as the comma-separated strings CloudFormation takes.
5. moto's ECR gives an image the digest of its layers' digests (ecr/models.py
   Image._create_digest); ECR's digest is the SHA-256 of the manifest itself, which names the
   config (the commit's revision label included), so the next commit's image of the same layers
   gets a new digest, and deploy-ecs-service a new revision. Fixed: the manifest is hashed.
6. moto's stacks keep no Capabilities: CreateStack and CreateChangeSet drop them and
   DescribeStacks answers none, so provision-stack's fast no-op check (the stack's capabilities
   against the step's) never holds for a stack that needs CAPABILITY_IAM. Fixed: a stack keeps
   the capabilities its last CreateStack, UpdateStack or CreateChangeSet gave, as CloudFormation's
   DescribeStacks reports them.
7. Speed only: moto's ValidateTemplate loads every cfn-lint rule anew on each call
   (cloudformation/utils.py, validate_template_cfn_lint → cfnlint.core.get_rules), a second or two
   per call on this machine. The rules are loaded once; what cfn-lint reports is unchanged.
"""
import sys

from moto.cloudformation import models, responses
from moto.cloudformation.exceptions import ValidationError
from moto.ecs import models as ecs
from moto.ecs.models import ecs_backends
import hashlib

from moto.core.utils import pascal_to_camelcase, remap_nested_keys
from moto.ecr import models as ecr


_execute_change_set = models.CloudFormationBackend.execute_change_set


def execute_change_set(self, change_set_name, stack_name=None):
    _execute_change_set(self, change_set_name, stack_name)
    change_set = self.change_sets.get(change_set_name) or next(
        (cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name), None
    )
    if change_set is not None:
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.output_map = stack._create_output_map()


models.CloudFormationBackend.execute_change_set = execute_change_set


def _camel(value):
    return remap_nested_keys(value, pascal_to_camelcase) if value is not None else None


def _tags(properties):
    return [{"key": tag["Key"], "value": tag["Value"]} for tag in properties.get("Tags", [])] or None


def task_definition_from_cloudformation(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    p = cloudformation_json["Properties"]
    return ecs_backends[account_id][region_name].register_task_definition(
        family=p.get("Family", resource_name),
        container_definitions=_camel(p.get("ContainerDefinitions", [])),
        volumes=_camel(p.get("Volumes", [])),
        network_mode=p.get("NetworkMode"),
        tags=_tags(p),
        placement_constraints=_camel(p.get("PlacementConstraints")),
        requires_compatibilities=p.get("RequiresCompatibilities"),
        cpu=p.get("Cpu"),
        memory=p.get("Memory"),
        task_role_arn=p.get("TaskRoleArn"),
        execution_role_arn=p.get("ExecutionRoleArn"),
        runtime_platform=_camel(p.get("RuntimePlatform")),
        ipc_mode=p.get("IpcMode"),
        pid_mode=p.get("PidMode"),
        ephemeral_storage=_camel(p.get("EphemeralStorage")),
    )


def service_from_cloudformation(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    p = cloudformation_json["Properties"]
    cluster = p["Cluster"].name if isinstance(p["Cluster"], ecs.Cluster) else p["Cluster"]
    task_definition = p["TaskDefinition"]
    if isinstance(task_definition, ecs.TaskDefinition):
        task_definition = task_definition.family
    return ecs_backends[account_id][region_name].create_service(
        cluster,
        resource_name,
        p.get("DesiredCount"),
        task_definition_str=task_definition,
        load_balancers=_camel(p.get("LoadBalancers")),
        scheduling_strategy=p.get("SchedulingStrategy"),
        tags=_tags(p),
        deployment_controller=_camel(p.get("DeploymentController")),
        launch_type=p.get("LaunchType"),
        service_registries=_camel(p.get("ServiceRegistries")),
        platform_version=p.get("PlatformVersion"),
        propagate_tags=p.get("PropagateTags", "NONE"),
        network_configuration=_camel(p.get("NetworkConfiguration")),
        role_arn=p.get("Role"),
    )


_resource_requirements = ecs.EC2ContainerServiceBackend._calculate_task_resource_requirements


def calculate_task_resource_requirements(task_definition):
    # On copies: the revision itself (DescribeTaskDefinition) stays as it was registered.
    task_memory = int(task_definition.memory or 0)
    keys = ("memory", "Memory", "memoryReservation", "MemoryReservation")
    registered = task_definition.container_definitions
    task_definition.container_definitions = [
        container if any(key in container for key in keys) else {**container, "memory": task_memory}
        for container in registered
    ]
    try:
        return _resource_requirements(task_definition)
    finally:
        task_definition.container_definitions = registered


ecs.EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(calculate_task_resource_requirements)


def validate_different_update(self, incoming_params, stack_body, old_stack):
    if incoming_params and stack_body:
        old = {
            key: ",".join(str(item) for item in value) if isinstance(value, list) else str(value)
            for key, value in old_stack.stack_parameters.items()
        }
        new = {key: str(value) for key, value in self._get_param_values(incoming_params, old).items()}
        if old_stack.template == stack_body and old == new:
            raise ValidationError(old_stack.name, message="No updates are to be performed.")


responses.CloudFormationResponse._validate_different_update = validate_different_update

_parameter_list = models.Stack.parameter_list.fget


def parameter_list(self):
    return [
        {**parameter, "ParameterValue": ",".join(str(item) for item in parameter["ParameterValue"])}
        if isinstance(parameter["ParameterValue"], list)
        else parameter
        for parameter in _parameter_list(self)
    ]


models.Stack.parameter_list = property(parameter_list)


def create_digest(self):
    manifest = self.image_manifest if isinstance(self.image_manifest, bytes) else self.image_manifest.encode("utf-8")
    self._image_digest = "sha256:" + hashlib.sha256(manifest).hexdigest()


ecr.Image._create_digest = create_digest

def _keeping_capabilities(method):
    def wrapper(self):
        result = method(self)
        name = self._get_param("StackName")
        capabilities = self._get_param("Capabilities", [])
        for stack in self.cloudformation_backend.stacks.values():
            if name in (stack.name, stack.stack_id):
                stack.capabilities = list(capabilities)
        return result

    return wrapper


for _name in ("create_stack", "update_stack", "create_change_set"):
    setattr(responses.CloudFormationResponse, _name, _keeping_capabilities(getattr(responses.CloudFormationResponse, _name)))

_validate_template_cfn_lint = models.validate_template_cfn_lint
_rules_cached = False


def validate_template_cfn_lint(template):
    # cfn-lint is imported on the first validation, as moto does, not when the server starts.
    global _rules_cached
    if not _rules_cached:
        import functools

        import cfnlint.core

        get_rules = cfnlint.core.get_rules

        @functools.lru_cache(maxsize=None)
        def cached(append_rules, ignore_rules, include_rules):
            return get_rules(list(append_rules), list(ignore_rules), list(include_rules))

        cfnlint.core.get_rules = lambda append, ignore, include: cached(tuple(append), tuple(ignore), tuple(include))
        _rules_cached = True
    return _validate_template_cfn_lint(template)


models.validate_template_cfn_lint = validate_template_cfn_lint
ecs.TaskDefinition.create_from_cloudformation_json = classmethod(task_definition_from_cloudformation)
ecs.Service.create_from_cloudformation_json = classmethod(service_from_cloudformation)

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
