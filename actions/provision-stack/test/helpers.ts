/** Test helpers shared by the unit and integration tests of provision-stack. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A valid template (one log group) padded with a Metadata blob to exactly `bytes` bytes. */
export function paddedTemplate(bytes: number, logGroupName = '/provision-stack-test/big'): string {
  const head =
    'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n' +
    `    Properties:\n      LogGroupName: ${logGroupName}\nMetadata:\n  Padding: `;
  return head + 'x'.repeat(Math.max(0, bytes - head.length - 1)) + '\n';
}
