// The application's own MySQL user (item 11 of issue 11): data.yaml's AppDatabaseUser custom
// resource runs code inside the template (AppUserProvisioner, inline in Code.ZipFile). These
// tests take that very code from the parsed template and run it in Node with the RDS Data API and
// Secrets Manager replaced by recorders whose answers follow the API reference shapes:
// ExecuteStatement returns `records`, a list of rows of Field objects ({ stringValue },
// { longValue } ...) (RDS Data API Reference, ExecuteStatement and Field); a custom resource
// answers with a PUT of { Status, Reason, PhysicalResourceId, StackId, RequestId,
// LogicalResourceId, Data } to the presigned ResponseURL (CloudFormation User Guide, "Custom
// resource response objects"). The grants themselves are run against MariaDB by the example
// app's least-privilege test.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { loadTemplate, statementsOf } from '../support-cfn/templates.js';

const data = loadTemplate('data');
const provisioner = data.Resources.AppUserProvisioner!;
const code = (provisioner.Properties?.Code as { ZipFile: string }).ZipFile;
const templateProperties = data.Resources.AppDatabaseUser!.Properties!;
const PRIVILEGES = templateProperties.Privileges as string[];

interface Field {
  stringValue?: string;
  longValue?: number;
}
interface Statement {
  resourceArn: string;
  secretArn: string;
  sql: string;
}
type Handler = (
  event: Record<string, unknown>,
  context: { logStreamName: string },
) => Promise<void>;
type Provision = (
  event: Record<string, unknown>,
  deps: {
    execute: (input: Statement) => Promise<{ records?: Field[][] }>;
    putSecret: (input: { SecretId: string; SecretString: string }) => Promise<unknown>;
  },
) => Promise<{ id: string; data: Record<string, string> }>;

/** Loads the inline code as Lambda does (a CommonJS index.js), with `require` answered by us. */
function load(modules: Record<string, unknown> = {}): { handler: Handler; provision: Provision } {
  const exports: Record<string, unknown> = {};
  const requireStub = (name: string) => {
    if (!(name in modules)) throw new Error(`the test gives no module ${name}`);
    return modules[name];
  };
  new Function('exports', 'require', 'module', code)(exports, requireStub, { exports });
  return exports as unknown as { handler: Handler; provision: Provision };
}

const CLUSTER = 'arn:aws:rds:eu-west-1:123456789012:cluster:staging-db';
const MASTER = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1-AbCdEf';
const APP_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AppUserSecret-1-XyZ';
const GENERATED = 'Q7pLm-generated-by-mysql-2Vw';

const properties = (overrides: Record<string, unknown> = {}) => ({
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:staging-data-app-user',
  ClusterArn: CLUSTER,
  MasterSecretArn: MASTER,
  AppSecretArn: APP_SECRET,
  Database: 'app',
  Username: 'app',
  PasswordGeneration: '1',
  Privileges: PRIVILEGES,
  ...overrides,
});

const event = (
  requestType: 'Create' | 'Update' | 'Delete',
  props = properties(),
  old?: Record<string, unknown>,
) => ({
  RequestType: requestType,
  ResponseURL: 'https://cloudformation-custom-resource-response.example/presigned',
  StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/staging-data/1',
  RequestId: 'request-1',
  LogicalResourceId: 'AppDatabaseUser',
  ResourceType: 'Custom::AppDatabaseUser',
  ...(requestType === 'Create' ? {} : { PhysicalResourceId: `${CLUSTER}/app` }),
  ResourceProperties: props,
  ...(old ? { OldResourceProperties: old } : {}),
});

/** A database whose user exists or not; answers as the Data API would. */
function database(options: { userExists: boolean }) {
  const statements: Statement[] = [];
  const secrets: { SecretId: string; SecretString: string }[] = [];
  const execute = async (input: Statement) => {
    statements.push(input);
    if (input.sql.startsWith('SELECT COUNT(*) FROM mysql.user'))
      return { records: [[{ longValue: options.userExists ? 1 : 0 }]] };
    if (/IDENTIFIED BY RANDOM PASSWORD/.test(input.sql))
      // MySQL 8.0 Reference Manual, "Random password generation": one row of user, host,
      // generated password and auth_factor.
      return {
        records: [
          [
            { stringValue: 'app' },
            { stringValue: '%' },
            { stringValue: GENERATED },
            { longValue: 1 },
          ],
        ],
      };
    return {};
  };
  const putSecret = async (input: { SecretId: string; SecretString: string }) => {
    secrets.push(input);
    return { ARN: input.SecretId, VersionId: 'v2' };
  };
  return {
    statements,
    secrets,
    deps: { execute, putSecret },
    sql: () => statements.map((s) => s.sql),
  };
}

