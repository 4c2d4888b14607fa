"""Schemathesis hooks for the run of test_api_fuzz.py that covers the operations which end the
session they are called with: every test case gets a brand-new account and token."""

import os
import secrets

import requests
import schemathesis


@schemathesis.auth(refresh_interval=None)
class FreshAccount:
    def get(self, case, context):
        base = os.environ["TSUNAGARI_FUZZ_URL"]
        response = requests.post(
            base + "/api/v1/accounts", timeout=30,
            json={"email": f"fuzz-{secrets.token_hex(8)}@example.test", "password": secrets.token_urlsafe(16), "name": "Fuzz"})
        response.raise_for_status()
        return response.json()["token"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
