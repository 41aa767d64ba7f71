/**
 * The rings that start processes (moto, cfn-guard, the bundles) get a longer test timeout. Jest 30
 * ignores `testTimeout` inside a project's config, so it is set here, per test file.
 */
import { jest } from '@jest/globals';

jest.setTimeout(120_000);
