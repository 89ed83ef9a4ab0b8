#!/usr/bin/env bash
# Pipeline's one test command: sets the machine up (infra/servers.sh install), starts RabbitMQ and Azurite, runs
# `dotnet test Pipeline.sln`, always stops the servers, and ends with one line CI parses:
#   tests: N passed, N failed, N skipped
# Counts are summed over every test project's TRX file. A test project of the solution that leaves no TRX (build
# broke, test host died before writing) counts as one failure, and so does a run that reports an error; a whole run
# with zero tests fails too, because a green result that executed nothing would hide broken discovery.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results="$repo/.infra/test-results"
configuration=${PIPELINE_TEST_CONFIGURATION:-Release}

passed=0 failed=0 skipped=0
verdict=1       # 0 once the TRX files show at least one test and no failure
projects=()     # set once the solution is read; tally() only runs after that
dotnet_rc=0

# Runs on every exit (success, failure, Ctrl-C, timeout): counts what ran, stops the servers, prints the summary last.
finish() {
    local rc=$? status=1
    trap - EXIT INT TERM
    [ ${#projects[@]} -gt 0 ] && { tally || rc=1; }
    "$repo/infra/servers.sh" stop || { echo "test: stopping the servers failed" >&2; rc=1; }
    [ -n "${started:-}" ] && echo "test: finished in $(($(date +%s) - started))s"
    [ "$rc" -eq 0 ] && [ "$dotnet_rc" -eq 0 ] && [ "$verdict" -eq 0 ] && status=0
    echo "tests: $passed passed, $failed failed, $skipped skipped"
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

# Every test project of the solution, by assembly name; each is expected to leave one TRX file.
expected_projects() {
    dotnet sln "$repo/Pipeline.sln" list | sed -n 's#.*/\([^/]*\.Tests\)\.csproj$#\1#p' | sort -u
}

# Sums the TRX files into "passed failed skipped exit" on the last line, after one report line per project.
summarize() {
    python3 - "$results" "$@" <<'PY'
import os, re, sys
import xml.etree.ElementTree as ET
from pathlib import Path

results, expected = Path(sys.argv[1]), set(sys.argv[2:])
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
failing = {"Failed", "Error", "Timeout", "Aborted"}


def owner(root, text):
    """TRX files are named by time, not by project: find the test assembly a file belongs to."""
    dlls = {os.path.basename(e.get("storage", "")) for e in root.iterfind(".//t:UnitTest", ns)}
    names = {n for n in expected if f"{n.lower()}.dll" in dlls}
    names = names or set(re.findall(r"Discover(?:ing|ed):\s+(\S+)", text)) & expected
    return names or {n for n in expected if f"{n.lower()}.dll" in text.lower()}


passed = failed = skipped = 0
seen, problems = set(), []
for trx in sorted(results.glob("*.trx")):
    text = trx.read_text(encoding="utf-8-sig", errors="replace")
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        failed += 1
        problems.append(f"{trx.name}: unreadable results ({e})")
        continue
    names = owner(root, text)
    seen |= names
    name = ", ".join(sorted(names)) or trx.name
    # Outcomes of the results themselves: the summary counters leave skipped (NotExecuted) tests out.
    outcomes = [r.get("outcome", "") for r in root.iterfind(".//t:Results/t:UnitTestResult", ns)]
    p = outcomes.count("Passed")
    f = sum(o in failing for o in outcomes)
    s = len(outcomes) - p - f
    passed, failed, skipped = passed + p, failed + f, skipped + s
    print(f"  {name}: {p} passed, {f} failed, {s} skipped")
    summary = root.find("t:ResultSummary", ns)
    run_outcome = summary.get("outcome", "") if summary is not None else "missing"
    if f == 0 and run_outcome not in ("Completed", "Passed", "Warning"):
        # The run itself went wrong (host crash, abort) without a failed test to show for it.
        errors = [r.findtext("t:Text", "", ns).strip() for r in root.iterfind(".//t:RunInfos/t:RunInfo", ns)
                  if r.get("outcome") == "Error"]
        failed += 1
        reason = errors[0].splitlines()[0] if errors and errors[0] else f"run outcome {run_outcome}"
        problems.append(f"{name}: {reason}")
    elif not outcomes:
        print(f"  warning: {name} has no tests")
for name in sorted(expected - seen):
    failed += 1
    problems.append(f"{name}: no results (did not build, or its test host died before writing them)")
for problem in problems:
    print(f"  FAILURE {problem}")
total = passed + failed + skipped
if total == 0:
    print("  FAILURE no test ran at all")
print(passed, failed, skipped, 0 if failed == 0 and total > 0 else 1)
PY
}

# Reads the TRX files into passed/failed/skipped/verdict and prints the per-project report.
tally() {
    local summary
    echo "test: results by project (${#projects[@]} expected: ${projects[*]})"
    summary=$(summarize "${projects[@]}") || return 1
    printf '%s\n' "$summary" | sed '$d'
    read -r passed failed skipped verdict < <(printf '%s\n' "$summary" | tail -n 1)
    if [ "$dotnet_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
        echo "  FAILURE dotnet test exited with $dotnet_rc although no test failed"
        failed=1
    fi
}

cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

started=$(date +%s)
"$repo/infra/servers.sh" install
"$repo/infra/servers.sh" start
echo "test: set-up took $(($(date +%s) - started))s"

rm -rf "$results"
mkdir -p "$results"
mapfile -t projects < <(expected_projects)
[ ${#projects[@]} -gt 0 ] || { echo "test: no *.Tests project in Pipeline.sln" >&2; exit 1; }
# --blame-hang-timeout ends a test that hangs (say, waiting on a message that never comes) so the run stays bounded;
# the aborted run then shows up as a failure in its TRX. --disable-build-servers leaves no compiler or MSBuild node
# running after the job, which would otherwise hold a CI runner's output pipe open.
dotnet test Pipeline.sln -c "$configuration" --logger trx --results-directory "$results" --disable-build-servers \
    --blame-hang-timeout 10m --blame-hang-dump-type none || dotnet_rc=$?
