"""Stop moto from generating an RSA key pair for every symmetric KMS key.

moto's `Key` makes an RSA-2048 private key whatever the key spec; for a symmetric key (what the stack
creates: the customer-managed key of the tables, the documents bucket and the parameters) nothing ever uses
it — encryption uses the key's own random material. Generating it costs ~0.1 s per key, paid by every fresh
backend of every test. Symmetric keys now share one such unused key pair per process; asymmetric specs still
get their own fresh pair, as before.
"""

from __future__ import annotations

import functools
from typing import Any

_patched = False


def share_unused_kms_key_pairs() -> None:
    global _patched
    if _patched:
        return
    from moto.kms import models
    from moto.kms.utils import KeySpec

    original = models.generate_private_key
    asymmetric = {KeySpec.RSA_2048, KeySpec.RSA_3072, KeySpec.RSA_4096, *KeySpec.ecc_key_specs()}
    shared = functools.lru_cache(maxsize=1)(lambda: original("SYMMETRIC_DEFAULT"))

    def generate_private_key(key_spec: str) -> Any:
        return original(key_spec) if key_spec in asymmetric else shared()

    models.generate_private_key = generate_private_key
    _patched = True
