"""`cramp-coach package` with no endpoint writes the ASK CLI project `ask deploy` deploys: the skill
package, the built Lambda bundle, the CloudFormation stack and ask-resources.json, each checked
offline against what the ASK CLI and CloudFormation read, and the bundle run as Lambda runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from skill.runtime.envelope import LOCAL_SKILL_ID, Session, intent_request, launch_request
from skill.tools.lambda_bundle import LAMBDA_RUNTIME, PROVIDED_BY_RUNTIME, interpreter_for, runtime_version
from skill.runtime.stores import StoreConfig, open_store

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REQUESTS = Path(__file__).resolve().parent / "requests"
# What the ASK CLI's cfn-deployer passes to every stack (lib/builtins/deploy-delegates/cfn-deployer).
CFN_DEPLOYER_PARAMETERS = {"SkillId", "LambdaRuntime", "LambdaHandler", "CodeBucket", "CodeKey", "CodeVersion"}
NOT_IN_THE_BUNDLE = ("flask", "werkzeug", "gunicorn", "cryptography", "orjson", "boto3", "botocore", "_pytest")
BUNDLE_MAX_BYTES = 15_000_000
RUNTIME_PROVIDES = (*sorted(PROVIDED_BY_RUNTIME), "snapshot_restore_py.py")
"""What the Lambda Python runtime has beside the bundle (as folders and files to link from here)."""


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads CloudFormation's short tags (!Ref, !GetAtt …) as {"Ref": …} mappings."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node):
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        return {name: value.split(".") if suffix == "GetAtt" else value}
    if isinstance(node, yaml.SequenceNode):
        return {name: loader.construct_sequence(node, deep=True)}
    return {name: loader.construct_mapping(node, deep=True)}


_CloudFormationLoader.add_multi_constructor("!", _tag)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ask") / "cramp-coach"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("CRAMP_COACH_USER_SALT", None)
    result = subprocess.run([sys.executable, "-m", "skill.tools.cli", "package", "--out", str(out)],
                            capture_output=True, text=True, timeout=300, env=env, cwd=out.parent)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def resources(project) -> dict:
    return json.loads((project / "ask-resources.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def stack(project) -> dict:
    return yaml.load((project / "infrastructure/cfn-deployer/skill-stack.yaml").read_text(), _CloudFormationLoader)


# --------------------------------------------------------------------------- what the ASK CLI reads


def test_ask_resources_is_the_layout_ask_new_gives_a_python_skill_with_the_cfn_deployer(project, resources):
    assert resources["askcliResourcesVersion"] == "2020-03-31"
    profile = resources["profiles"]["default"]
    assert (project / profile["skillMetadata"]["src"] / "skill.json").is_file()
    assert (project / profile["code"]["default"]["src"] / "skill" / "lambda_function.py").is_file()
    infrastructure = profile["skillInfrastructure"]
    assert infrastructure["type"] == "@ask-cli/cfn-deployer"
    config = infrastructure["userConfig"]
    assert (project / config["templatePath"]).is_file()
    assert config["runtime"] == LAMBDA_RUNTIME and config["handler"] == "skill.lambda_function.handler"
    assert config["awsRegion"] == "us-east-1"
    # The CLI writes the stack's endpoint into skill.json's events, with these subscriptions.
    assert config["skillEvents"] == {"subscriptions": ["SKILL_DISABLED"]}
    # The CLI refuses user parameters that shadow its own, and CloudFormation refuses undeclared ones.
    assert not set(config["cfn"]["parameters"]) & CFN_DEPLOYER_PARAMETERS


def test_the_stack_declares_every_parameter_the_cli_passes_and_returns_the_skill_endpoint(resources, stack):
    user_parameters = resources["profiles"]["default"]["skillInfrastructure"]["userConfig"]["cfn"]["parameters"]
    assert CFN_DEPLOYER_PARAMETERS | set(user_parameters) == set(stack["Parameters"])
    assert stack["Outputs"]["SkillEndpoint"]["Value"] == {"Ref": "SkillAlias"}


def test_the_cli_zips_lambda_as_built_instead_of_pip_installing_for_the_machine_it_runs_on(project):
    # Its python-pip build flow runs on a requirements.txt, its custom flow on hooks/build.sh.
    assert not (project / "lambda" / "requirements.txt").exists()
    assert not (project / "hooks").exists()


def test_the_skill_package_has_no_endpoint_until_the_stack_gives_one(project):
    body = json.loads((project / "skill-package" / "skill.json").read_text(encoding="utf-8"))["manifest"]
    assert "endpoint" not in body["apis"]["custom"]
    assert "events" not in body  # the CLI adds them with the stack's endpoint (skillEvents)
    for listing in body["publishingInformation"]["locales"].values():
        assert (project / "skill-package" / listing["smallIconUri"].removeprefix("file://")).is_file()


def test_packaging_again_keeps_the_salt_so_every_listener_keeps_her_memory(project, resources, tmp_path):
    copy = tmp_path / "again"
    copy.mkdir()
    shutil.copy(project / "ask-resources.json", copy)
    from skill.tools import ask_project

    salt = resources["profiles"]["default"]["skillInfrastructure"]["userConfig"]["cfn"]["parameters"]["UserSalt"]
    assert len(salt) >= 32
    assert ask_project.existing_salt(copy) == salt
    assert ask_project.existing_salt(tmp_path) is None
    assert (project / ".gitignore").read_text().splitlines() == [".ask/", "ask-resources.json"]


# --------------------------------------------------------------------------- the stack


def test_the_stack_passes_cfn_lint(project, tmp_path):
    from cfnlint.api import lint_file

    template = project / "infrastructure/cfn-deployer/skill-stack.yaml"
    assert [str(match) for match in lint_file(template)] == []
    broken = tmp_path / "broken.yaml"  # the same lint finds a real mistake
    broken.write_text(template.read_text().replace("BillingMode: PAY_PER_REQUEST", "BillingMode: ON_DEMAND"))
    assert any("ON_DEMAND" in str(match) for match in lint_file(broken))


def test_the_role_may_only_log_and_describe_read_write_delete_items_in_its_own_table(stack):
    (policy,) = stack["Resources"]["SkillRole"]["Properties"]["Policies"]
    grants = {(tuple(s["Action"]), json.dumps(s["Resource"])) for s in policy["PolicyDocument"]["Statement"]}
    assert all(s["Effect"] == "Allow" for s in policy["PolicyDocument"]["Statement"])
    assert grants == {
        (("logs:CreateLogStream", "logs:PutLogEvents"), json.dumps({"Fn::GetAtt": ["SkillLogGroup", "Arn"]})),
        (("dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"), json.dumps({"Fn::GetAtt": ["MemoryTable", "Arn"]})),
    }


def test_only_this_skill_may_invoke_the_function(stack):
    trigger = stack["Resources"]["AlexaSkillTrigger"]["Properties"]
    assert trigger["Principal"] == "alexa-appkit.amazon.com"
    assert trigger["EventSourceToken"] == {"Ref": "SkillId"}
    assert trigger["FunctionName"] == {"Ref": "SkillAlias"}


def test_the_table_is_on_demand_with_the_key_amazons_adapter_uses(stack, monkeypatch):
    import inspect

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the adapter module makes a boto3 resource on import
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    key = inspect.signature(DynamoDbAdapter).parameters["partition_key_name"].default
    table = stack["Resources"]["MemoryTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": key, "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": key, "AttributeType": "S"}]


def test_package_refuses_a_salt_the_stack_would_refuse(stack):
    from skill.tools.publish import USER_SALT_MIN_CHARS

    assert stack["Parameters"]["UserSalt"]["MinLength"] == USER_SALT_MIN_CHARS
    assert stack["Parameters"]["UserSalt"]["NoEcho"] is True


def test_the_function_gets_the_settings_the_lambda_entry_reads(stack):
    import skill.lambda_function as lambda_function

    function = stack["Resources"]["SkillFunction"]["Properties"]
    assert set(function["Environment"]["Variables"]) == {
        lambda_function.SKILL_ID_VARIABLE, lambda_function.DYNAMODB_TABLE_VARIABLE, lambda_function.USER_SALT_VARIABLE}
    assert function["Timeout"] < 8  # Alexa waits 8 s
    assert function["SnapStart"] == {"ApplyOn": {"Fn::If": ["UseSnapStart", "PublishedVersions", "None"]}}


# --------------------------------------------------------------------------- the bundle, as Lambda runs it

RUN_AS_LAMBDA = """
import json, os, sys
sys.path[:0] = json.loads(sys.argv[1])
import skill.lambda_function as entry
hooks = []
if os.environ.get("TAKE_SNAPSHOT"):  # what SnapStart does after init: the before-snapshot hooks, last first
    from snapshot_restore_py import get_before_snapshot
    hooks = get_before_snapshot()
    for hook, args, kwargs in reversed(hooks):
        hook(*args, **kwargs)
