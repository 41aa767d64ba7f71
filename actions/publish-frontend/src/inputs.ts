/** The action's inputs, read and validated before anything touches AWS. */
import path from 'node:path';
import { InputError } from '../../common/src/errors.js';
import { Inputs } from '../../common/src/inputs.js';
import { compileCacheRules, type CacheRule } from './cache-control.js';
import { INPUT } from './input-names.js';

export type InvalidateMode = 'auto' | 'all' | 'none';

export interface PublishInputs {
  /** Absolute path of the folder to publish. */
  source: string;
  bucket: string;
  /** Key prefix without leading or trailing `/`; '' for the bucket's root. */
  prefix: string;
  distributionId?: string;
  delete: boolean;
  cacheRules: CacheRule[];
  /** Extension (lower case, no dot) → Content-Type. */
  contentTypes: Record<string, string>;
  invalidate: InvalidateMode;
  waitForInvalidation: boolean;
  /** The whole step's budget (timeout-minutes): uploads, the invalidation back-off and its wait. */
  timeoutMs: number;
  maxInvalidationPaths: number;
  /** The largest share (0..1) of the remote objects one run may delete. */
  maxDeletions: number;
  /** How long stale hashed assets of earlier releases are kept (ms); 0 deletes them at once. */
  keepPreviousAssetsMs: number;
  concurrency: number;
  requireIndex: boolean;
  /** The real folder symbolic links in source may point into: the source, or the workspace. */
  linksWithin: string;
  dryRun: boolean;
  region?: string;
}

// S3's rules for bucket names created since 2018 (lower case, 3 to 63 characters).
const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DISTRIBUTION_ID = /^[A-Z0-9]{8,20}$/;

export function readInputs(
  inputs: Inputs = new Inputs(),
  env: NodeJS.ProcessEnv = process.env,
): PublishInputs {
  const source = inputs.path(INPUT.source, { required: true, kind: 'directory' });
  const bucket = inputs.matching(
    INPUT.bucket,
    BUCKET_NAME,
    'an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens), not an ARN or URL',
    { required: true },
  ) as string;
  return {
    source,
    bucket,
    prefix: readPrefix(inputs),
    distributionId: inputs.matching(
      INPUT.distributionId,
      DISTRIBUTION_ID,
      'a CloudFront distribution id such as E2QWRUHAPOMQZL (upper-case letters and digits)',
    ),
    delete: inputs.boolean(INPUT.delete, true),
    cacheRules: compileCacheRules(readCacheRules(inputs)),
    contentTypes: readContentTypes(inputs),
    invalidate: inputs.choice(INPUT.invalidate, ['auto', 'all', 'none'] as const, 'auto'),
    waitForInvalidation: inputs.boolean(INPUT.waitForInvalidation, false),
    timeoutMs: readTimeout(inputs),
    maxInvalidationPaths: inputs.integer(INPUT.maxInvalidationPaths, {
      default: 15,
      min: 1,
      max: 3000,
    }) as number,
    maxDeletions: readShare(inputs, INPUT.maxDeletions, 0.5),
    keepPreviousAssetsMs: readKeepPreviousAssets(inputs),
    concurrency: inputs.integer(INPUT.concurrency, { default: 16, min: 1, max: 64 }) as number,
    requireIndex: inputs.boolean(INPUT.requireIndex, true),
    // The workspace as Inputs resolves relative paths against it (the checkout on a runner).
    linksWithin:
      inputs.choice(INPUT.followSymlinks, ['source', 'workspace'] as const, 'source') ===
      'workspace'
        ? path.resolve(env.GITHUB_WORKSPACE || process.cwd())
        : source,
    dryRun: inputs.boolean(INPUT.dryRun, false),
    region: inputs.string(INPUT.awsRegion),
  };
}

