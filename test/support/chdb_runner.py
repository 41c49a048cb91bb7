"""Runs SQL statements on chdb (current ClickHouse, in-process) in one session; used by test/support/chdb.ts.
(Not named chdb.py: a script of that name would shadow the chdb package it imports.)

stdin: a JSON array of SQL statements.
stdout: a JSON object {"version": "<server version>", "results": [[row, ...], ...]} with one list of rows
(JSONEachRow objects) per statement; statements without a result give [].
On the first failing statement: {"error": "<message>", "index": <i>, "results": [...]} and exit code 1.
"""
import json
import sys
import tempfile

from chdb import session


def main() -> int:
    statements = json.load(sys.stdin)
    if not isinstance(statements, list) or not all(isinstance(s, str) for s in statements):
        print(json.dumps({"error": "stdin must be a JSON array of strings", "index": -1, "results": []}))
        return 2
    with tempfile.TemporaryDirectory(prefix="shelfwatch-chdb-") as path:
        sess = session.Session(path)
        try:
            version = sess.query("SELECT version()", "CSV").bytes().decode().strip().strip('"')
            results = []
            for i, sql in enumerate(statements):
                try:
                    res = sess.query(sql, "JSONEachRow")
                except Exception as exc:  # chdb raises on server errors
                    print(json.dumps({"error": str(exc), "index": i, "version": version, "results": results}))
                    return 1
                text = res.bytes().decode("utf-8") if res is not None else ""
                results.append([json.loads(line) for line in text.splitlines() if line.strip()])
            print(json.dumps({"version": version, "results": results}))
            return 0
        finally:
            sess.close()


if __name__ == "__main__":
    sys.exit(main())
