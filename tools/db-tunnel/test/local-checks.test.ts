/** Preflight on this machine: the two programs on PATH and the local port. */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { checkLocalPort, checkLocalTools, findOnPath } from '../src/local-checks.js';

describe('findOnPath', () => {
  const files = new Set(['/opt/aws/bin/aws', '/usr/local/bin/session-manager-plugin']);
  const isExecutable = (file: string) => files.has(file);

  it('finds the first executable of that name along PATH', () => {
    const env = { PATH: '/usr/bin:/opt/aws/bin:/usr/local/bin' };
    expect(findOnPath('aws', { env, platform: 'linux', isExecutable })).toBe('/opt/aws/bin/aws');
    expect(findOnPath('session-manager-plugin', { env, platform: 'linux', isExecutable })).toBe(
      '/usr/local/bin/session-manager-plugin',
    );
    expect(findOnPath('mysql', { env, platform: 'linux', isExecutable })).toBeUndefined();
  });

  it('skips empty PATH entries and finds nothing on an empty PATH', () => {
    expect(
      findOnPath('aws', { env: { PATH: '' }, platform: 'linux', isExecutable }),
    ).toBeUndefined();
    expect(findOnPath('aws', { env: {}, platform: 'linux', isExecutable })).toBeUndefined();
  });

  it('on Windows tries the PATHEXT extensions and splits PATH on ;', () => {
    const windows = new Set(['C:\\Program Files\\Amazon\\AWSCLIV2/aws.exe'.replace(/\\/g, '/')]);
    const found = findOnPath('aws', {
      env: { Path: 'C:/Windows;C:/Program Files/Amazon/AWSCLIV2', PATHEXT: '.COM;.EXE;.BAT' },
      platform: 'win32',
      isExecutable: (file) => windows.has(file.replace(/\\/g, '/')),
    });
    expect(found?.replace(/\\/g, '/')).toBe('C:/Program Files/Amazon/AWSCLIV2/aws.exe');
  });
});

describe('checkLocalTools', () => {
  it('passes with both programs and fails each missing one with its install line', () => {
    const all = checkLocalTools({
      env: { PATH: '/bin' },
      platform: 'linux',
      isExecutable: (file) => file === '/bin/aws' || file === '/bin/session-manager-plugin',
    });
    expect(all.map((result) => result.status)).toEqual(['ok', 'ok']);

    const none = checkLocalTools({
      env: { PATH: '/bin' },
      platform: 'linux',
      isExecutable: () => false,
    });
    expect(none.map((result) => result.status)).toEqual(['failed', 'failed']);
    expect(none[0]?.fix).toContain('getting-started-install');
    expect(none[1]?.fix).toContain('brew install --cask session-manager-plugin');
    expect(none[1]?.fix).toContain('session-manager-working-with-install-plugin');
  });
});

describe('checkLocalPort', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function listening(): Promise<number> {
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  it('is ok for a free port and leaves it free', async () => {
    const port = await listening();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    expect((await checkLocalPort(port)).status).toBe('ok');
    // Still free: the check closed its own listener.
    expect((await checkLocalPort(port)).status).toBe('ok');
  });

  it('fails for a port something listens on, with another port to use', async () => {
    const port = await listening();
    const result = await checkLocalPort(port);
    expect(result.status).toBe('failed');
    expect(result.detail).toContain(`127.0.0.1:${port}`);
    expect(result.fix).toMatch(/--local-port \d+/);
  });
});
