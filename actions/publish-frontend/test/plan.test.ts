import { describe, expect, it } from '@jest/globals';
import { ActionError } from '../../common/src/errors.js';
import { IMMUTABLE } from '../src/cache-control.js';
import { urlPathFor } from '../src/invalidation.js';
import type { LocalFile } from '../src/local-files.js';
import { guardDeletions, planPublish, uploadReason, type PlanOptions } from '../src/plan.js';
import type { RemoteObject } from '../src/remote-objects.js';

const md5 = (seed: string): string => seed.padEnd(32, '0').slice(0, 32);

function file(key: string, content = key, overrides: Partial<LocalFile> = {}): LocalFile {
  const html = key.endsWith('.html');
  return {
    relativePath: key,
    absolutePath: `/site/${key}`,
    key,
    size: content.length,
    md5: md5(Buffer.from(content).toString('hex')),
    contentType: html ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
    cacheControl: html
      ? 'no-cache'
      : /\.[0-9a-f]{8}\./.test(key)
        ? IMMUTABLE
        : 'public, max-age=300',
    ...overrides,
  };
}

/** The remote copy of a local file as the manifest vouches for it. */
function published(local: LocalFile, overrides: Partial<RemoteObject> = {}): RemoteObject {
  return {
    key: local.key,
    size: local.size,
    etag: local.md5,
    lastModified: '2026-01-01T00:00:00.000Z',
    known: { md5: local.md5, contentType: local.contentType, cacheControl: local.cacheControl },
    ...overrides,
  };
}

function options(
  local: LocalFile[],
  remote: RemoteObject[],
  overrides: Partial<PlanOptions> = {},
): PlanOptions {
  return {
    local,
    remote,
    delete: true,
    maxDeletions: 0.5,
    invalidate: 'auto',
    maxInvalidationPaths: 15,
    urlPathFor: (key) => urlPathFor(key),
    ...overrides,
  };
}

