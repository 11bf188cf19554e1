"""`normlab submit | status | watch | results | follow-up | rediagnose | cancel`: the API from a
terminal."""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from cli.render import rediagnosis_lines, report_lines, status_lines
from cli.watch import watch
from normlab import ApiError, Client
from normlab.progress import ExperimentProgress


class InputError(Exception):
    """Something the user gave cannot be used (a missing file, a spec that is not JSON)."""


def read_spec(path: str) -> dict[str, Any]:
    """A spec file's JSON object."""
    try:
        spec = json.loads(Path(path).read_text())
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a text file") from None
    except ValueError as error:
        raise InputError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(spec, dict):
        raise InputError(f"{path} must hold a JSON object, the experiment spec")
    return spec


def _submit(client: Client, args: argparse.Namespace) -> int:
    if args.preset and args.spec:
        raise InputError("give a spec file or --preset NAME, not both")
    if not (args.preset or args.spec):
        raise InputError("give a spec file or --preset NAME")
    overrides = {key: getattr(args, key) for key in ("name", "seeds") if getattr(args, key)}
    experiment = client.submit(args.preset or read_spec(args.spec), **overrides)
    if args.quiet:
        print(experiment["id"])
    else:
        print(f"experiment {experiment['id']}: {len(experiment['jobs'])} jobs queued", flush=True)
    return watch(client, experiment["id"]) if args.watch else 0


def _status(client: Client, experiment_id: int) -> int:
    experiment = client.experiment(experiment_id)
    board = ExperimentProgress.of(experiment, client.report(experiment_id))
    print("\n".join(status_lines(experiment, board)))
    return 0


def _results(client: Client, experiment_id: int, csv: bool, metric: str | None) -> int:
    if csv:
        if metric:
            raise InputError("--metric chooses the report's figure; --csv has every figure")
        path = f"/experiments/{experiment_id}/metrics?format=csv"
        sys.stdout.write(client.http.text("GET", path, accept="text/csv"))
        return 0
    query = {"metric": metric} if metric else {}
    print("\n".join(report_lines(client.report(experiment_id, **query))))
    return 0


def _follow_up(client: Client, experiment_id: int, number: int | None) -> int:
    if number is None:
        experiment = client.follow_ups(experiment_id)
        print(
            f"experiment {experiment['id']}: {len(experiment['jobs'])} jobs queued, every "
            f"follow-up of experiment {experiment_id} (normlab results {experiment_id} shows "
            "what each confirms once they ran)"
        )
        return 0
    report = client.report(experiment_id)
    chosen = [f for f in report["follow_ups"] if f["number"] == number]
    if not chosen:
        raise InputError(f"experiment {experiment_id} has no follow-up {number}")
    experiment = client.submit(chosen[0]["spec"])
    print(f"experiment {experiment['id']}: {len(experiment['jobs'])} jobs queued")
    return 0


def _rediagnose(client: Client, experiment_ids: list[int]) -> int:
    for experiment_id in experiment_ids:
        before = client.report(experiment_id)
        done = client.rediagnose(experiment_id)
        print("\n".join(rediagnosis_lines(done, before, client.report(experiment_id))), flush=True)
    return 0


def _cancel(client: Client, identifier: int, job: bool) -> int:
    path = f"/jobs/{identifier}/cancel" if job else f"/experiments/{identifier}/cancel"
    answer = client.http.call("POST", path)
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
    submit.add_argument(
        "--preset", help="seed-question, seed-question-adaptive or seed-question-explained"
    )
    submit.add_argument("--name")
    submit.add_argument("--seeds", type=int, nargs="+")
    submit.add_argument("--watch", action="store_true", help="follow it until it ends")
    submit.add_argument("-q", "--quiet", action="store_true", help="print only its id")
    for name, text in (
        ("status", "one experiment's jobs"),
        ("watch", "a bar per job until all have ended, then the answer"),
    ):
        commands.add_parser(name, help=text).add_argument("id", type=int)
    results = commands.add_parser("results", help="the report, or every epoch as CSV")
    results.add_argument("id", type=int)
    results.add_argument("--csv", action="store_true")
    results.add_argument(
        "--metric",
        help="the final figure configs are compared on: loss, accuracy, test_loss (the "
        "default) or test_accuracy",
    )
    follow = commands.add_parser("follow-up", help="run the follow-ups the report suggests")
    follow.add_argument("id", type=int, help="the experiment")
    follow.add_argument(
        "number",
        type=int,
        nargs="?",
        help="only this one, as a plain experiment (without: all, and the report confirms them)",
    )
    again = commands.add_parser("rediagnose", help="diagnose ended jobs again, say what changed")
    again.add_argument("ids", type=int, nargs="+", metavar="id", help="experiments")
    cancel = commands.add_parser("cancel", help="cancel an experiment (or a job with --job)")
    cancel.add_argument("id", type=int)
    cancel.add_argument("--job", action="store_true")
    return main


def run(args: argparse.Namespace) -> int:
    """Run the parsed command against the API."""
    try:
        client = Client(args.url, args.key)
    except ApiError as error:
        raise InputError(f"--url: {error}") from None
    commands = {
        "submit": lambda: _submit(client, args),
        "status": lambda: _status(client, args.id),
        "watch": lambda: watch(client, args.id),
        "results": lambda: _results(client, args.id, args.csv, args.metric),
        "cancel": lambda: _cancel(client, args.id, args.job),
        "follow-up": lambda: _follow_up(client, args.id, args.number),
        "rediagnose": lambda: _rediagnose(client, args.ids),
    }
    return commands[args.command]()


def main(argv: list[str] | None = None) -> int:
    """Run one command: exit status 1 on an API error, 2 on unusable input, never a traceback."""
    args = parser().parse_args(argv)
    try:
        return run(args)
    except (ApiError, InputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2 if isinstance(error, InputError) else 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`normlab results 1 --csv | head`): nothing left to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
