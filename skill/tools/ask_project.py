"""The ASK CLI v2 project around the skill package: ``ask-resources.json``, ``lambda/`` and the stack.

Laid out as ``ask new`` lays out a Python skill with the CloudFormation deployer, so ``ask deploy``
creates the skill, uploads ``lambda/`` (already built: it has no requirements.txt, so the CLI zips
it as it is instead of pip-installing for the machine it runs on), deploys
``infrastructure/cfn-deployer/skill-stack.yaml`` and writes the stack's ``SkillEndpoint`` output
into skill.json's API and events endpoints.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path
from typing import Any, Optional

from skill.tools.lambda_bundle import LAMBDA_HANDLER, LAMBDA_RUNTIME

ASK_RESOURCES = "ask-resources.json"
ASK_RESOURCES_VERSION = "2020-03-31"
"""The only askcliResourcesVersion the ASK CLI v2 writes and reads."""
CFN_DEPLOYER = "@ask-cli/cfn-deployer"
SKILL_PACKAGE_DIR = "skill-package"
LAMBDA_DIR = "lambda"
STACK_PATH = "infrastructure/cfn-deployer/skill-stack.yaml"
STACK_TEMPLATE = Path(__file__).resolve().parent / "publish_assets" / "skill-stack.yaml"
DEFAULT_AWS_REGION = "us-east-1"
SALT_PARAMETER = "UserSalt"
SALT_BYTES = 32
SKILL_EVENTS = {"subscriptions": ["SKILL_DISABLED"]}
GITIGNORE = ".ask/\nask-resources.json\n"
"""The ASK CLI keeps deploy state in .ask/; ask-resources.json holds the user-id salt, a secret."""


def existing_salt(out: Path) -> Optional[str]:
    """The salt an earlier ``package`` wrote here: keeping it keeps every listener's memory."""
    path = out / ASK_RESOURCES
    if not path.exists():
        return None
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    parameters = (config.get("profiles", {}).get("default", {}).get("skillInfrastructure", {})
                  .get("userConfig", {}).get("cfn", {}).get("parameters", {}))
    salt = parameters.get(SALT_PARAMETER)
    return salt if isinstance(salt, str) and salt else None


def ask_resources(*, with_stack: bool, aws_region: str = DEFAULT_AWS_REGION, salt: Optional[str] = None,
                  snapstart: bool = False) -> dict[str, Any]:
    """ask-resources.json: the skill package alone (a web service, or a Lambda you run), or with the stack."""
    profile: dict[str, Any] = {"skillMetadata": {"src": f"./{SKILL_PACKAGE_DIR}"}}
    if with_stack:
        profile["code"] = {"default": {"src": f"./{LAMBDA_DIR}"}}
        profile["skillInfrastructure"] = {
            "type": CFN_DEPLOYER,
            "userConfig": {
                "runtime": LAMBDA_RUNTIME,
                "handler": LAMBDA_HANDLER,
                "templatePath": f"./{STACK_PATH}",
                "awsRegion": aws_region,
                "skillEvents": SKILL_EVENTS,
                "cfn": {"parameters": {SALT_PARAMETER: salt or secrets.token_urlsafe(SALT_BYTES),
                                       "SnapStart": "true" if snapstart else "false"}},
            },
        }
    return {"askcliResourcesVersion": ASK_RESOURCES_VERSION, "profiles": {"default": profile}}


def write_ask_resources(out: Path, config: dict[str, Any]) -> list[Path]:
    """ask-resources.json and a .gitignore that keeps its secret out of a repository."""
    path = out / ASK_RESOURCES
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)
    ignore = out / ".gitignore"
    ignore.write_text(GITIGNORE, encoding="utf-8")
    return [path, ignore]


def write_stack(out: Path) -> list[Path]:
    """The CloudFormation template, where ask-resources.json's templatePath says."""
    path = out / STACK_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STACK_TEMPLATE, path)
    return [path]