const GRANT = `GRANT ${PRIVILEGES.join(', ')} ON \`app\`.* TO 'app'@'%'`;

describe('AppUserProvisioner: what it runs, as the master user, through the Data API', () => {
  it('creates the user with a password MySQL generates, stores it in the app secret, and grants on the schema only', async () => {
    const db = database({ userExists: false });
    const result = await load().provision(event('Create'), db.deps);
    expect(db.sql()).toEqual([
      "SELECT COUNT(*) FROM mysql.user WHERE user = 'app' AND host = '%'",
      "CREATE USER 'app'@'%' IDENTIFIED BY RANDOM PASSWORD REQUIRE SSL",
      "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'app'@'%'",
      GRANT,
    ]);
    for (const statement of db.statements) {
      expect(statement).toMatchObject({ resourceArn: CLUSTER, secretArn: MASTER });
    }
    expect(db.secrets).toEqual([
      {
        SecretId: APP_SECRET,
        SecretString: JSON.stringify({ username: 'app', password: GENERATED }),
      },
    ]);
    // The password appears in no statement: nothing for the audit log or a Data API trace.
    expect(JSON.stringify(db.statements)).not.toContain(GENERATED);
    expect(result).toEqual({ id: `${CLUSTER}/app`, data: { Username: 'app' } });
  });

  it('a stack update that changes nothing about the user runs nothing but the lookup', async () => {
    const db = database({ userExists: true });
    await load().provision(event('Update', properties(), properties()), db.deps);
    expect(db.sql()).toEqual(["SELECT COUNT(*) FROM mysql.user WHERE user = 'app' AND host = '%'"]);
    expect(db.secrets).toEqual([]);
  });

  it('a new PasswordGeneration gives the user a new password and keeps its grants', async () => {
    const db = database({ userExists: true });
    await load().provision(
      event('Update', properties({ PasswordGeneration: '2' }), properties()),
      db.deps,
    );
    expect(db.sql()).toEqual([
      "SELECT COUNT(*) FROM mysql.user WHERE user = 'app' AND host = '%'",
      "ALTER USER 'app'@'%' IDENTIFIED BY RANDOM PASSWORD REQUIRE SSL",
    ]);
    expect(db.secrets.map((s) => JSON.parse(s.SecretString) as unknown)).toEqual([
      { username: 'app', password: GENERATED },
    ]);
  });

  it('a changed privilege list replaces the grants and leaves the password alone', async () => {
    const db = database({ userExists: true });
    const fewer = PRIVILEGES.filter((p) => p !== 'REFERENCES');
    await load().provision(
      event('Update', properties({ Privileges: fewer }), properties()),
      db.deps,
    );
    expect(db.sql().slice(1)).toEqual([
      "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'app'@'%'",
      `GRANT ${fewer.join(', ')} ON \`app\`.* TO 'app'@'%'`,
    ]);
    expect(db.secrets).toEqual([]);
  });

  it('a create over an existing user (a restored cluster) sets a fresh password and the grants', async () => {
    const db = database({ userExists: true });
    await load().provision(event('Create'), db.deps);
    expect(db.sql().slice(1)).toEqual([
      "ALTER USER 'app'@'%' IDENTIFIED BY RANDOM PASSWORD REQUIRE SSL",
      "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'app'@'%'",
      GRANT,
    ]);
  });

  it('a delete leaves the user with the data (the cluster keeps a final snapshot)', async () => {
    const db = database({ userExists: true });
    await load().provision(event('Delete'), db.deps);
    expect(db.statements).toEqual([]);
  });

  it.each([
    ['Username', "app'@'%' IDENTIFIED BY 'x'; --"],
    ['Username', 'root`'],
    ['Database', 'app`.* TO x; --'],
    ['Privileges', ['ALL; DROP DATABASE app']],
    ['Privileges', []],
  ])('refuses a %s that is not a plain MySQL name before running anything', async (key, value) => {
    const db = database({ userExists: false });
    await expect(
      load().provision(event('Create', properties({ [key]: value })), db.deps),
    ).rejects.toThrow(key === 'Privileges' ? /Privileges/ : new RegExp(key));
    expect(db.statements).toEqual([]);
  });

  it('the template’s own values pass its checks (parameter patterns and privilege names)', async () => {
    const pattern = new RegExp(data.Parameters?.AppUsername?.AllowedPattern as string);
    expect(pattern.test('app')).toBe(true);
    expect(pattern.test("app'")).toBe(false);
    expect(new RegExp(data.Parameters?.DatabaseName?.AllowedPattern as string).test('app`')).toBe(
      false,
    );
    const db = database({ userExists: false });
    await expect(load().provision(event('Create'), db.deps)).resolves.toBeDefined();
  });
});

