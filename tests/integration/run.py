# SPDX-License-Identifier: MIT
"""Runs the integration tests with unittest and ends with the line the CI
reads: `N passed, N failed, N skipped`. Usage: python3 run.py [pattern]"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402


def main():
    pattern = sys.argv[1] if len(sys.argv) > 1 else "test_*.py"
    suite = unittest.defaultTestLoader.discover(HERE, pattern=pattern, top_level_dir=HERE)
    print("integration: python %s, boto3 %s, SQS protocol %s" % (
        sys.version.split()[0], harness.boto3.__version__, harness.sqs_protocol()), flush=True)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    # a failing setUpClass/tearDownClass (a server's sanitizer report) is
    # reported as an error of no test: it adds a failure, removes no pass
    outside = sum(1 for t, _ in result.errors if isinstance(t, unittest.suite._ErrorHolder))
    passed = result.testsRun - (failed - outside) - skipped
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
