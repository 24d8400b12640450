"""SMS through SNS and e-mail through SES. Message bodies may hold secrets: never log them."""

from __future__ import annotations

from chalicelib.aws.clients import get_client
from chalicelib.config import get_settings
from chalicelib.observability import logger, metrics


class NotificationError(RuntimeError):
    """SNS or SES did not take the message; the caller decides whether the request must fail."""


def send_sms(phone_e164: str, text: str) -> str:
    """Publish one transactional SMS; returns the SNS message id."""
    from aws_lambda_powertools.metrics import MetricUnit
    from botocore.exceptions import BotoCoreError, ClientError

    settings = get_settings()
    try:
        response = get_client("sns").publish(
            PhoneNumber=phone_e164,
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": settings.sms_sender_id},
            },
        )
    except (ClientError, BotoCoreError) as exc:
        metrics.add_metric(name="SmsFailed", unit=MetricUnit.Count, value=1)
        raise NotificationError(type(exc).__name__) from exc
    metrics.add_metric(name="SmsSent", unit=MetricUnit.Count, value=1)
    logger.info("sms sent", extra={"sns_message_id": response["MessageId"], "length": len(text)})
    return response["MessageId"]


def send_or_queue(phone_e164: str, text: str, kind: str) -> str:
    """A notice that must reach the citizen but need not hold up the request: sent now if SNS takes it,
    otherwise queued in the SMS outbox for the consumer to retry. Returns "sent", "queued" or, when
    neither SNS nor SQS took it, "lost" (counted and alarmed, never raised: the request itself stands)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.aws import sms_outbox
    from chalicelib.observability import correlation_id

    try:
        send_sms(phone_e164, text)
        return "sent"
    except NotificationError:
        pass
    try:
        sms_outbox.enqueue(phone_e164, text, kind, correlation_id())
    except (ClientError, BotoCoreError) as exc:
        from aws_lambda_powertools.metrics import MetricUnit

        # Neither channel took it: count it loudly (an alarm watches SmsLost); the request itself stands.
        metrics.add_metric(name="SmsLost", unit=MetricUnit.Count, value=1)
        logger.error("sms neither sent nor queued", extra={"kind": kind, "error": type(exc).__name__})
        return "lost"
    logger.warning("sms queued for retry", extra={"kind": kind})
    return "queued"


def send_email(to: str, subject: str, body: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response = get_client("ses").send_email(
            Source=get_settings().email_sender,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
            },
        )
    except (ClientError, BotoCoreError) as exc:
        raise NotificationError(type(exc).__name__) from exc
    logger.info("email sent", extra={"ses_message_id": response["MessageId"]})
    return response["MessageId"]
