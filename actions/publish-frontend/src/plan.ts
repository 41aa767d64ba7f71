/**
 * The publishing plan, as pure data: which files to upload and in what order, which to skip,
 * which remote objects to delete, and which paths to invalidate. Nothing here talks to AWS, so
 * every decision is unit-tested.
 */
import { ActionError } from '../../common/src/errors.js';
import { isContentHashed, isImmutable } from './cache-control.js';
import { isHtml } from './content-type.js';
import { choosePaths, type InvalidationChoice } from './invalidation.js';
import type { InvalidateMode } from './inputs.js';
import type { LocalFile } from './local-files.js';
import { MANIFEST_NAME, remoteMd5, type RemoteObject } from './remote-objects.js';

/** Why a file is uploaded: not there yet, different bytes, or the same bytes with other headers. */
export type UploadReason = 'new' | 'content' | 'headers';

export interface PlannedUpload {
  file: LocalFile;
  reason: UploadReason;
  /** For `headers`: the ETag of the object whose bytes are already right (copied in place). */
  remoteEtag?: string;
}

export interface Plan {
  /**
   * In the order they must be applied: every non-HTML file before any HTML file, so a visitor
   * never gets a page that references an asset not uploaded yet; and among the assets, the
   * immutable (content-hashed) ones first, since a reused name (`sw.js`, an unhashed entry
   * script or stylesheet) that the live page already loads may reference them. `uploadPhases`
   * splits them; each phase starts when the one before has finished.
   */
  uploads: PlannedUpload[];
  uploadPhases: { immutable: PlannedUpload[]; assets: PlannedUpload[]; pages: PlannedUpload[] };
  skipped: LocalFile[];
  /** Applied only after every upload succeeded. */
  deletions: RemoteObject[];
  /** Stale assets of earlier releases kept for `keep-previous-assets` (not deleted this run). */
  kept: RemoteObject[];
  /** Key → when it was first kept (ISO): the next manifest's record of the kept assets. */
  retained: Record<string, string>;
  invalidation: InvalidationChoice;
  bytesToUpload: number;
  /**
   * Folders under the prefix that hold another site (their own manifest), and how many objects
   * each has: never deleted from, nor counted by the deletion guard.
   */
  otherSites: OtherSite[];
}

export interface OtherSite {
  /** The folder's key prefix, with its trailing `/`: `web/`. */
  folder: string;
  objects: number;
}

export interface PlanOptions {
  local: readonly LocalFile[];
  remote: readonly RemoteObject[];
  delete: boolean;
  /** The largest share (0..1) of the remote objects one run may delete. */
  maxDeletions: number;
  invalidate: InvalidateMode;
  maxInvalidationPaths: number;
  /** The viewer path of a key (prefix and the origin's path taken into account). */
  urlPathFor: (key: string) => string;
  /** Viewer paths an earlier run failed to invalidate (from the manifest). */
  pendingInvalidation?: readonly string[];
  /** Keep stale assets of earlier releases this long; absent or 0: delete them at once. */
  keepPreviousAssets?: AssetRetention;
}

export interface AssetRetention {
  forMs: number;
  /** The current time (ms), as the run sees it. */
  now: number;
  /** Key → when it was first kept (ISO), from the manifest of the run before. */
  since: Readonly<Record<string, string>>;
}

export function planPublish(options: PlanOptions): Plan {
  const remoteByKey = new Map(options.remote.map((object) => [object.key, object]));
  const uploads: PlannedUpload[] = [];
  const skipped: LocalFile[] = [];
  for (const file of options.local) {
    const remote = remoteByKey.get(file.key);
    const reason = uploadReason(file, remote);
    if (reason === 'headers') uploads.push({ file, reason, remoteEtag: remote?.etag });
    else if (reason) uploads.push({ file, reason });
    else skipped.push(file);
  }
  const pages = uploads.filter((upload) => isHtml(upload.file.contentType));
  const immutable = uploads.filter(
    (upload) => !isHtml(upload.file.contentType) && isImmutable(upload.file.cacheControl),
  );
  const assets = uploads.filter(
    (upload) => !isHtml(upload.file.contentType) && !isImmutable(upload.file.cacheControl),
  );

  const localKeys = new Set(options.local.map((file) => file.key));
  const otherSites = otherSitesIn(options.remote);
  const ownRemote = options.remote.filter(
    (object) => !otherSites.some((site) => object.key.startsWith(site.folder)),
  );
  const stale = options.delete ? ownRemote.filter((object) => !localKeys.has(object.key)) : [];
  // Assets kept by an earlier run were vetted then; the guard weighs what this run found stale.
  const since = options.keepPreviousAssets?.since ?? {};
  guardDeletions({
    deletions: stale.filter((object) => since[object.key] === undefined),
    remoteCount: ownRemote.length,
    maxShare: options.maxDeletions,
  });
  const { deletions, kept, retained } = holdPreviousAssets(stale, options.keepPreviousAssets);

  const changedPaths = uploads
    .filter((upload) => upload.reason !== 'new')
    // The same bytes under an immutable name: the cached copy is still right.
    .filter((upload) => !(upload.reason === 'headers' && isImmutable(upload.file.cacheControl)))
    .map((upload) => upload.file.key);
  const deletedPaths = deletions
    // A cache may keep serving a deleted hashed asset; nothing references it any more.
    .filter((object) => !isImmutable(object.known?.cacheControl) && !isContentHashed(object.key))
    .map((object) => object.key);

  return {
    uploads: [...immutable, ...assets, ...pages],
    uploadPhases: { immutable, assets, pages },
    skipped,
    deletions,
    kept,
    retained,
    invalidation: choosePaths({
      mode: options.invalidate,
      anythingChanged: uploads.length > 0 || deletions.length > 0,
      staleKeys: [...changedPaths, ...deletedPaths],
      pendingPaths: options.pendingInvalidation,
      maxPaths: options.maxInvalidationPaths,
      urlPathFor: options.urlPathFor,
    }),
    bytesToUpload: uploads.reduce((total, upload) => total + upload.file.size, 0),
    otherSites,
  };
}