describe('AppUserProvisioner: the custom resource protocol', () => {
  const responses: {
    url: string;
    init: { method: string; headers: Record<string, string>; body: string };
  }[] = [];
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
    responses.length = 0;
  });
  const captureResponses = () => {
    globalThis.fetch = jest.fn(async (url: unknown, init: unknown) => {
      responses.push({ url: String(url), init: init as (typeof responses)[number]['init'] });
      return new Response(null, { status: 200 });
    }) as unknown as typeof fetch;
  };
  /** SDK clients that record commands and answer through the test database. */
  const sdk = (db: ReturnType<typeof database>) => ({
    '@aws-sdk/client-rds-data': {
      RDSDataClient: class {
        send(command: { input: Statement }) {
          return db.deps.execute(command.input);
        }
      },
      ExecuteStatementCommand: class {
        constructor(readonly input: Statement) {}
      },
    },
    '@aws-sdk/client-secrets-manager': {
      SecretsManagerClient: class {
        send(command: { input: { SecretId: string; SecretString: string } }) {
          return db.deps.putSecret(command.input);
        }
      },
      PutSecretValueCommand: class {
        constructor(readonly input: { SecretId: string; SecretString: string }) {}
      },
    },
  });

  it('answers SUCCESS with a stable physical id and the user name', async () => {
    captureResponses();
    const db = database({ userExists: false });
    await load(sdk(db)).handler(event('Create'), { logStreamName: '2026/12/01/[$LATEST]abc' });
    expect(responses).toHaveLength(1);
    const [response] = responses;
    expect(response?.url).toBe('https://cloudformation-custom-resource-response.example/presigned');
    expect(response?.init.method).toBe('PUT');
    // A presigned S3 URL signs no content type; an empty one keeps fetch from adding its own.
    expect(response?.init.headers).toEqual({ 'content-type': '' });
    expect(JSON.parse(response!.init.body)).toEqual({
      Status: 'SUCCESS',
      Reason: '',
      PhysicalResourceId: `${CLUSTER}/app`,
      StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/staging-data/1',
      RequestId: 'request-1',
      LogicalResourceId: 'AppDatabaseUser',
      Data: { Username: 'app' },
    });
    expect(response!.init.body).not.toContain(GENERATED);
  });

  it('answers FAILED with the reason and where the log is, so the stack operation fails at once', async () => {
    captureResponses();
    const db = database({ userExists: false });
    db.deps.execute = async () => {
      throw new Error('Communications link failure');
    };
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await load(sdk(db)).handler(event('Create'), { logStreamName: 'stream-9' });
    } finally {
      quiet.mockRestore();
    }
    const body = JSON.parse(responses[0]!.init.body) as Record<string, string>;
    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toBe('Communications link failure (log stream stream-9)');
    expect(body.PhysicalResourceId).toBe('AppDatabaseUser');
  });
});

describe('AppUserProvisioner: its role allows exactly what the code calls', () => {
  const statements = (
    data.Resources.AppUserProvisionerRole?.Properties?.Policies as { PolicyDocument: unknown }[]
  ).flatMap((policy) => statementsOf(policy.PolicyDocument));
  const actions = statements.flatMap((s) => [s.Action].flat() as string[]).sort();

  it('Data API statements, reading the master secret (the Data API requires it), writing the app secret, its logs', () => {
    // RDS Data API: "the caller needs rds-data:ExecuteStatement and secretsmanager:GetSecretValue
    // on the secret" (Aurora User Guide, "Authorizing access to RDS Data API").
    expect(code).toContain('ExecuteStatementCommand');
    expect(code).toContain('PutSecretValueCommand');
    expect(actions).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'rds-data:ExecuteStatement',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
    ]);
    const resourceOf = (action: string) =>
      statements.find((s) => [s.Action].flat().includes(action))?.Resource;
    expect(resourceOf('rds-data:ExecuteStatement')).toEqual({
      'Fn::GetAtt': ['DatabaseCluster', 'DBClusterArn'],
    });
    expect(resourceOf('secretsmanager:GetSecretValue')).toEqual({
      'Fn::GetAtt': ['DatabaseCluster', 'MasterUserSecret.SecretArn'],
    });
    expect(resourceOf('secretsmanager:PutSecretValue')).toEqual({ Ref: 'AppUserSecret' });
  });
});
