"""The changes made to moto wherever it stands in for AWS (tests, `make run`, benches): one call applies all.

Each is a module of its own saying why: writes made atomic as DynamoDB's are (moto_atomic), Query without a
Python call per comparison (moto_sorting), each state-machine definition parsed once (moto_asl_cache), no
RSA key pair generated for a symmetric KMS key (moto_kms_keys), items written into answers in one pass
(moto_item_json).
None changes an answer moto gives; tests/functional/test_moto_patches.py checks that.
"""

from __future__ import annotations


def apply_all() -> None:
    from local.moto_asl_cache import cache_asl_parse_trees
    from local.moto_atomic import make_dynamodb_writes_atomic
    from local.moto_item_json import write_items_in_one_pass
    from local.moto_kms_keys import share_unused_kms_key_pairs
    from local.moto_sorting import sort_items_by_plain_keys

    make_dynamodb_writes_atomic()
    sort_items_by_plain_keys()
    cache_asl_parse_trees()
    share_unused_kms_key_pairs()
    write_items_in_one_pass()
