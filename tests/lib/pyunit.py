#!/usr/bin/python3
"""Runs the unittest cases of one test file and writes their results as JSON.

Usage: pyunit.py OUT_JSON TEST_FILE

Used by tools/testrun.py so that every Python test case is counted on its own.
"""
import importlib.util
import json
import os
import sys
import traceback
import unittest


class Recorder(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.records = []

    def addSuccess(self, test):
        super().addSuccess(test)
        self.records.append({"name": test.id(), "status": "passed"})

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.records.append({"name": test.id(), "status": "failed",
                             "detail": self._exc_info_to_string(err, test)})

    def addError(self, test, err):
        super().addError(test, err)
        self.records.append({"name": test.id(), "status": "failed",
                             "detail": self._exc_info_to_string(err, test)})

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.records.append({"name": test.id(), "status": "skipped", "detail": reason})

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.records.append({"name": test.id(), "status": "failed",
                             "detail": "expected failures are not allowed here"})

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.records.append({"name": test.id(), "status": "failed",
                             "detail": "unexpected success"})


def main():
    out_json, path = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    records = []
    try:
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        suite = unittest.defaultTestLoader.loadTestsFromModule(module)
        runner = unittest.TextTestRunner(verbosity=2, resultclass=Recorder, stream=sys.stderr)
        result = runner.run(suite)
        records = result.records
    except Exception:  # a file that does not even import is one failure
        records.append({"name": path, "status": "failed", "detail": traceback.format_exc()})
    with open(out_json, "w") as f:
        json.dump(records, f)
    return 0 if all(r["status"] != "failed" for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
