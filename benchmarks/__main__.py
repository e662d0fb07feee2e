"""``python -m benchmarks [all|speech|understanding|in-process|wsgi|cold-start|http]``: run, print the tables, keep the JSON."""

from __future__ import annotations

import click

from benchmarks import report


@click.command()
@click.argument("which", type=click.Choice(["all", "speech", "understanding", "in-process", "wsgi", "cold-start",
                                           "lambda-bundle", "http"]),
                default="all")
@click.option("--rounds", type=click.IntRange(1, 50),
              help="Rounds per benchmark (defaults: 5 in process and WSGI, 10 cold starts, 3 over HTTP).")
@click.option("--duration", type=click.IntRange(1, 60), default=10, show_default=True,
              help="Seconds of load per HTTP run.")
@click.option("--samples", type=click.IntRange(100, 100_000), default=2000, show_default=True,
              help="Timed calls per skill, request type and round, in process.")
@click.option("--also-threads", type=click.IntRange(1, 64), multiple=True,
              help="Over HTTP: Cramp Coach again with `serve --threads N` (1: sync workers); repeatable.")
def main(which: str, rounds: int | None, duration: int, samples: int, also_threads: tuple[int, ...]) -> None:
    """Measure Cramp Coach against a minimal skill on the plain ask-sdk-core, in the same run.

    Each benchmark alternates the skills over several rounds and prints medians with their range
    over the rounds, and the ratio to the minimal skill; the JSON goes to benchmarks/results/.
    Over HTTP needs wrk (apt-get install wrk). Keep the machine otherwise idle.
    """
    info = report.machine()
    click.echo(f"machine: {report.describe(info)}")
    if which in ("all", "speech"):
        from benchmarks import speech_length

        _run("speech length", "speech", speech_length.run(), speech_length.show)
    if which in ("all", "understanding"):
        from benchmarks import understanding

        click.echo("the local understanding: load, and understand each evaluation utterance …")
        _run("local understanding", "understanding", understanding.run(rounds=rounds or 5), understanding.show)
    if which in ("all", "in-process"):
        from benchmarks import in_process

        click.echo("in process: envelope dict → response dict …")
        _run("in process", "in-process", in_process.run(rounds=rounds or 5, samples=samples), in_process.show)
    if which in ("all", "wsgi"):
        from benchmarks import web_breakdown

        click.echo("the web apps in process (WSGI), features taken away one at a time …")
        _run("where a web request's time goes", "wsgi", web_breakdown.run(rounds=rounds or 5), web_breakdown.show)
    if which in ("all", "cold-start"):
        from benchmarks import cold_start

        click.echo("cold start: process start → first response …")
        _run("cold start", "cold-start", cold_start.run(rounds=rounds or 10), cold_start.show)
    if which in ("all", "lambda-bundle"):
        from benchmarks import lambda_bundle

        click.echo("the built Lambda bundle's cold start, her memory in DynamoDB (dynalite) …")
        _run("Lambda bundle cold start", "lambda-bundle", lambda_bundle.run(rounds=rounds or 10), lambda_bundle.show)
    if which in ("all", "http"):
        from benchmarks import over_http

        click.echo("over HTTP: serve (gthread) and gunicorn -w 2 -k sync, wrk with 16 connections …")
        _run("over HTTP", "http", over_http.run(rounds=rounds or 3, duration=duration, also_threads=also_threads),
             over_http.show)


def _run(title: str, name: str, result: dict, show) -> None:  # type: ignore[no-untyped-def]
    click.echo(f"\n== {title} ==\n{show(result)}")
    click.echo(f"(saved {report.save(name, result).relative_to(report.RESULTS_DIR.parent.parent)})\n")


if __name__ == "__main__":
    main()
