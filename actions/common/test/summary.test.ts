import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as core from '@actions/core';
import {
  addFacts,
  addFailure,
  addTable,
  consoleUrl,
  escapeHtml,
  writeSummary,
} from '../src/summary.js';

describe('summary helpers', () => {
  let printed: string[];
  const savedSummary = process.env.GITHUB_STEP_SUMMARY;

  beforeEach(() => {
    printed = [];
    core.summary.emptyBuffer();
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    core.summary.emptyBuffer();
    process.env.GITHUB_STEP_SUMMARY = savedSummary;
  });

  it('escapes cell text, since core.summary tables take HTML', () => {
    addTable(['Logical id', 'Reason'], [['Db<1>', 'a & "b"']]);
    const html = core.summary.stringify();
    expect(html).toContain('<th>Logical id</th>');
    expect(html).toContain('<td>Db&lt;1&gt;</td><td>a &amp; &quot;b&quot;</td>');
  });

  it('writes a failure as text: markup in the message, title or fix is shown, never rendered (issue 16 #17)', () => {
    // core.summary.addCodeBlock wraps its text in <pre><code> without escaping it.
    addFailure({
      title: 'Link <b>out</b>',
      message: 'Refusing <img src=x onerror=alert(1)>.txt -> /etc & "more"',
      hint: 'Remove <script>x</script>',
    });
    const html = core.summary.stringify();
    expect(html).toContain(
      'Refusing &lt;img src=x onerror=alert(1)&gt;.txt -&gt; /etc &amp; &quot;more&quot;',
    );
    expect(html).toContain('Failed: Link &lt;b&gt;out&lt;/b&gt;');
    expect(html).toContain('Remove &lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toMatch(/<img|<script|<b>out/);
  });

  it('leaves out facts without a value', () => {
    addFacts({ uploaded: 3, skipped: 0, url: undefined, id: '' });
    const html = core.summary.stringify();
    expect(html).toContain('<tr><th>uploaded</th><td>3</td></tr>');
    expect(html).toContain('<tr><th>skipped</th><td>0</td></tr>');
    expect(html).not.toContain('<th></th>');
    expect(html).not.toContain('url');
  });

  it('prints the summary to the log when there is no summary file (a local run)', async () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    core.summary.addHeading('Stack app: no changes');
    await writeSummary();
    expect(printed.join('')).toContain('<h1>Stack app: no changes</h1>');
    expect(core.summary.isEmptyBuffer()).toBe(true);
  });

  it('builds console links for the region', () => {
    expect(consoleUrl('eu-west-1', '/cloudformation/home?region=eu-west-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1',
    );
    expect(escapeHtml('<&>')).toBe('&lt;&amp;&gt;');
  });
});
