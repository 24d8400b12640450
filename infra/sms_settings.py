"""CloudFormation custom resource: the account's SNS SMS settings (there is no native resource for them).

package.py inlines this file as the ZipFile of the SmsSettingsFunction, where the Lambda runtime provides
`cfnresponse`. The settings are account-wide for the region: transactional type by default, the registered
sender id, the monthly spend limit (SNS stops sending beyond it) and delivery-status logging, which is
what CloudWatch's SMS success and failure figures come from. Deleting the stack leaves them as they are.
"""

import boto3
import cfnresponse


def settings_from(properties):  # noqa: ANN001, ANN201 - runs inline on Lambda, kept dependency-free
    return {
        "DefaultSMSType": "Transactional",
        "DefaultSenderID": str(properties["DefaultSenderID"]),
        "MonthlySpendLimit": str(properties["MonthlySpendLimit"]),
        "DeliveryStatusIAMRole": str(properties["DeliveryStatusIAMRole"]),
        "DeliveryStatusSuccessSamplingRate": str(properties.get("DeliveryStatusSuccessSamplingRate", "100")),
    }


def handler(event, context):  # noqa: ANN001, ANN201
    try:
        if event["RequestType"] in ("Create", "Update"):
            boto3.client("sns").set_sms_attributes(attributes=settings_from(event["ResourceProperties"]))
        cfnresponse.send(event, context, cfnresponse.SUCCESS, {}, "sns-sms-settings")
    except Exception as exc:  # noqa: BLE001 - CloudFormation must hear back, or the stack hangs for an hour
        cfnresponse.send(event, context, cfnresponse.FAILED, {"Error": type(exc).__name__}, "sns-sms-settings")
