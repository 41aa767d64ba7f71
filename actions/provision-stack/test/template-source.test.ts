import { describe, expect, it } from '@jest/globals';
import { templateKey, templateUrl } from '../src/template-source.js';
import type { Template } from '../src/template.js';

describe('template upload location', () => {
  it('is content-addressed per stack, so a re-run reuses the same key', () => {
    const template = { sha256: 'ab'.repeat(32) } as Template;
    expect(templateKey('app', template)).toBe('provision-stack/app/abababababababab.template');
  });

  it('uses a path-style regional URL (bucket names with dots work), in the China partition too', () => {
    expect(templateUrl('my.bucket', 'k.template', 'eu-west-1')).toBe(
      'https://s3.eu-west-1.amazonaws.com/my.bucket/k.template',
    );
    expect(templateUrl('b', 'k', 'cn-north-1')).toBe('https://s3.cn-north-1.amazonaws.com.cn/b/k');
  });
});