function readPrefix(inputs: Inputs): string {
  const value = inputs.string(INPUT.prefix) ?? '';
  const prefix = value.replace(/^\/+|\/+$/g, '');
  // A control character would be in every key, and S3's XML listing cannot carry it (see
  // local-files.ts, which refuses such file names for the same reason).
  const control = [...prefix].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
  if (
    control ||
    (prefix.split('/').some((segment) => segment === '' || segment === '.' || segment === '..') &&
      prefix !== '')
  ) {
    throw new InputError(
      INPUT.prefix,
      value,
      'a key prefix such as site or releases/web, without empty, . or .. segments or control characters',
    );
  }
  return prefix;
}

function readCacheRules(inputs: Inputs): Record<string, string> {
  // Cache rules hold no secrets: a refusal may show the text as given (secret: false).
  const rules = inputs.map(INPUT.cacheControl, { secret: false });
  for (const [pattern, value] of Object.entries(rules)) {
    // Sent as a header on every upload: a character HTTP refuses would fail mid-publish.
    if (value.trim() === '' || !/^[\x20-\x7e\t]+$/.test(value)) {
      throw new InputError(
        INPUT.cacheControl,
        `${pattern}=${value}`,
        'glob=Cache-Control lines (or a YAML mapping) with a value for every glob, e.g. "*.html=no-cache"',
      );
    }
  }
  return rules;
}

function readContentTypes(inputs: Inputs): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [extension, type] of Object.entries(
    inputs.map(INPUT.contentTypes, { secret: false }),
  )) {
    const key = extension
      .trim()
      .replace(/^\*?\./, '')
      .toLowerCase();
    if (
      !/^[a-z0-9_+-]+$/.test(key) ||
      !/^[\w.+-]+\/[\w.+-]+(\s*;[\x20-\x7e]*)?$/.test(type.trim())
    ) {
      throw new InputError(
        INPUT.contentTypes,
        `${extension}=${type}`,
        'extension=Content-Type lines (or a YAML mapping), e.g. ".glb=model/gltf-binary"',
      );
    }
    result[key] = type.trim();
  }
  return result;
}

export const TIMEOUT_DEFAULT_MS = 20 * 60_000;

/**
 * The step's budget: timeout-minutes, the convention every action keeps. invalidation-timeout is
 * its deprecated alias (action.yml's deprecationMessage makes the runner warn): when given, it
 * still decides, so a workflow written for the first edition keeps its number — now the budget
 * of the whole step, back-off and wait together, where it was each wait's own.
 */
function readTimeout(inputs: Inputs): number {
  const name = inputs.raw(INPUT.invalidationTimeout)
    ? INPUT.invalidationTimeout
    : INPUT.timeoutMinutes;
  return inputs.duration(name, {
    default: TIMEOUT_DEFAULT_MS,
    bareUnit: 'minutes',
    min: 10_000,
    max: 6 * 3600_000,
  });
}

export const KEEP_PREVIOUS_ASSETS_DEFAULT_MS = 24 * 3600_000;

/** A duration such as `24h` or `168h` (a bare number is minutes); `0` or `false` turns keeping off. */
function readKeepPreviousAssets(inputs: Inputs): number {
  const name = INPUT.keepPreviousAssets;
  if (/^(0+|false|no|off)$/i.test(inputs.raw(name))) return 0;
  return inputs.duration(name, {
    default: KEEP_PREVIOUS_ASSETS_DEFAULT_MS,
    bareUnit: 'minutes',
    max: 90 * 24 * 3600_000,
  });
}

/** A share as `25%`, `25` (percent) or `0.25`; `100%` turns the guard off. */
function readShare(inputs: Inputs, name: string, fallback: number): number {
  const value = inputs.raw(name);
  if (value === '') return fallback;
  const accepted = 'a share of the remote files such as 25% (100% allows deleting everything)';
  const match = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(value);
  if (!match) throw new InputError(name, value, accepted);
  const number = Number(match[1]);
  // A bare 1 could be 1% or 100% (the guard off): the wrong guess deletes the site, so ask.
  if (number === 1 && match[2] !== '%') {
    throw new InputError(name, value, `1% or 100% (a bare 1 is ambiguous): ${accepted}`);
  }
  const share = match[2] === '%' || number > 1 ? number / 100 : number;
  if (share < 0 || share > 1) throw new InputError(name, value, accepted);
  return share;
}
