/**
 * What a person types into MySQL Workbench's "Setup New Connection" dialog, and the command that
 * shows the password. The tunnel never reads the secret: the password goes from Secrets Manager
 * to the person's own terminal through their own credentials, never through this tool's output.
 *
 * TLS: the cluster sets require_secure_transport (data.yaml), so a connection without TLS is
 * refused. Workbench's "Require" encrypts without checking the certificate; "Require and Verify
 * CA" also works with the RDS CA bundle; "Verify Identity" fails here, because the name on the
 * certificate is the cluster endpoint, not 127.0.0.1.
 */
import type { TunnelEnvironment } from './environment.js';
import { shellLine } from './session.js';

export function passwordCommand(options: {
  secretArn: string;
  region: string;
  profile?: string;
}): string {
  return shellLine([
    'aws',
    'secretsmanager',
    'get-secret-value',
    '--secret-id',
    options.secretArn,
    '--query',
    'SecretString',
    '--output',
    'text',
    '--region',
    options.region,
    ...(options.profile ? ['--profile', options.profile] : []),
  ]);
}

export function workbenchSettings(options: {
  environment: TunnelEnvironment;
  localPort: number;
  region: string;
  profile?: string;
}): string[] {
  const { environment } = options;
  return [
    `MySQL Workbench: Database > Manage Connections > New (or the + next to "MySQL Connections")`,
    `  Connection Name:    ${environment.name} (through db-tunnel)`,
    `  Connection Method:  Standard (TCP/IP)`,
    `  Hostname:           127.0.0.1`,
    `  Port:               ${options.localPort}`,
    `  Username:           ${environment.username ?? '(the "username" in the secret below)'}${environment.user === 'master' ? " (the master user; --user app for the application's own)" : " (the application's user: its schema only)"}`,
    `  Password:           Store in Keychain / Vault... : the "password" in the secret below`,
    `  Default Schema:     ${environment.databaseName ?? '(leave empty)'}`,
    `  SSL tab > Use SSL:  Require (the cluster refuses connections without TLS; not "Verify Identity": the certificate names the cluster, not 127.0.0.1)`,
    `The password (your credentials read it; db-tunnel never does):`,
    `  ${passwordCommand({ secretArn: environment.secretArn, region: options.region, profile: options.profile })}`,
    `  (prints {"username": ..., "password": ...}; the writer is ${environment.writerEndpoint}:${environment.port})`,
  ];
}