answers = [entry.handler(event, None) for event in json.load(sys.stdin)]
print(json.dumps({"answers": answers, "modules": sorted(sys.modules), "hooks": len(hooks)}))
"""


@pytest.fixture(scope="module")
def runtime_python() -> str:
    python = interpreter_for(runtime_version())
    if python is None:
        pytest.skip(f"no Python {runtime_version()} here to run the bundle as {LAMBDA_RUNTIME} would")
    return python


def run_bundle(python: str, paths: list[Path], events: list[dict], **environment: str) -> dict:
    """A fresh interpreter, isolated from this one (-I -S): only ``paths`` and the standard library."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRAMP_COACH_", "PYTHON"))}
    result = subprocess.run([python, "-I", "-S", "-c", RUN_AS_LAMBDA, json.dumps([str(p) for p in paths])],
                            input=json.dumps(events), capture_output=True, text=True, timeout=120,
                            env={**env, **environment})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def speech(answer: dict) -> str:
    return answer["response"]["outputSpeech"]["ssml"]


def test_the_bundle_answers_real_request_shapes_with_only_itself_on_the_path(project, runtime_python):
    bundle = project / "lambda"
    session = Session()
    disabled = json.loads((REQUESTS / "skill_disabled_event.json").read_text())
    disabled["context"]["System"]["application"]["applicationId"] = LOCAL_SKILL_ID
    events = [json.loads((REQUESTS / "launch_request_echo_dot.json").read_text()),
              json.loads((REQUESTS / "intent_request_echo_show.json").read_text()),
              intent_request(session, "FoodAndDrinkIntent"), disabled]
    for event in events[:2]:
        event["context"]["System"]["application"]["applicationId"] = LOCAL_SKILL_ID
        if "session" in event:
            event["session"]["application"]["applicationId"] = LOCAL_SKILL_ID
    seen = run_bundle(runtime_python, [bundle], events, CRAMP_COACH_SKILL_ID=LOCAL_SKILL_ID)
    launch, show, food, _ = seen["answers"]
    assert "Cramp Coach" in speech(launch)
    assert show["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert "calcium" in speech(food)
    assert not [m for m in seen["modules"] if m.split(".")[0] in NOT_IN_THE_BUNDLE]


def test_the_bundle_is_lean_and_its_bytecode_is_for_the_runtimes_python_only(project):
    bundle = project / "lambda"
    top = {p.name.split("-")[0].lower() for p in bundle.iterdir()}
    assert not top & set(NOT_IN_THE_BUNDLE)
    assert sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file()) <= BUNDLE_MAX_BYTES
    tag = "cpython-" + runtime_version().replace(".", "")
    compiled = list(bundle.rglob("*.pyc"))
    assert all(tag in p.name for p in compiled), {p.name for p in compiled if tag not in p.name}


