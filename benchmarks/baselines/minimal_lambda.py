"""The minimal skill's AWS Lambda entry, as the SDK's samples write it: ``handler = sb.lambda_handler()``."""

from benchmarks.baselines.minimal_skill import build_skill_builder

handler = build_skill_builder().lambda_handler()
