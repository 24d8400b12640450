"""ImportTable's TableCreationParameters are the records table of infra/resources.json under a new name: read
from the template, never written out twice, and valid for the ImportTable API as botocore describes it."""

from __future__ import annotations

import copy

import pytest

from cli.import_table import ImportSetupError, creation_parameters, load_template, point_in_time_recovery

KMS_KEY = "arn:aws:kms:ap-southeast-1:123456789012:key/data-key"


def records_table() -> dict:
    return load_template()["Resources"]["InsuranceRecordsTable"]["Properties"]


def test_the_new_table_has_the_stack_tables_keys_indexes_billing_and_encryption():
    parameters = creation_parameters(load_template(), "vssid-records-2027", KMS_KEY)

    table = records_table()
    assert parameters["TableName"] == "vssid-records-2027"
    assert parameters["KeySchema"] == table["KeySchema"]
    assert parameters["AttributeDefinitions"] == table["AttributeDefinitions"]
    assert parameters["BillingMode"] == table["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in parameters
    assert parameters["GlobalSecondaryIndexes"] == table["GlobalSecondaryIndexes"]
    assert parameters["SSESpecification"] == {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KMS_KEY}
    assert point_in_time_recovery(load_template())


def test_the_indexes_are_those_the_app_queries():
    from chalicelib.models.records import InsuranceRecord

    parameters = creation_parameters(load_template(), "vssid-records-2027", KMS_KEY)

    names = {index["IndexName"] for index in parameters["GlobalSecondaryIndexes"]}
    assert names == {"lookup-index", "person-index"}
    assert names == {index.Meta.index_name for index in InsuranceRecord._indexes.values()}


def test_parameters_are_valid_input_for_import_table():
    import botocore.session
    from botocore.validate import ParamValidator

    model = botocore.session.get_session().get_service_model("dynamodb").operation_model("ImportTable")
    request = {"S3BucketSource": {"S3Bucket": "vssid-feeds", "S3KeyPrefix": "imports/abc/"},
               "InputFormat": "DYNAMODB_JSON", "InputCompressionType": "GZIP",
               "TableCreationParameters": creation_parameters(load_template(), "vssid-records-2027", KMS_KEY)}

    report = ParamValidator().validate(request, model.input_shape)
    assert not report.has_errors(), report.generate_report()


def test_the_encryption_key_must_be_named_since_the_template_only_refers_to_it():
    with pytest.raises(ImportSetupError, match="--kms-key"):
        creation_parameters(load_template(), "vssid-records-2027")


def test_a_provisioned_table_brings_its_capacity_along():
    template = copy.deepcopy(load_template())
    table = template["Resources"]["InsuranceRecordsTable"]["Properties"]
    table["BillingMode"] = "PROVISIONED"
    table["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    for index in table["GlobalSecondaryIndexes"]:
        index["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}

    parameters = creation_parameters(template, "t", KMS_KEY)

    assert parameters["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    assert all(index["ProvisionedThroughput"] == {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
               for index in parameters["GlobalSecondaryIndexes"])
