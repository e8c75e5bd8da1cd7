#!/usr/bin/env python3
"""Run the golden SDP cases against ng daemons.

  differential.py --ng HOST:PORT [--only PATTERN]        check a daemon against the golden files
  differential.py --compare HOST1:PORT HOST2:PORT        send the same cases to two daemons and
                                                         diff their normalised replies
  differential.py --ng HOST:PORT --record [--only P]     (re)write the expectations from a daemon
                                                         (use only with the reference rtpengine)

Exit status: 0 all passed, 1 a case failed, 2 usage/connection error.
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import fnmatch
import json
import os
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import golden  # noqa: E402
from ng import NGClient, NGTimeout, parse_hostport  # noqa: E402

DEFAULT_DIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), "Tests", "CallModelTests", "Golden")


def case_files(d: str, only: str | None) -> list[str]:
    files = sorted(f for f in os.listdir(d) if f.endswith(".golden"))
    if only:
        pats = only.split(",")
        files = [f for f in files
                 if any(fnmatch.fnmatch(f, p) or p in f for p in pats)]
    return [os.path.join(d, f) for f in files]


def call_id_for(case: golden.Case) -> str:
    return f"golden-{case.name}-{uuid.uuid4().hex[:10]}"


def run_case(client: NGClient, case: golden.Case):
    """Yields (step, reply) for every step; always tries to delete the call at the end."""
    cid = call_id_for(case)
    try:
        for st in case.steps:
            yield st, client.request(st.request(cid))
    finally:
        try:
            client.request({"command": "delete", "call-id": cid, "flags": ["fatal"]})
        except NGTimeout:
            pass


def step_title(st: golden.Step) -> str:
    return f"{st.command} {json.dumps(st.params)} (line {st.lineno})"


def udiff(a: list[str], b: list[str], an: str, bn: str) -> str:
    return "\n".join(difflib.unified_diff(a, b, an, bn, lineterm="", n=3))


def check(client: NGClient, case: golden.Case, norm_range, verbose: bool) -> list[str]:
    errs: list[str] = []
    matcher = golden.Matcher()
    norm = golden.Normaliser(norm_range)
    try:
        with contextlib.closing(run_case(client, case)) as steps:
            for st, rep in steps:
                if not isinstance(rep, dict):
                    errs.append(f"{step_title(st)}: reply is not a dictionary: {rep!r}")
                    break
                res = rep.get("result")
                if st.expect_error is not None:
                    if res != "error":
                        errs.append(f"{step_title(st)}: expected error {st.expect_error!r}, got result {res!r}")
                    elif rep.get("error-reason") != st.expect_error:
                        errs.append(f"{step_title(st)}: error-reason {rep.get('error-reason')!r}, "
                                    f"expected {st.expect_error!r}")
                    continue
                if res == "error":
                    errs.append(f"{step_title(st)}: unexpected error {rep.get('error-reason')!r}")
                    break
                if st.expect is None:
                    continue
                sdp = rep.get("sdp")
                if not isinstance(sdp, str):
                    errs.append(f"{step_title(st)}: reply has no sdp (result {res!r})")
                    break
                why = matcher.match(st.expect, sdp)
                if why:
                    got = norm.sdp(sdp)
                    errs.append(f"{step_title(st)}: {why}\n" + udiff(st.expect, got, "expected", "actual (normalised)"))
                else:
                    norm.sdp(sdp)  # keep numbering in step with the expectation
    except NGTimeout as e:
        errs.append(f"timeout: {e}")
    if verbose and not errs:
        print(f"  ok ({len(case.steps)} steps)")
    return errs


def render(case: golden.Case, replies, norm) -> list[str]:
    out = []
    for st, rep in replies:
        out.append(f"=== {st.command} {json.dumps(st.params)}")
        if not isinstance(rep, dict):
            out.append(f"!!! non-dict reply {rep!r}")
        elif rep.get("result") == "error":
            out.append(f"--- error {rep.get('error-reason')}")
        elif isinstance(rep.get("sdp"), str):
            out.append("--- sdp")
            out.extend(norm.sdp(rep["sdp"]))
        else:
            out.append(f"--- result {rep.get('result')}")
    return out


def record(client: NGClient, case: golden.Case, norm_range) -> list[str]:
    norm = golden.Normaliser(norm_range)
    problems = []
    for st, rep in run_case(client, case):
        st.expect = None
        st.expect_error = None
        if rep.get("result") == "error":
            st.expect_error = rep.get("error-reason", "")
        elif isinstance(rep.get("sdp"), str):
            st.expect = norm.sdp(rep["sdp"])
            # sanity: no allocated-looking port left unreplaced on m= lines
            for ln in st.expect:
                if ln.startswith("m=") and ln.split(" ")[1].isdigit() and ln.split(" ")[1] != "0":
                    problems.append(f"{case.name}: unnormalised port in {ln!r}")
        elif rep.get("result") != "ok":
            problems.append(f"{case.name}: step {st.command}: result {rep.get('result')!r}")
    for p in sorted(norm.port_conflicts):
        problems.append(f"{case.name}: port {p} was allocated on two addresses {sorted(norm.port_addrs[p])} "
                        "(coincidence of two port pools?) -- record this case again")
    return problems


def load_known(path):
    """Case name -> reason, from lines `NAME  reason...`."""
    known = {}
    if not path:
        return known
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
            if line:
                name, _, reason = line.partition(" ")
                known[name] = reason.strip()
    return known


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--ng", help="daemon HOST:PORT to check against the golden files")
    g.add_argument("--compare", nargs=2, metavar="HOST:PORT", help="two daemons to diff")
    ap.add_argument("--only", help="run only cases whose file name contains/globs PATTERN (comma list)")
    ap.add_argument("--dir", default=DEFAULT_DIR, help="golden directory (default %(default)s)")
    ap.add_argument("--port-range", default="20000-20999",
                    help="ports treated as daemon-allocated when normalising, MIN-MAX or 'any' "
                         "(for --compare give MIN-MAX covering both daemons)")
    ap.add_argument("--json", action="store_true", help="send requests as JSON instead of bencode")
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--record", action="store_true", help="rewrite expectations from --ng (reference only!)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--known-differences", metavar="FILE",
                    help="file listing case names (one per line, # comments) allowed to differ "
                         "in --compare mode: deliberate or not-yet-implemented differences, each "
                         "documented in README.md. A listed case that no longer differs is reported.")
    a = ap.parse_args(argv)

    norm_range = None if a.port_range == "any" else tuple(int(x) for x in a.port_range.split("-"))
    files = case_files(a.dir, a.only)
    if not files:
        print("no cases selected", file=sys.stderr)
        return 2

    def client(hp):
        h, p = parse_hostport(hp)
        return NGClient(h, p, timeout=a.timeout, retries=2, json_mode=a.json)

    failed = 0
    if a.ng:
        c = client(a.ng)
        try:
            c.request({"command": "ping"})
        except NGTimeout as e:
            print(f"differential: {e}", file=sys.stderr)
            return 2
        for path in files:
            name = os.path.basename(path)[:-len(".golden")]
            with open(path) as f:
                case = golden.parse(f.read(), name)
            if a.record:
                problems = record(c, case, norm_range)
                with open(path, "w") as f:
                    f.write(golden.dump(case))
                for p in problems:
                    print(f"WARNING {p}")
                print(f"recorded {name}")
                continue
            if a.verbose:
                print(name)
            errs = check(c, case, norm_range, a.verbose)
            if errs:
                failed += 1
                print(f"FAIL {name}")
                for e in errs:
                    print("  " + e.replace("\n", "\n  "))
        if not a.record:
            print(f"{len(files) - failed}/{len(files)} cases passed")
    else:
        known = load_known(a.known_differences)
        c1, c2 = client(a.compare[0]), client(a.compare[1])
        for path in files:
            name = os.path.basename(path)[:-len(".golden")]
            with open(path) as f:
                case = golden.parse(f.read(), name)
            try:
                o1 = render(case, run_case(c1, case), golden.Normaliser(norm_range))
                o2 = render(case, run_case(c2, case), golden.Normaliser(norm_range))
            except NGTimeout as e:
                failed += 1
                print(f"FAIL {name}: {e}")
                continue
            if o1 != o2 and name in known:
                print(f"known difference {name}: {known[name]}")
                if a.verbose:
                    print(udiff(o1, o2, a.compare[0], a.compare[1]))
            elif o1 != o2:
                failed += 1
                print(f"DIFF {name}")
                print(udiff(o1, o2, a.compare[0], a.compare[1]))
            elif name in known:
                print(f"note: {name} is listed as a known difference but is now identical")
            elif a.verbose:
                print(f"same {name}")
        print(f"{len(files) - failed}/{len(files)} cases identical or known differences "
              f"({failed} unexpected differences)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