def test_on_lambda_her_memory_lives_in_dynamodb_and_disabling_the_skill_deletes_it(project, runtime_python,
                                                                                     dynalite, tmp_path):
    table = f"cramp-coach-bundle-{uuid.uuid4().hex[:8]}"
    salt = "bundle-test-salt"
    open_store(StoreConfig(kind="dynamodb", dynamodb_table=table, dynamodb_region="us-east-1",
                           dynamodb_endpoint_url=dynalite.endpoint_url, dynamodb_create_table=True, user_key_salt=salt))
    provided = tmp_path / "runtime"  # boto3 as the Lambda runtime provides it, beside the bundle
    provided.mkdir()
    import boto3

    site = Path(boto3.__file__).resolve().parents[1]
    for name in RUNTIME_PROVIDES:
        (provided / name).symlink_to(site / name)
    table_items = boto3.resource("dynamodb", region_name="us-east-1", endpoint_url=dynalite.endpoint_url).Table(table)
    environment = {"CRAMP_COACH_SKILL_ID": LOCAL_SKILL_ID, "CRAMP_COACH_DYNAMODB_TABLE": table,
                   "CRAMP_COACH_USER_SALT": salt, "CRAMP_COACH_DYNAMODB_ENDPOINT_URL": dynalite.endpoint_url,
                   "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    paths = [project / "lambda", provided]
    session = Session(user_id=f"amzn1.ask.account.{uuid.uuid4().hex}")
    # A container restored from a SnapStart snapshot: the before-snapshot hook ran, then her request.
    started = run_bundle(runtime_python, paths, [intent_request(session, "StartWalkthroughIntent")],
                         TAKE_SNAPSHOT="1", **environment)
    assert started["hooks"] == 1 and "skill.runtime.envelope" in started["modules"]  # the warm-up launch ran
    assert len(table_items.scan()["Items"]) == 1  # her record only: the warm-up wrote nothing
    session.absorb(started["answers"][0])
    stepped = run_bundle(runtime_python, paths, [intent_request(session, "AMAZON.NextIntent")], **environment)
    assert "Step 2 of 6" in speech(stepped["answers"][0])
    session.restart()  # a new session in a new container: only DynamoDB remembers her step
    resume = intent_request(session, "AMAZON.ResumeIntent")
    disabled = json.loads((REQUESTS / "skill_disabled_event.json").read_text())
    disabled["context"]["System"]["application"]["applicationId"] = LOCAL_SKILL_ID
    disabled["context"]["System"]["user"]["userId"] = session.user_id
    session.restart()
    resumed, _, relaunched = run_bundle(runtime_python, paths, [resume, disabled, launch_request(session)],
                                        **environment)["answers"]
    assert "Step 2 of 6" in speech(resumed)
    assert "step 2" not in speech(relaunched).lower()  # disabling the skill deleted her record
    (fresh,) = table_items.scan()["Items"]  # the relaunch's new record: no trace of her stretch
    assert set(fresh["attributes"]) == {"intro_heard", "schema"}


# --------------------------------------------------------------------------- the ASK CLI itself, offline

ZIP_WITH_THE_CLIS_OWN_BUILDER = """
const [cli, src, folder] = process.argv.slice(1);  // node -e: no script path in argv
const CodeBuilder = require(cli + "/dist/lib/controllers/skill-code-controller/code-builder");
const builder = new CodeBuilder({src, build: {folder, file: folder + "/build.zip"}, doDebug: false});
console.log(builder.BuildFlowClass.name);
builder.execute((error) => { if (error) { console.error(String(error)); process.exit(1); } });
"""


@pytest.fixture(scope="module")
def ask_cli() -> Path:
    """The ASK CLI's package folder (npm install -g ask-cli, with antlr4ts pinned to 0.5.0-alpha.4)."""
    ask = shutil.which("ask")
    if ask is None or shutil.which("node") is None:
        pytest.skip("the ASK CLI is not installed (npm install -g ask-cli); the project is checked without it above")
    return Path(ask).resolve().parents[2]


@pytest.fixture
def offline_home(tmp_path) -> dict[str, str]:
    """A HOME with an ASK CLI profile and AWS keys that work nowhere, and every request sent to a closed port."""
    home = tmp_path / "home"
    (home / ".ask").mkdir(parents=True)
    (home / ".aws").mkdir()
    (home / ".ask" / "cli_config").write_text(json.dumps({"profiles": {"default": {
        "token": {"access_token": "Atza|offline", "refresh_token": "Atzr|offline", "token_type": "bearer",
                  "expires_in": 3600, "expires_at": "2099-01-01T00:00:00.000Z"},
        "vendor_id": "M0FFLINE", "aws_profile": "default"}}}))
    (home / ".aws" / "credentials").write_text("[default]\naws_access_key_id = AKIAOFFLINE\n"
                                               "aws_secret_access_key = offline\n")
    closed = "http://127.0.0.1:9"
    return {"PATH": os.environ["PATH"], "HOME": str(home), "ASK_SHARE_USAGE": "false",
            "ASK_SKIP_NEW_VERSION_REMINDER": "true", "HTTPS_PROXY": closed, "HTTP_PROXY": closed,
            "https_proxy": closed, "http_proxy": closed, "NO_PROXY": ""}


def test_the_clis_own_code_builder_zips_lambda_as_built(project, ask_cli, tmp_path):
    import zipfile

    result = subprocess.run(["node", "-e", ZIP_WITH_THE_CLIS_OWN_BUILDER, str(ask_cli), str(project / "lambda"),
                             str(tmp_path / "build")], cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ZipOnlyBuildFlow"
    names = set(zipfile.ZipFile(tmp_path / "build" / "build.zip").namelist())
    assert "skill/lambda_function.py" in names and "skill/content/topics.yaml" in names


def test_ask_deploy_accepts_the_project_and_goes_as_far_as_amazons_api(project, ask_cli, offline_home, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    result = subprocess.run([str(ask_cli / "dist" / "bin" / "ask.js"), "deploy"], cwd=copy, env=offline_home,
                            capture_output=True, text=True, timeout=180)
    said = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Deploy project for profile [default]" in said
    # Everything local passed (ask-resources.json, the profile, the skill package zipped); the first
    # thing that failed is the upload to Amazon, which this test does not reach on purpose.
    assert "https://api.amazonalexa.com/v1/skills/uploads failed" in said and "127.0.0.1:9" in said


# --------------------------------------------------------------------------- build-lambda's rules


def test_build_lambda_never_empties_a_folder_it_did_not_make(tmp_path):
    from skill.tools.lambda_bundle import BundleError, build_lambda

    (tmp_path / "notes.txt").write_text("hers")
    with pytest.raises(BundleError, match="not empty and was not made by build-lambda"):
        build_lambda(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "hers"


def test_the_bundle_pins_what_the_tests_ran_with_and_leaves_the_web_service_and_boto3_out():
    import importlib.metadata

    from skill.tools.lambda_bundle import pinned_closure

    pins = dict(line.split("==") for line in pinned_closure())
    assert pins["ask-sdk-core"] == importlib.metadata.version("ask-sdk-core")
    assert {"pyyaml", "ask-sdk-dynamodb-persistence-adapter", "ask-sdk-model"} <= set(pins)
    assert not set(pins) & {"boto3", "botocore", "flask", "gunicorn", "cryptography", "orjson", "click"}
