/**
 * The service-deployment calls (ListServiceDeployments, DescribeServiceDeployments,
 * DescribeServiceRevisions), with one rule on top: when a call turns out not to exist here (the
 * local AWS answers HTTP 500 with no AWS error, an old endpoint answers UnknownOperation, the role
 * may not call it), it is marked unavailable once and never asked again in this run; callers then
 * follow the deployment through DescribeServices instead. Without that rule every poll would pay
 * the SDK's retries of a call that can never answer.
 *
 * API pages: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceDeployments.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceRevisions.html.
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
} from '@aws-sdk/client-ecs';
import { awsErrorCode, errorMessage } from '../errors.js';

/** Codes that mean "this endpoint or this role cannot make the call", not "try again". */
const UNAVAILABLE_CODES = new Set([
  'UnknownOperationException',
  'InvalidAction',
  'NotImplemented',
  'UnsupportedFeatureException',
  'AccessDeniedException',
  'AccessDenied',
]);

/**
 * True for an error that says the call is missing rather than failing: an unavailable code, or
 * an HTTP 5xx/501 that carried no AWS error at all (moto answers an HTML 500 page for operations it
 * lacks; the SDK then reports a deserialisation error with the status in $metadata).
 */
export function isUnavailableCall(error: unknown): boolean {
  const code = awsErrorCode(error);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  if (status === 501) return true;
  if (status !== undefined && status >= 500) {
    return (
      code === 'SyntaxError' ||
      code === 'UnknownError' ||
      code === 'Error' ||
      /not (?:been )?implemented|deserialization error/i.test(errorMessage(error))
    );
  }
  return false;
}

export interface ServiceDeploymentApi {
  /** False once a call turned out to be missing; undefined until the first call answered. */
  readonly available: boolean | undefined;
  /** Why it is unavailable, for one log line. */
  readonly unavailableReason: string | undefined;
  /** The service's deployments created at or after `since`, newest first; undefined when unavailable. */
  list(options: {
    cluster: string;
    service: string;
    since: Date;
    abortSignal?: AbortSignal;
  }): Promise<ServiceDeploymentBrief[] | undefined>;
  /** One service deployment; undefined when unavailable or not found. */
  describe(options: {
    arn: string;
    abortSignal?: AbortSignal;
  }): Promise<ServiceDeployment | undefined>;
  /** The task definition of each service revision; an empty map when unavailable. */
  taskDefinitionsOf(options: {
    revisionArns: string[];
    abortSignal?: AbortSignal;
  }): Promise<Map<string, string>>;
}

/**
 * `ecs` should be a client with few retries (see the action's clients): a missing call is
 * recognised after its first answer, not after eight backed-off attempts.
 */
export function serviceDeploymentApi(ecs: ECSClient): ServiceDeploymentApi {
  let available: boolean | undefined;
  let unavailableReason: string | undefined;
  // DescribeServiceRevisions only names a rollback's target: its own flag, so a role that may not
  // call it still follows deployments through the other two.
  let revisionsAvailable = true;
  async function attempt<T>(call: () => Promise<T>): Promise<T | undefined> {
    if (available === false) return undefined;
    try {
      const result = await call();
      available = true;
      return result;
    } catch (error) {
      if (isUnavailableCall(error)) {
        available = false;
        unavailableReason = `${awsErrorCode(error) ?? 'error'}: ${errorMessage(error).split('\n')[0]}`;
        return undefined;
      }
      throw error;
    }
  }
  return {
    get available() {
      return available;
    },
    get unavailableReason() {
      return unavailableReason;
    },
    async list({ cluster, service, since, abortSignal }) {
      const answer = await attempt(() =>
        ecs.send(
          new ListServiceDeploymentsCommand({ cluster, service, createdAt: { after: since } }),
          { abortSignal },
        ),
      );
      if (!answer) return undefined;
      return [...(answer.serviceDeployments ?? [])].sort(
        (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0),
      );
    },
    async describe({ arn, abortSignal }) {
      const answer = await attempt(() =>
        ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), {
          abortSignal,
        }),
      );
      return answer?.serviceDeployments?.find((d) => d.serviceDeploymentArn === arn);
    },
    async taskDefinitionsOf({ revisionArns, abortSignal }) {
      const result = new Map<string, string>();
      if (revisionArns.length === 0 || available === false || !revisionsAvailable) return result;
      let answer;
      try {
        answer = await ecs.send(
          new DescribeServiceRevisionsCommand({ serviceRevisionArns: revisionArns.slice(0, 20) }),
          { abortSignal },
        );
      } catch (error) {
        if (!isUnavailableCall(error)) throw error;
        revisionsAvailable = false;
        return result;
      }
      for (const revision of answer?.serviceRevisions ?? []) {
        if (revision.serviceRevisionArn && revision.taskDefinition)
          result.set(revision.serviceRevisionArn, revision.taskDefinition);
      }
      return result;
    },
  };
}
