"""``cramp-coach package``, ``check`` and ``review``: publishing and sign-off from the terminal.

Each command is a thin wrapper; the work lives in skill/publish.py, skill/check.py and
skill/review.py, imported inside the command so ``--help`` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click


@click.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              metavar="DIR", help="Folder to write skill-package/ into (created if needed).")
@click.option("--endpoint", metavar="URL", help="The web service's HTTPS URL, e.g. https://coach.example.org/alexa.")
@click.option("--lambda-arn", metavar="ARN", help="The AWS Lambda function's ARN, instead of --endpoint.")
@click.option("--ssl-certificate-type", default="Trusted", show_default=True, metavar="TYPE",
              help="With --endpoint: Trusted, Wildcard, or SelfSigned (testing only), "
                   "the kind of certificate the web service presents.")
def package(out: Path, endpoint: Optional[str], lambda_arn: Optional[str], ssl_certificate_type: str) -> None:
    """Write an ASK CLI skill package: skill.json and every locale's interaction model.

    The manifest is checked against Amazon's publishing rules first; nothing is written if
    any is broken. Give exactly one of --endpoint and --lambda-arn. Deploy with the ASK CLI
    (`ask deploy`) from a project whose skill-package/ is this one.

    \b
    Examples:
      cramp-coach package --out build --lambda-arn arn:aws:lambda:us-east-1:123456789012:function:cramp-coach
      cramp-coach package --out build --endpoint https://coach.example.org/alexa
    """
    from skill.publish import EndpointError
    from skill.publish import package as write_package

    try:
        written = write_package(out, endpoint=endpoint, lambda_arn=lambda_arn,
                                ssl_certificate_type=ssl_certificate_type)
    except EndpointError as error:
        raise click.UsageError(str(error)) from None
    except ValueError as error:
        raise click.ClickException(f"{error}\n(fix these, then run it again; `cramp-coach check` lists them too)") from None
    for path in written:
        click.echo(f"wrote {path}")
    click.echo("before submitting for certification: add smallIconUri (108x108 PNG) and largeIconUri "
               "(512x512 PNG) to each locale in skill.json", err=True)
    if ssl_certificate_type == "SelfSigned":
        click.echo("a SelfSigned certificate is for testing only; certification needs a trusted one", err=True)


@click.command()
def check() -> None:
    """Check content, interaction models, APL documents and the store listing.

    Prints each problem with its file and key, and exits 1 if there is any; prints a short
    summary and exits 0 when everything is clean. Run it before committing content.
    """
    from skill.check import run_checks

    report = run_checks()
    for problem in report.problems:
        click.echo(problem, err=True)
    if not report.ok:
        count = len(report.problems)
        click.echo(f"{count} problem{'s' if count > 1 else ''}: fix {'them' if count > 1 else 'it'} "
                   "and run `cramp-coach check` again", err=True)
        raise click.exceptions.Exit(1)
    for line in report.checked:
        click.echo(f"ok  {line}")


@click.command()
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("review.html"),
              show_default=True, metavar="FILE", help="Where to write the HTML page.")
def review(out: Path) -> None:
    """Write one printable page of everything the skill says, for a midwife or doctor to sign off.

    Every intent with example utterances, every answer as spoken with its article section
    and whether the doctor line is there, the guided stretch, and a sign-off box. Open it in
    a browser and print it.
    """
    from skill.content import ContentError
    from skill.review import write_review

    try:
        write_review(out)
    except ContentError as error:
        raise click.ClickException(f"{error} (fix the content, then try again)") from None
    click.echo(f"wrote {out}")


@click.command()
@click.option("--locale", default="en-US", show_default=True, metavar="LOCALE",
              help="Which evaluation set and model: interaction_models/evaluation/LOCALE.json.")
@click.option("--min-accuracy", type=click.FloatRange(0, 1), default=None, metavar="X",
              help="Exit 1 when overall accuracy is below X, a share such as 0.95.")
def evaluate(locale: str, min_accuracy: Optional[float]) -> None:
    """Score the held-out NLU evaluation set against the local understanding.

    Prints each intent's precision, recall and breadth (how many of its utterances use only
    words one of its samples has), every miss with what was heard instead, and the overall
    figures against the targets. Utterances labelled for intents still pending elsewhere are
    counted but not scored. Amazon's own evaluation of the deployed model uses the same file
    (see the README).

    \b
    Examples:
      cramp-coach evaluate
      cramp-coach evaluate --locale en-US --min-accuracy 0.95
    """
    from skill.evaluation import EvaluationSetError, evaluate_locale, report_lines

    try:
        evaluation = evaluate_locale(locale)
    except (EvaluationSetError, FileNotFoundError) as error:
        raise click.ClickException(f"{error} (the sets live in interaction_models/evaluation/)") from None
    for line in report_lines(evaluation):
        click.echo(line)
    for failure in evaluation.target_failures():
        click.echo(f"below target: {failure}", err=True)
    if min_accuracy is not None and evaluation.accuracy < min_accuracy:
        click.echo(f"overall accuracy {evaluation.accuracy:.1%} is below --min-accuracy {min_accuracy:.1%}", err=True)
        raise click.exceptions.Exit(1)