describe('planPublish', () => {
  const index = file('index.html', '<html>v1');
  const app = file('assets/app.3f9a1c2b.js', 'app');
  const about = file('about.html', 'about');
  const robots = file('robots.txt', 'robots');

  it('uploads everything on a first publish, HTML last, and invalidates nothing new', () => {
    const plan = planPublish(options([about, app, index, robots], []));
    expect(plan.uploads.map((upload) => upload.file.key)).toEqual([
      'assets/app.3f9a1c2b.js',
      'robots.txt',
      'about.html',
      'index.html',
    ]);
    expect(plan.uploads.every((upload) => upload.reason === 'new')).toBe(true);
    expect(plan.uploadPhases.immutable.map((upload) => upload.file.key)).toEqual([
      'assets/app.3f9a1c2b.js',
    ]);
    expect(plan.uploadPhases.assets.map((upload) => upload.file.key)).toEqual(['robots.txt']);
    expect(plan.uploadPhases.pages.map((upload) => upload.file.key)).toEqual([
      'about.html',
      'index.html',
    ]);
    expect(plan.bytesToUpload).toBe(about.size + app.size + index.size + robots.size);
    expect(plan.invalidation.paths).toEqual([]);
    expect(plan.deletions).toEqual([]);
  });

  it('uploads hashed assets before reused names that may reference them (an unhashed entry)', () => {
    const entry = file('main.js', 'import("./assets/app.3f9a1c2b.js")');
    const font = file('fonts/brand.woff2', 'font', { cacheControl: IMMUTABLE });
    const plan = planPublish(options([entry, index, app, font], []));
    expect(plan.uploads.map((upload) => upload.file.key)).toEqual([
      'assets/app.3f9a1c2b.js',
      'fonts/brand.woff2',
      'main.js',
      'index.html',
    ]);
    expect(plan.uploadPhases.immutable.map((upload) => upload.file.key)).toEqual([
      'assets/app.3f9a1c2b.js',
      'fonts/brand.woff2',
    ]);
    expect(plan.uploadPhases.assets.map((upload) => upload.file.key)).toEqual(['main.js']);
  });

  it('skips files whose content and headers match, whatever their modification time', () => {
    const plan = planPublish(options([index, app], [published(index), published(app)]));
    expect(plan.uploads).toEqual([]);
    expect(plan.skipped).toEqual([index, app]);
    expect(plan.invalidation).toEqual({ paths: [], reason: 'nothing changed' });
  });

  it('uploads a changed file and invalidates its path; the index also as its folder', () => {
    const newIndex = file('index.html', '<html>v2');
    const plan = planPublish(options([newIndex, app], [published(index), published(app)]));
    expect(plan.uploads).toEqual([{ file: newIndex, reason: 'content' }]);
    expect(plan.invalidation.paths).toEqual(['/', '/index.html']);
  });

  it('re-uploads the same bytes when Content-Type or Cache-Control changed', () => {
    const retyped = { ...robots, cacheControl: 'public, max-age=60' };
    const plan = planPublish(options([retyped], [published(robots)]));
    expect(plan.uploads).toEqual([{ file: retyped, reason: 'headers', remoteEtag: robots.md5 }]);
    expect(plan.invalidation.paths).toEqual(['/robots.txt']);
  });

  it('does not invalidate an immutable asset whose only change is its headers', () => {
    const retyped = { ...app, contentType: 'application/javascript' };
    const plan = planPublish(options([retyped], [published(app)]));
    expect(plan.uploads).toEqual([{ file: retyped, reason: 'headers', remoteEtag: app.md5 }]);
    expect(plan.invalidation.paths).toEqual([]);
  });

  it('deletes remote objects no longer in the source, and invalidates them unless hashed', () => {
    const oldApp = published(file('assets/app.0a1b2c3d.js', 'old'));
    const oldPage = published(file('old.html', 'old page'));
    const plan = planPublish(
      options(
        [index, app, about, robots],
        [published(index), published(app), published(about), oldApp, oldPage],
      ),
    );
    expect(plan.deletions.map((object) => object.key)).toEqual([
      'assets/app.0a1b2c3d.js',
      'old.html',
    ]);
    expect(plan.invalidation.paths).toEqual(['/old.html']);
  });

  it('keeps stale objects with delete: false', () => {
    const plan = planPublish(
      options([index], [published(index), published(about)], { delete: false }),
    );
    expect(plan.deletions).toEqual([]);
  });

  it('collapses to /* above max-invalidation-paths, and follows invalidate all/none', () => {
    const pages = Array.from({ length: 4 }, (_, i) => file(`p${i}.html`, `new ${i}`));
    const remote = pages.map((page) => published({ ...page, md5: md5('ff') }));
    expect(
      planPublish(options(pages, remote, { maxInvalidationPaths: 3 })).invalidation.paths,
    ).toEqual(['/*']);
    expect(
      planPublish(options(pages, remote, { maxInvalidationPaths: 4 })).invalidation.paths,
    ).toHaveLength(4);
    expect(planPublish(options(pages, remote, { invalidate: 'none' })).invalidation.paths).toEqual(
      [],
    );
    expect(
      planPublish(options([file('new.js')], [], { invalidate: 'all' })).invalidation.paths,
    ).toEqual(['/*']);
    expect(
      planPublish(options([index], [published(index)], { invalidate: 'all' })).invalidation.paths,
    ).toEqual([]);
  });

  it('refuses, through the guard, a plan that would delete most of the site', () => {
    const remote = ['a.js', 'b.js', 'c.js', 'index.html'].map((key) => published(file(key)));
    expect(() => planPublish(options([file('index.html')], remote))).toThrow(ActionError);
    expect(
      planPublish(options([file('index.html')], remote, { maxDeletions: 1 })).deletions,
    ).toHaveLength(3);
  });
});

describe('a site next to another site (issue 16 #5)', () => {
  const index = file('index.html', 'v2');
  // Another site published under web/ with its own manifest (listRemoteObjects leaves out only
  // this run's own manifest, so the other one is listed).
  const other = ['web/index.html', 'web/app.js', 'web/.publish-frontend-manifest.json'].map((key) =>
    published(file(key)),
  );

  it('never deletes below a folder that holds its own manifest, and says which folders', () => {
    const plan = planPublish(
      options([index], [published(index), published(file('old.html')), ...other], {
        maxDeletions: 1,
      }),
    );
    expect(plan.deletions.map((object) => object.key)).toEqual(['old.html']);
    expect(plan.otherSites).toEqual([{ folder: 'web/', objects: 3 }]);
    expect(plan.invalidation.paths).toEqual(['/old.html']);
  });

  it('weighs the deletion guard on this site’s objects only', () => {
    // 1 of this site's 2 objects is stale (50%); counted with the other site's 3 it would be 20%.
    expect(() =>
      planPublish(
        options([index], [published(index), published(file('old.html')), ...other], {
          maxDeletions: 0.4,
        }),
      ),
    ).toThrow('would delete 1 of the 2 objects under the prefix');
  });

  it('finds nested sites at any depth, and none without a manifest', () => {
    const nested = published(file('docs/v1/.publish-frontend-manifest.json'));
    const plan = planPublish(
      options([index], [published(index), nested, published(file('docs/v1/a.html'))], {
        maxDeletions: 1,
      }),
    );
    expect(plan.deletions).toEqual([]);
    expect(plan.otherSites).toEqual([{ folder: 'docs/v1/', objects: 2 }]);
    expect(
      planPublish(options([index], [published(index)], { maxDeletions: 1 })).otherSites,
    ).toEqual([]);
  });
});