/**
 * The folders below the prefix that hold another site: a `.publish-frontend-manifest.json` of
 * their own (this run's own manifest is not among the remote objects). A site published to
 * `prefix: web` next to one published to the bucket's root is such a folder, and its objects are
 * not this site's to delete. A folder inside another such folder belongs to that one.
 */
export function otherSitesIn(remote: readonly RemoteObject[]): OtherSite[] {
  const folders = remote
    .filter((object) => object.key.endsWith(`/${MANIFEST_NAME}`))
    .map((object) => object.key.slice(0, -MANIFEST_NAME.length))
    .sort();
  const outermost = folders.filter(
    (folder, index) => !folders.slice(0, index).some((outer) => folder.startsWith(outer)),
  );
  return outermost.map((folder) => ({
    folder,
    objects: remote.filter((object) => object.key.startsWith(folder)).length,
  }));
}

/**
 * A visitor who loaded the previous release's page just before the publish still asks for its
 * hashed assets (a lazy chunk, a font) afterwards. Those assets are kept for `forMs` after they
 * were first found stale, then deleted by the first run after that. Only assets are kept: HTML
 * and reused names (robots.txt) are deleted at once, as the new release replaced them.
 */
export function holdPreviousAssets(
  stale: readonly RemoteObject[],
  retention: AssetRetention | undefined,
): { deletions: RemoteObject[]; kept: RemoteObject[]; retained: Record<string, string> } {
  if (!retention || retention.forMs <= 0) return { deletions: [...stale], kept: [], retained: {} };
  const deletions: RemoteObject[] = [];
  const kept: RemoteObject[] = [];
  const retained: Record<string, string> = {};
  const now = new Date(retention.now).toISOString();
  for (const object of stale) {
    if (!isPreviousAsset(object)) {
      deletions.push(object);
      continue;
    }
    const recorded = retention.since[object.key];
    const since = recorded !== undefined && !Number.isNaN(Date.parse(recorded)) ? recorded : now;
    if (retention.now - Date.parse(since) >= retention.forMs) {
      deletions.push(object);
    } else {
      kept.push(object);
      retained[object.key] = since;
    }
  }
  return { deletions, kept, retained };
}

/** An asset a page of an earlier release may still request: a hashed or immutable non-HTML file. */
function isPreviousAsset(object: RemoteObject): boolean {
  if (/\.html?$/i.test(object.key)) return false;
  return isContentHashed(object.key) || isImmutable(object.known?.cacheControl);
}

/** Skip a file only when its content, Content-Type and Cache-Control all match. */
export function uploadReason(
  file: LocalFile,
  remote: RemoteObject | undefined,
): UploadReason | undefined {
  if (!remote) return 'new';
  if (remote.size !== file.size || remoteMd5(remote) !== file.md5) return 'content';
  if (
    remote.known?.contentType !== file.contentType ||
    remote.known?.cacheControl !== file.cacheControl
  ) {
    return 'headers';
  }
  return undefined;
}

/**
 * Refuses to delete more than `maxShare` of the remote objects: a wrong `source` (the repository
 * root, an unbuilt folder) or `prefix` would otherwise wipe the live site.
 */
export function guardDeletions(options: {
  deletions: readonly RemoteObject[];
  remoteCount: number;
  maxShare: number;
}): void {
  const allowed = Math.floor(options.maxShare * options.remoteCount + 1e-9);
  if (options.deletions.length === 0 || options.deletions.length <= allowed) return;
  // Counts, not rounded shares: 6 of 10 against 59.9% read "60%, more than max-deletions 60%".
  const needed = Math.ceil((options.deletions.length / options.remoteCount) * 1000) / 1000;
  const sample = options.deletions
    .slice(0, 5)
    .map((object) => object.key)
    .join(', ');
  throw new ActionError(
    'Refusing to delete most of the site',
    `This run would delete ${options.deletions.length} of the ${options.remoteCount} objects under the prefix; ` +
      `max-deletions ${percent(options.maxShare)} allows ${allowed}. E.g. ${sample}. Nothing was changed.`,
    `Check that source and prefix point at the built site. If the deletions are intended, raise max-deletions to ${percent(needed)} or more for this run, or set delete: false.`,
  );
}

/** A share as the percentage a user would write: 0.599 → 59.9%, 0.5 → 50%. */
function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}
