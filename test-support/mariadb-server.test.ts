/**
 * The throwaway MariaDB the example-app ring and the demo start: its own data directory and socket
 * in a temporary folder, a free port on 127.0.0.1 only, root without a password, and nothing left
 * once stopped. Needs the server binary (the prerequisites check names the install command).
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { databaseFromEnvironment, listening, startMariadb } from './mariadb-server.mjs';

describe('the throwaway MariaDB', () => {
  it('starts on a free loopback port with its own data and socket, and leaves nothing behind', async () => {
    const server = await startMariadb();
    try {
      expect(server.port).not.toBe(3306);
      expect(server.env).toEqual({
        TEST_DB_HOST: '127.0.0.1',
        TEST_DB_PORT: String(server.port),
        TEST_DB_USER: 'root',
        TEST_DB_PASSWORD: '',
      });
      const connection = await mysql.createConnection({
        host: server.host,
        port: server.port,
        user: server.user,
        password: server.password,
      });
      const [[settings]] = (await connection.query(
        'SELECT @@port AS port, @@bind_address AS bind, @@skip_networking AS skip, @@socket AS socket, @@datadir AS datadir',
      )) as unknown as [[Record<string, unknown>]];
      await connection.query('CREATE DATABASE throwaway_check');
      await connection.end();
      expect(settings).toEqual({
        port: server.port,
        bind: '127.0.0.1',
        skip: 0,
        socket: server.socket,
        datadir: `${server.dataDir}${path.sep}`,
      });
      expect(path.dirname(server.socket)).toBe(path.dirname(server.dataDir));
      expect(server.dataDir.startsWith(tmpdir())).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(path.dirname(server.dataDir))).toBe(false);
    expect(await listening(server.port)).toBe(false);
    await server.stop(); // a second stop (teardown after a failed test) is harmless
  });

  it('uses the server TEST_DB_HOST names instead of starting one', () => {
    expect(databaseFromEnvironment({})).toBeUndefined();
    expect(databaseFromEnvironment({ TEST_DB_HOST: 'db.internal', TEST_DB_PORT: '3307' })).toEqual({
      host: 'db.internal',
      port: 3307,
      user: 'root',
      password: '',
    });
  });
});
