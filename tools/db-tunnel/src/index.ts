#!/usr/bin/env node
// db-tunnel: a command a person runs on a laptop (not a GitHub action). See ../README.md.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  terminal: {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    errRaw: (chunk) => process.stderr.write(chunk),
  },
  signals: process,
  exit: (code) => process.exit(code),
});
