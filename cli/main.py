"""`normlab submit | status | watch | results | follow-up | cancel`: the API from a terminal."""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from cli.http import ApiError, Client
from cli.render import progress_lines, report_lines, status_lines


def _submit(client: Client, args: argparse.Namespace) -> int:
    if args.preset:
        body: dict[str, Any] = {"preset": args.preset}
    elif args.spec:
        body = json.loads(Path(args.spec).read_text())
    else:
        raise ApiError("give a spec file or --preset NAME")
    if args.name:
        body["name"] = args.name
    if args.seeds:
        body["seeds"] = args.seeds
    experiment = client.call("POST", "/experiments", body)
    print(f"experiment {experiment['id']}: {len(experiment['jobs'])} jobs queued")
    return _watch(client, experiment["id"]) if args.watch else 0


def _status(client: Client, experiment_id: int) -> int:
    print("\n".join(status_lines(client.call("GET", f"/experiments/{experiment_id}"))))
    return 0


def _watch(client: Client, experiment_id: int) -> int:
    experiment = client.call("GET", f"/experiments/{experiment_id}")
    jobs = {job["id"]: job for job in experiment["jobs"]}
    redraw = sys.stdout.isatty()
    shown = 0
    for kind, data in client.events(f"/experiments/{experiment_id}/events"):
        job = jobs.get(data.get("job_id", -1))
        if job is not None and kind == "epoch":
            job["progress"]["epoch"] = data["epoch"]
        elif job is not None and kind == "status":
            job["status"] = data["status"]
        lines = progress_lines(list(jobs.values()))
        if redraw and shown:
            print(f"\x1b[{shown}F", end="")
        print(
            "\n".join(lines) if redraw else lines[list(jobs).index(job["id"])] if job else "",
            flush=True,
        )
        shown = len(lines)
    final = client.call("GET", f"/experiments/{experiment_id}")
    print(f"experiment {experiment_id}: {final['status']}")
    return 0 if final["status"] == "succeeded" else 1


def _results(client: Client, experiment_id: int, csv: bool) -> int:
    if csv:
        sys.stdout.write(
            client.text(
                "GET", f"/experiments/{experiment_id}/metrics?format=csv", accept="text/csv"
            )
        )
        return 0
    print("\n".join(report_lines(client.call("GET", f"/experiments/{experiment_id}/report"))))
    return 0


def _follow_up(client: Client, experiment_id: int, number: int) -> int:
    report = client.call("GET", f"/experiments/{experiment_id}/report")
    chosen = [f for f in report["follow_ups"] if f["number"] == number]
    if not chosen:
        raise ApiError(f"experiment {experiment_id} has no follow-up {number}")
    experiment = client.call("POST", "/experiments", chosen[0]["spec"])
    print(f"experiment {experiment['id']}: {len(experiment['jobs'])} jobs queued")
    return 0


def _cancel(client: Client, identifier: int, job: bool) -> int:
    path = f"/jobs/{identifier}/cancel" if job else f"/experiments/{identifier}/cancel"
    answer = client.call("POST", path)
    print(f"{'job' if job else 'experiment'} {identifier}: {answer['status']}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line."""
    main = argparse.ArgumentParser(prog="normlab", description=__doc__)
    main.add_argument(
        "--url",
        default=os.environ.get("NORMLAB_URL", "http://127.0.0.1:8000"),
        help="the API (env NORMLAB_URL)",
    )
    main.add_argument(
        "--key", default=os.environ.get("NORMLAB_API_KEY"), help="API key (env NORMLAB_API_KEY)"
    )
    commands = main.add_subparsers(dest="command", required=True)
    submit = commands.add_parser("submit", help="submit an experiment spec or a preset")
    submit.add_argument("spec", nargs="?", help="a JSON spec file")
    submit.add_argument("--preset", help="seed-question or seed-question-explained")
    submit.add_argument("--name")
    submit.add_argument("--seeds", type=int, nargs="+")
    submit.add_argument("--watch", action="store_true", help="follow it until it ends")
    for name, text in (
        ("status", "one experiment's jobs"),
        ("watch", "progress bars until it ends"),
    ):
        commands.add_parser(name, help=text).add_argument("id", type=int)
    results = commands.add_parser("results", help="the report, or every epoch as CSV")
    results.add_argument("id", type=int)
    results.add_argument("--csv", action="store_true")
    follow = commands.add_parser("follow-up", help="submit a follow-up the report suggests")
    follow.add_argument("id", type=int, help="the experiment")
    follow.add_argument("number", type=int, help="the follow-up's number in its report")
    cancel = commands.add_parser("cancel", help="cancel an experiment (or a job with --job)")
    cancel.add_argument("id", type=int)
    cancel.add_argument("--job", action="store_true")
    return main


def main(argv: list[str] | None = None) -> int:
    """Run one command; exit status 1 on an API error."""
    args = parser().parse_args(argv)
    try:
        client = Client(args.url, args.key)
    except ApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    commands = {
        "submit": lambda: _submit(client, args),
        "status": lambda: _status(client, args.id),
        "watch": lambda: _watch(client, args.id),
        "results": lambda: _results(client, args.id, args.csv),
        "cancel": lambda: _cancel(client, args.id, args.job),
        "follow-up": lambda: _follow_up(client, args.id, args.number),
    }
    try:
        return commands[args.command]()
    except ApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
