"""``cramp-coach package``, ``check`` and ``review``: publishing and sign-off from the terminal.

Each command is a thin wrapper; the work lives in skill/tools/publish.py, skill/tools/check.py and
skill/tools/review.py, imported inside the command so ``--help`` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click


@click.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              metavar="DIR", help="The ASK CLI project folder to write (created if needed).")
@click.option("--endpoint", metavar="URL", help="The web service's HTTPS URL on port 443, e.g. https://coach.example.org/alexa.")
@click.option("--lambda-arn", metavar="ARN", help="A Lambda function you run yourself, instead of the stack.")
@click.option("--ssl-certificate-type", default="Trusted", show_default=True, metavar="TYPE",
              help="With --endpoint: Trusted, Wildcard, or SelfSigned (testing only), "
                   "the kind of certificate the web service presents.")
@click.option("--aws-region", default="us-east-1", show_default=True, metavar="REGION",
              help="Where the stack puts the function and table: us-east-1, us-west-2, eu-west-1 or ap-northeast-1.")
@click.option("--user-salt", envvar="CRAMP_COACH_USER_SALT", show_envvar=True, metavar="SECRET",
              help="The stack's salt for user ids (default: the one already in DIR, else a new random one).")
@click.option("--snapstart/--no-snapstart", default=False, show_default=True,
              help="Turn on Lambda SnapStart in the stack (shorter cold starts, billed per snapshot).")
@click.option("--privacy-policy-url", metavar="URL", help="Your privacy notice (e.g. serve's https://…/privacy).")
@click.option("--terms-of-use-url", metavar="URL", help="Your terms of use.")
@click.option("--small-icon-url", metavar="URL", help="A 108x108 PNG instead of the icon shipped in assets/.")
@click.option("--large-icon-url", metavar="URL", help="A 512x512 PNG instead of the icon shipped in assets/.")
def package(out: Path, endpoint: Optional[str], lambda_arn: Optional[str], ssl_certificate_type: str,
            aws_region: str, user_salt: Optional[str], snapstart: bool, privacy_policy_url: Optional[str],
            terms_of_use_url: Optional[str], small_icon_url: Optional[str], large_icon_url: Optional[str]) -> None:
    """Write an ASK CLI project that `ask deploy` deploys.

    With neither --endpoint nor --lambda-arn: skill-package/, lambda/ (the built Lambda bundle),
    infrastructure/cfn-deployer/skill-stack.yaml (function, Alexa trigger, role, DynamoDB table)
    and ask-resources.json; `ask deploy` creates it all and fills in the endpoints. With one of
    them: skill-package/ and ask-resources.json for a skill hosted elsewhere.

    The manifest is checked against Amazon's publishing rules first; nothing is written if any
    is broken.

    \b
    Examples:
      cramp-coach package --out build/ask && cd build/ask && ask deploy
      cramp-coach package --out build --endpoint https://coach.example.org/alexa \\
          --privacy-policy-url https://coach.example.org/privacy
    """
    from skill.tools.lambda_bundle import BundleError
    from skill.tools.publish import EndpointError, Hosting, PublishingLinks
    from skill.tools.publish import package as write_package

    hosting = Hosting(endpoint=endpoint, lambda_arn=lambda_arn, ssl_certificate_type=ssl_certificate_type,
                      aws_region=aws_region, user_salt=user_salt, snapstart=snapstart)
    links = PublishingLinks(privacy_policy_url=privacy_policy_url, terms_of_use_url=terms_of_use_url,
                            small_icon_url=small_icon_url, large_icon_url=large_icon_url)
    try:
        written = write_package(out, hosting, links)
    except EndpointError as error:
        raise click.UsageError(str(error)) from None
    except BundleError as error:
        raise click.ClickException(str(error)) from None
    except ValueError as error:
        raise click.ClickException(f"{error}\n(fix these, then run it again; `cramp-coach check` lists them too)") from None
    for path in written:
        click.echo(f"wrote {path}")
    if not privacy_policy_url:
        click.echo("before submitting for certification: give --privacy-policy-url (serve publishes one at "
                   "/privacy; PRIVACY.md is its text)", err=True)
    if ssl_certificate_type == "SelfSigned":
        click.echo("a SelfSigned certificate is for testing only; certification needs a trusted one", err=True)


@click.command("build-lambda")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def build_lambda(out: Path) -> None:
    """Build the AWS Lambda bundle in OUT: the skill and only what its Lambda path imports.

    OUT is emptied first (only if build-lambda made it). Wheels are for the Lambda runtime's
    Python and platform; boto3 comes from the runtime. Zip OUT's contents, or let
    `cramp-coach package` put it in the ASK CLI project's lambda/.
    """
    from skill.tools.lambda_bundle import BundleError
    from skill.tools.lambda_bundle import build_lambda as build

    try:
        bundle = build(out)
    except BundleError as error:
        raise click.ClickException(str(error)) from None
    compiled = f"bytecode for Python {bundle.compiled_for}" if bundle.compiled_for else "no bytecode (no Python of the runtime's version here)"
    click.echo(f"built {bundle.path}: {bundle.size_bytes() / 1e6:.1f} MB, {len(bundle.requirements)} packages, {compiled}")


@click.command()
def check() -> None:
    """Check content, interaction models, APL documents and the store listing.

    Prints each problem with its file and key, and exits 1 if there is any; prints a short
    summary and exits 0 when everything is clean. Run it before committing content.
    """
    from skill.tools.check import run_checks

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
    from skill.runtime.content import ContentError
    from skill.tools.review import write_review

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
@click.option("--set", "annotation_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              metavar="FILE", help="Score this annotation set (a development set, say) instead of the held-out one.")
def evaluate(locale: str, min_accuracy: Optional[float], annotation_file: Optional[Path]) -> None:
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
      cramp-coach evaluate --set tests/data/nlu_dev_en-US.json
    """
    from skill.tools.evaluation import EvaluationSetError, evaluate_file, evaluate_locale, report_lines

    try:
        evaluation = evaluate_file(locale, annotation_file) if annotation_file else evaluate_locale(locale)
    except (EvaluationSetError, FileNotFoundError) as error:
        hint = "" if annotation_file else " (the sets live in interaction_models/evaluation/)"
        raise click.ClickException(f"{error}{hint}") from None
    for line in report_lines(evaluation):
        click.echo(line)
    for failure in evaluation.target_failures():
        click.echo(f"below target: {failure}", err=True)
    if min_accuracy is not None and evaluation.accuracy < min_accuracy:
        click.echo(f"overall accuracy {evaluation.accuracy:.1%} is below --min-accuracy {min_accuracy:.1%}", err=True)
        raise click.exceptions.Exit(1)