describe('uploadReason', () => {
  const local = file('a.js', 'content');
  it('compares a multipart object by the MD5 the manifest or its metadata holds', () => {
    const multipart: RemoteObject = {
      key: 'a.js',
      size: local.size,
      etag: 'abc-3',
      lastModified: '',
    };
    expect(uploadReason(local, multipart)).toBe('content');
    expect(
      uploadReason(local, {
        ...multipart,
        known: { md5: local.md5, contentType: local.contentType, cacheControl: local.cacheControl },
      }),
    ).toBeUndefined();
  });

  it('treats a plain ETag as the MD5 but still needs the headers to skip', () => {
    const plain: RemoteObject = {
      key: 'a.js',
      size: local.size,
      etag: local.md5,
      lastModified: '',
    };
    expect(uploadReason(local, plain)).toBe('headers');
  });

  it('sees a change of size without knowing anything else', () => {
    expect(
      uploadReason(local, { key: 'a.js', size: local.size + 1, etag: local.md5, lastModified: '' }),
    ).toBe('content');
  });
});

describe('keeping the assets of earlier releases (keep-previous-assets)', () => {
  const index = file('index.html', '<html>v2');
  const app = file('assets/app.3f9a1c2b.js', 'app v2');
  const HOUR = 3600_000;
  const now = Date.parse('2026-06-01T12:00:00Z');
  const keep = (since: Record<string, string> = {}, forMs = 24 * HOUR) => ({
    keepPreviousAssets: { forMs, now, since },
  });
  const oldApp = published(file('assets/app.0a1b2c3d.js', 'app v1'));
  const oldChunk = published(file('assets/chunk-BQ8x_a1Z.js', 'chunk v1'));
  // Not hashed by name, but published immutable by a cache-control rule.
  const oldFont = published(file('fonts/brand.woff2', 'font v1', { cacheControl: IMMUTABLE }));
  const oldPage = published(file('old.html', 'old page'));
  const oldRobots = published(file('robots-old.txt', 'robots'));
  const remote = [published(index), published(app), oldApp, oldChunk, oldFont, oldPage, oldRobots];

  it('keeps stale hashed or immutable assets from now on, and deletes HTML and reused names', () => {
    const plan = planPublish(options([index, app], remote, { maxDeletions: 1, ...keep() }));
    expect(plan.kept.map((object) => object.key)).toEqual([
      'assets/app.0a1b2c3d.js',
      'assets/chunk-BQ8x_a1Z.js',
      'fonts/brand.woff2',
    ]);
    expect(plan.deletions.map((object) => object.key)).toEqual(['old.html', 'robots-old.txt']);
    const since = new Date(now).toISOString();
    expect(plan.retained).toEqual({
      'assets/app.0a1b2c3d.js': since,
      'assets/chunk-BQ8x_a1Z.js': since,
      'fonts/brand.woff2': since,
    });
    expect(plan.invalidation.paths).toEqual(['/old.html', '/robots-old.txt']);
  });

  it('deletes a kept asset once it has been stale for the whole period, and keeps its date until then', () => {
    const plan = planPublish(
      options([index, app], [published(index), published(app), oldApp, oldChunk], {
        ...keep({
          'assets/app.0a1b2c3d.js': new Date(now - 24 * HOUR).toISOString(),
          'assets/chunk-BQ8x_a1Z.js': new Date(now - 23 * HOUR).toISOString(),
        }),
      }),
    );
    expect(plan.deletions.map((object) => object.key)).toEqual(['assets/app.0a1b2c3d.js']);
    expect(plan.kept.map((object) => object.key)).toEqual(['assets/chunk-BQ8x_a1Z.js']);
    expect(plan.retained).toEqual({
      'assets/chunk-BQ8x_a1Z.js': new Date(now - 23 * HOUR).toISOString(),
    });
    // A hashed asset nobody references any more: no invalidation.
    expect(plan.invalidation.paths).toEqual([]);
  });

  it('forgets a kept asset that is back in the source (a rollback finds it in place)', () => {
    const plan = planPublish(
      options([index, file('assets/app.0a1b2c3d.js', 'app v1')], [published(index), oldApp], {
        ...keep({ 'assets/app.0a1b2c3d.js': new Date(now - HOUR).toISOString() }),
      }),
    );
    expect(plan.uploads).toEqual([]);
    expect(plan.retained).toEqual({});
  });

  it('deletes everything stale at once with 0, or keeps nothing with delete: false', () => {
    const off = planPublish(options([index, app], remote, { maxDeletions: 1, ...keep({}, 0) }));
    expect(off.kept).toEqual([]);
    expect(off.deletions).toHaveLength(5);
    const noDelete = planPublish(options([index, app], remote, { delete: false, ...keep() }));
    expect(noDelete.deletions).toEqual([]);
    expect(noDelete.kept).toEqual([]);
  });

  it('guards what this run found stale, kept or not; expired kept assets were vetted before', () => {
    // 5 of 7 objects newly stale: refused at 50% even though 3 of them would only be kept.
    expect(() => planPublish(options([index, app], remote, keep()))).toThrow(
      /would delete 5 of the 7 objects/,
    );
    // The same 3 assets, kept by an earlier run and now expired, do not count against the share.
    const expired = new Date(now - 48 * HOUR).toISOString();
    const plan = planPublish(
      options([index, app, file('old.html', 'old page')], remote.slice(0, 6), {
        ...keep({
          'assets/app.0a1b2c3d.js': expired,
          'assets/chunk-BQ8x_a1Z.js': expired,
          'fonts/brand.woff2': expired,
        }),
      }),
    );
    expect(plan.deletions).toHaveLength(3);
  });
});

