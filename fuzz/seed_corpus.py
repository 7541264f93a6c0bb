#!/usr/bin/env python3
"""Build the seed corpora of the fuzz targets under fuzz/corpus/<target>/.

Seeds come from examples/ and tests/conformance/ (policies, records, as_of),
plus a few hostile inputs from ADVERSARIAL.md. Nothing here is committed:
the corpora grow while fuzzing and live in fuzz/corpus/ (git-ignored).

    python3 fuzz/seed_corpus.py            # (re)write the seeds, keep what fuzzing added
    python3 fuzz/seed_corpus.py --out DIR  # the seeds alone, under DIR/<target>/
"""
import hashlib
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
if len(sys.argv) == 3 and sys.argv[1] == "--out":
    CORPUS = pathlib.Path(sys.argv[2]).resolve()

HOSTILE_YAML = [
    # ADVERSARIAL 27: billion laughs, 9 levels x 9 aliases.
    "a: &a [x,x,x,x,x,x,x,x,x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n"
        for i in range(8)
    ),
    "slakit: 1\nslakit: 1\n",
    "slakit: 1\nslas:\n  - id: x\n    objectve: 5\n",
    "[" * 200,
    "slakit: 1\ntimezone: America/New_Yrok\n",
    "slakit: 1\ncalendars:\n  never:\n    timezone: UTC\n    hours: {}\nslas:\n  - id: a\n    clock: {start: merged, stop: succeeded, calendar: never}\n    window: month\n    targets: {default: {max: 1h, objective: 95%}}\n",
]
HOSTILE_JSON = ['{"slakit": 1e400}', '{"slakit": 1, "slakit": 1}', "[" * 100, '{"slakit": NaN}']
HOSTILE_RECORDS = [
    '{"deployment":"d","event":"merged","time":"2016-12-31T23:59:60Z","service":"s"}',
    '{"deployment":"d","event":"merged","time":"2024-02-30T00:00:00Z"}',
    '{"deployment":"d","deployment":"e","event":"merged","time":"2024-01-01T00:00:00Z"}',
    '{"kind":"outage","service":"s","from":"9999-12-31T23:59:59Z","to":"0001-01-01T00:00:00Z"}',
    "[" * 100,
    '{"deployment":"d","event":"merged","time":"2024-01-01T00:00:00+25:00"}',
]


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


def main():
    yaml_policies = [ROOT.joinpath("examples/policy.yaml").read_text()]
    json_policies, record_texts, triples = [], [], []
    records_example = ROOT.joinpath("examples/records.jsonl").read_text()
    record_texts.append("\n".join(records_example.splitlines()[:200]))
    for path in sorted(ROOT.glob("tests/conformance/*.json")):
        vector = json.loads(path.read_text())
        policy = vector.get("policy")
        records = vector.get("records")
        if isinstance(policy, dict):
            json_policies.append(json.dumps(policy, indent=1))
        elif isinstance(policy, str):
            yaml_policies.append(policy)
        if isinstance(records, list):
            record_texts.append("\n".join(json.dumps(r) for r in records))
            record_texts.append(json.dumps(records))
        elif isinstance(records, str):
            record_texts.append(records)
        if isinstance(policy, dict) and isinstance(records, list):
            triples.append((json.dumps(policy), "\n".join(json.dumps(r) for r in records), vector.get("as_of") or ""))
    for p in yaml_policies + json_policies + HOSTILE_YAML:
        write("policy_yaml", p)
    for p in json_policies + HOSTILE_JSON:
        write("policy_json", p)
    for r in record_texts + HOSTILE_RECORDS:
        write("records_jsonl", r)
    # c_abi: policy 0xff records 0xff as_of 0xff deployment 0xff proposed.
    for policy, records, as_of in triples:
        write("c_abi", b"\xff".join([policy.encode(), records.encode(), as_of.encode(), b"d1"]))
    write("c_abi", b"\xff".join([yaml_policies[0].encode(), records_example.encode()[:20000], b"2026-03-31T00:00:00Z"]))
    # The structured targets (evaluate, business_time) take arbitrary bytes.
    for target in ("evaluate", "business_time"):
        for n in range(8):
            write(target, hashlib.sha512(f"{target}{n}".encode()).digest() * (n + 1))
    for d in sorted(CORPUS.iterdir()):
        print(f"{d.name}: {sum(1 for _ in d.iterdir())} files")


if __name__ == "__main__":
    main()
