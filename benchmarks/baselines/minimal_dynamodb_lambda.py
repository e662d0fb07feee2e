"""The minimal Lambda skill with Amazon's DynamoDB adapter, as the SDK's persistence samples write it.

A launch handler that reads her persistent attributes, counts the visit and saves them (one
GetItem and one PutItem, as Cramp Coach's first launch does), with a catch-all exception handler.
Table, endpoint and region come from the same variables Cramp Coach's Lambda entry reads.
"""

import os

import boto3
from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_dynamodb.adapter import DynamoDbAdapter, user_id_partition_keygen

WELCOME = ("Welcome to Cramp Coach. These are general tips, not medical advice. "
           "You can ask what helps a leg cramp, or say walk me through a stretch.")


class LaunchRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        attributes = handler_input.attributes_manager.persistent_attributes
        attributes["visits"] = int(attributes.get("visits", 0)) + 1
        handler_input.attributes_manager.save_persistent_attributes()
        return handler_input.response_builder.speak(WELCOME).ask("What would you like to know?").response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input, exception):
        return True

    def handle(self, handler_input, exception):
        return handler_input.response_builder.speak("Sorry, please try again.").response


resource = boto3.resource("dynamodb", region_name=os.environ["AWS_REGION"],
                          endpoint_url=os.environ.get("CRAMP_COACH_DYNAMODB_ENDPOINT_URL"))
sb = CustomSkillBuilder(persistence_adapter=DynamoDbAdapter(
    table_name=os.environ["CRAMP_COACH_DYNAMODB_TABLE"], partition_keygen=user_id_partition_keygen,
    dynamodb_resource=resource))
sb.add_request_handler(LaunchRequestHandler())
sb.add_exception_handler(CatchAllExceptionHandler())
handler = sb.lambda_handler()