describe('guardDeletions', () => {
  const objects = (count: number): RemoteObject[] =>
    Array.from({ length: count }, (_, i) => ({
      key: `k${i}`,
      size: 1,
      etag: 'e',
      lastModified: '',
    }));

  it('allows up to the share, and refuses one more', () => {
    expect(() =>
      guardDeletions({ deletions: objects(5), remoteCount: 10, maxShare: 0.5 }),
    ).not.toThrow();
    expect(() => guardDeletions({ deletions: objects(6), remoteCount: 10, maxShare: 0.5 })).toThrow(
      'This run would delete 6 of the 10 objects under the prefix; max-deletions 50% allows 5.',
    );
  });

  it('says the counts, so a share just below the needed one does not read as equal to it (issue 16 #16)', () => {
    // 59.9% of 10 is 5.99: 5 allowed. Rounded percentages read "60%, more than max-deletions 60%".
    const refusal = (() => {
      try {
        guardDeletions({ deletions: objects(6), remoteCount: 10, maxShare: 0.599 });
      } catch (error) {
        return error as ActionError;
      }
      throw new Error('expected a refusal');
    })();
    expect(refusal.message).toContain(
      'would delete 6 of the 10 objects under the prefix; max-deletions 59.9% allows 5.',
    );
    expect(refusal.hint).toContain('raise max-deletions to 60% or more');
    // The share asked for in the fix is always one that allows the run.
    const third = (() => {
      try {
        guardDeletions({ deletions: objects(2), remoteCount: 3, maxShare: 0.5 });
      } catch (error) {
        return error as ActionError;
      }
      throw new Error('expected a refusal');
    })();
    expect(third.message).toContain('max-deletions 50% allows 1.');
    expect(third.hint).toContain('raise max-deletions to 66.7% or more');
    expect(() =>
      guardDeletions({ deletions: objects(2), remoteCount: 3, maxShare: 0.667 }),
    ).not.toThrow();
  });

  it('names the fix and says nothing was changed', () => {
    try {
      guardDeletions({ deletions: objects(3), remoteCount: 3, maxShare: 0.25 });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(ActionError);
      expect((error as ActionError).message).toContain('Nothing was changed');
      expect((error as ActionError).hint).toContain('raise max-deletions to 100% or more');
    }
  });

  it('never refuses with 100% or when there is nothing to delete', () => {
    expect(() =>
      guardDeletions({ deletions: objects(10), remoteCount: 10, maxShare: 1 }),
    ).not.toThrow();
    expect(() => guardDeletions({ deletions: [], remoteCount: 0, maxShare: 0 })).not.toThrow();
  });
});
