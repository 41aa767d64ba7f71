/**
 * What a run did (or, in a dry run, would do) — uploaded, skipped, deleted, invalidated — and
 * its two reports: the step outputs and the job summary.
 */
import * as core from '../../common/src/core.js';
import { formatBytes } from '../../common/src/format.js';
import { regionPartition } from '../../common/src/partitions.js';
import { addFacts, addTable, consoleUrl, escapeHtml } from '../../common/src/summary.js';
import type { Plan } from './plan.js';

/** What this run did, filled in as it goes; the outputs and the summary are written from it. */
export interface Publication {
  bucket: string;
  prefix: string;
  region: string;
  distributionId?: string;
  dryRun: boolean;
  plan: Plan;
  uploaded: number;
  bytesUploaded: number;
  /** Of the uploaded, those copied onto themselves for new headers (no bytes sent). */
  copied?: number;
  deleted: number;
  invalidationId?: string;
  invalidationStatus?: string;
  /** When CloudFront refused this run's paths: what the next run owes instead. */
  invalidationNote?: string;
  url: string;
  /** Set when the uploads stopped on a failure: what that left, for the reader. */
  stopped?: string;
}

const LISTED = 50;

/** The step outputs and the job summary section, from what the run did. */
export function reportPublication(publication: Publication): void {
  core.setOutput('uploaded', publication.uploaded);
  core.setOutput('skipped', publication.plan.skipped.length);
  core.setOutput('deleted', publication.deleted);
  core.setOutput('bytes-uploaded', publication.bytesUploaded);
  core.setOutput('invalidation-id', publication.invalidationId ?? '');
  core.setOutput('url', publication.url);
  addSummary(publication);
}

function addSummary(report: Publication): void {
  const { plan } = report;
  const where = `s3://${report.bucket}/${report.prefix ? `${report.prefix}/` : ''}`;
  const verb = report.dryRun
    ? 'Dry run: would publish'
    : report.stopped
      ? 'Stopped publishing'
      : 'Published';
  core.summary.addHeading(`${verb} ${where}`, 3);
  const nothing = plan.uploads.length === 0 && plan.deletions.length === 0;
  if (report.stopped) core.summary.addRaw(`<p>${escapeHtml(report.stopped)}</p>`, true);
  else if (nothing)
    core.summary.addRaw(
      '<p>Nothing changed: every file was already published with the same content and headers.</p>',
      true,
    );
  addFacts({
    [report.dryRun ? 'Would upload' : 'Uploaded']:
      `${report.uploaded} file(s), ${formatBytes(report.bytesUploaded)}` +
      (report.copied ? ` (${report.copied} copied in place for new headers, no bytes sent)` : ''),
    Skipped: `${plan.skipped.length} file(s) with the same content and headers`,
    [report.dryRun ? 'Would delete' : 'Deleted']: `${report.deleted} stale object(s)`,
    Kept:
      plan.kept.length > 0
        ? `${plan.kept.length} hashed asset(s) of earlier releases, for pages still open (keep-previous-assets); deleted by the first run after they have been stale that long`
        : undefined,
    Invalidation: report.invalidationId
      ? `${report.invalidationId}${report.invalidationStatus ? ` (${report.invalidationStatus})` : ''}: ${plan.invalidation.paths.join(' ')}`
      : plan.invalidation.paths.length > 0
        ? `${report.dryRun ? 'would invalidate' : 'not created'}: ${plan.invalidation.paths.join(' ')}` +
          (report.invalidationNote ? `. ${report.invalidationNote}` : '')
        : `none (${report.distributionId ? plan.invalidation.reason : 'no distribution-id given'})`,
    'Other sites':
      plan.otherSites.length > 0
        ? `${plan.otherSites.map((site) => `${site.folder} (${site.objects} object(s))`).join(', ')}: folders holding their own manifest, left alone`
        : undefined,
    'Site URL': report.url,
    Bucket: consoleUrl(
      report.region,
      `s3/buckets/${report.bucket}?prefix=${encodeURIComponent(report.prefix ? `${report.prefix}/` : '')}`,
    ),
    Distribution: report.distributionId
      ? // CloudFront is global: its console lives in the partition's first region.
        consoleUrl(
          regionPartition(report.region)?.id === 'aws' ? 'us-east-1' : report.region,
          `cloudfront/v4/home#/distributions/${report.distributionId}`,
        )
      : undefined,
  });
  if (plan.uploads.length > 0) {
    addTable(
      [
        report.dryRun || report.stopped ? 'To upload (in order)' : 'Uploaded (in order)',
        'Why',
        'Content-Type',
        'Cache-Control',
        'Size',
      ],
      plan.uploads
        .slice(0, LISTED)
        .map(({ file, reason }) => [
          file.key,
          reason,
          file.contentType,
          file.cacheControl,
          formatBytes(file.size),
        ]),
    );
    if (plan.uploads.length > LISTED)
      core.summary.addRaw(`<p>…and ${plan.uploads.length - LISTED} more.</p>`, true);
  }
  if (plan.deletions.length > 0) {
    addTable(
      [report.dryRun ? 'Would delete (after the uploads)' : 'Deleted (after the uploads)'],
      plan.deletions.slice(0, LISTED).map((object) => [object.key]),
    );
    if (plan.deletions.length > LISTED)
      core.summary.addRaw(`<p>…and ${plan.deletions.length - LISTED} more.</p>`, true);
  }
}
