"""A bucket policy as moto 5.2.5 applies it to a request over TLS. Test code only.

moto applies a bucket policy's statements whatever their Condition, so the "deny plain HTTP" statement of a
TLS-only bucket (`aws:SecureTransport` false) denies every call to moto's http:// endpoint. Requests to AWS use TLS
("aws:SecureTransport ... Use this key to check whether the request was sent using TLS", IAM User Guide, global
condition context keys), so that statement is dropped for the request. Used by `bends.bent_moto` and, alone, by the
acceptance lane's offline tests (its bucket is TLS-only).
"""

from __future__ import annotations

import json
from typing import Any

from moto.s3.models import FakeBucket

_bucket_permission = FakeBucket.get_permission


def tls_bucket_permission(self: FakeBucket, action: str, resource: str) -> Any:
    """The bucket's policy as seen by a request over TLS: moto ignores Conditions, so a statement that only
    applies to plain HTTP (aws:SecureTransport false) would apply to every request."""
    if self.policy is None:
        return _bucket_permission(self, action, resource)
    policy = json.loads(self.policy)
    plain_http_only = {"Bool": {"aws:SecureTransport": "false"}}
    policy["Statement"] = [s for s in policy["Statement"] if s.get("Condition") != plain_http_only]
    original, self.policy = self.policy, json.dumps(policy).encode()
    try:
        return _bucket_permission(self, action, resource)
    finally:
        self.policy = original
