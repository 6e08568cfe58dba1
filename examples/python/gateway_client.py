#!/usr/bin/env python3
"""A small AICMO Gateway client in plain Python (standard library only), written from /openapi.json.

    GATEWAY_URL=http://127.0.0.1:8787 GATEWAY_API_KEY=... python3 gateway_client.py

`GatewayClient.invoke(capability, request)` sends one request with an Idempotency-Key and
handles every answer the document lists:

  200  done: the result, and the provider that served it
  202  accepted into the outbox (Prefer: respond-async): follow Location until it is delivered
  400  the request is invalid: raise InvalidRequest with each field's path and reason
  401  the API key is missing or unknown: raise Unauthorized
  409  the same key is still in flight: wait and ask again with the same key
  422  the key was used with another request, or the provider refused it: raise Rejected
  429  rate limited (by the gateway or by every provider): wait Retry-After, send again
  502  the provider failed; GW_UNKNOWN_OUTCOME means it may have acted: raise UnknownOutcome
       (never resend blindly), otherwise send again with the same key
  503  no usable provider: wait Retry-After and send again; `recommendations` says what to fix
  504  the deadline passed: send again with the same key (the key makes it safe)

A retry always reuses the idempotency key, so the gateway never sends twice. Run as a script it
drives every capability with the example of /openapi.json, then shows each error path.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid


class GatewayError(Exception):
    """An error answer: the HTTP status and the body's `error` object."""

    def __init__(self, status: int, error: dict, recommendations: list | None = None):
        super().__init__(f"{status} {error.get('code')}: {error.get('message')}")
        self.status = status
        self.code = error.get("code")
        self.kind = error.get("kind")
        self.error = error
        self.recommendations = recommendations or []


class InvalidRequest(GatewayError):
    """400: `problems` lists every invalid field."""

    @property
    def problems(self) -> list:
        return self.error.get("problems", [])


class Unauthorized(GatewayError):
    """401: send a configured key as `Authorization: Bearer <key>`."""


class Rejected(GatewayError):
    """422: the idempotency key was used with another request, or the provider refused the request."""


class UnknownOutcome(GatewayError):
    """502 GW_UNKNOWN_OUTCOME: the provider may have acted; look the key up before sending again."""


class Unavailable(GatewayError):
    """429, 502, 503 or 504 still failing after the retries."""


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body) if self.body else None


class GatewayClient:
    def __init__(self, base_url: str, api_key: str | None = None, retries: int = 4, max_wait_s: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.retries = retries
        self.max_wait_s = max_wait_s

    # -- HTTP --------------------------------------------------------------------------------

    def request(self, method: str, path: str, body=None, headers: dict | None = None) -> Response:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.api_key:
            req.add_header("Authorization", f"Bearer {self.api_key}")
        for name, value in (headers or {}).items():
            req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                return Response(res.status, res.headers, res.read())
        except urllib.error.HTTPError as err:
            return Response(err.code, err.headers, err.read())

    def get(self, path: str):
        res = self.request("GET", path)
        if res.status != 200:
            raise self._error(res)
        return res.json()

    @staticmethod
    def _error(res: Response) -> GatewayError:
        body = res.json() or {}
        error = body.get("error", {"code": f"HTTP_{res.status}", "message": res.body[:200].decode(errors="replace")})
        kinds = {400: InvalidRequest, 401: Unauthorized, 422: Rejected}
        cls = kinds.get(res.status, GatewayError)
        if res.status == 502 and error.get("code") == "GW_UNKNOWN_OUTCOME":
            cls = UnknownOutcome
        return cls(res.status, error, body.get("recommendations"))

    def _wait_s(self, res: Response, attempt: int) -> float:
        """Retry-After when the gateway sent one, else exponential backoff; capped at max_wait_s."""
        header = res.headers.get("Retry-After")
        wait = float(header) if header and header.isdigit() else min(8.0, 0.25 * 2**attempt)
        return min(wait, self.max_wait_s)

    # -- Capabilities ------------------------------------------------------------------------

    def invoke(self, capability: str, request: dict, idempotency_key: str | None = None, respond_async: bool = False) -> dict:
        """Runs one capability; returns the completed answer (result, provider, attempts)."""
        key = idempotency_key or f"py-{uuid.uuid4()}"
        headers = {"Idempotency-Key": key}
        if respond_async:
            headers["Prefer"] = "respond-async"
        for attempt in range(self.retries + 1):
            res = self.request("POST", f"/v1/capabilities/{capability}", request, headers)
            if res.status == 200:
                return res.json()
            if res.status == 202:
                return self.follow(res.headers["Location"])
            error = self._error(res)
            retryable = res.status in (409, 429, 503, 504) or (res.status == 502 and not isinstance(error, UnknownOutcome))
            if not retryable:
                raise error
            if attempt == self.retries:
                raise Unavailable(error.status, error.error, error.recommendations)
            time.sleep(self._wait_s(res, attempt))
        raise AssertionError("unreachable")

    def follow(self, location: str, timeout_s: float = 60.0) -> dict:
        """Polls a 202's Location until the delivery is delivered (its result) or has failed for good."""
        deadline = time.monotonic() + timeout_s
        while True:
            delivery = self.get(location)["delivery"]
            if delivery["state"] == "delivered":
                return {"result": delivery.get("result"), "provider": delivery.get("provider"), "deliveryId": delivery["id"]}
            if delivery["state"] in ("dead", "cancelled", "unknown_outcome", "duplicate"):
                raise GatewayError(502, delivery.get("lastError") or {"code": delivery["state"], "message": f"delivery {delivery['state']}"})
            if time.monotonic() > deadline:
                raise TimeoutError(f"{location} still {delivery['state']} after {timeout_s} s")
            time.sleep(0.5)

    def capability_examples(self) -> dict:
        """Each capability of the OpenAPI document with its example request."""
        doc = self.get("/openapi.json")
        prefix = "/v1/capabilities/"
        out = {}
        for path, item in doc["paths"].items():
            post = item.get("post")
            if path.startswith(prefix) and post and "{" not in path:
                out[path[len(prefix):]] = post["requestBody"]["content"]["application/json"]["example"]
        return out


# -- The demo ----------------------------------------------------------------------------------


def demo() -> int:
    base = os.environ.get("GATEWAY_URL", "http://127.0.0.1:8787")
    client = GatewayClient(base, os.environ.get("GATEWAY_API_KEY"), max_wait_s=2.0)
    admin_key = os.environ.get("GATEWAY_ADMIN_KEY")

    # 200: every capability, from the document's examples.
    examples = client.capability_examples()
    for name, example in sorted(examples.items()):
        try:
            done = client.invoke(name, example)
            print(f"200 {name}: served by {done['provider']}")
        except GatewayError as err:
            print(f"{err.status} {name}: {err.code}")

    # 202: accepted, then followed to its delivery.
    email = examples["email_sending"]
    done = client.invoke("email_sending", email, idempotency_key=f"py-async-{uuid.uuid4()}", respond_async=True)
    print(f"202 email_sending: delivery {done['deliveryId']} delivered by {done['provider']}")

    # 400: every invalid field with its path.
    try:
        client.invoke("email_sending", {"to": "not-an-address", "subject": ""})
    except InvalidRequest as err:
        print(f"400 {err.code}: " + "; ".join(f"{p['path']}: {p['message']}" for p in err.problems))

    # 401: an unknown key.
    try:
        GatewayClient(base, "not-a-configured-key-0000").invoke("email_sending", email)
    except Unauthorized as err:
        print(f"401 {err.code}")

    # 422: the same key with another request.
    key = f"py-{uuid.uuid4()}"
    client.invoke("email_sending", email, idempotency_key=key)
    try:
        client.invoke("email_sending", {**email, "subject": "Another subject"}, idempotency_key=key)
    except Rejected as err:
        print(f"422 {err.code}")

    # 409 (with delivery.inFlight: reject): two sends of one key at once; the second is told the
    # first is in flight, waits and asks again with the same key, and gets the first send's answer.
    key = f"py-{uuid.uuid4()}"
    answers: list = []

    def send() -> None:
        answers.append(client.request("POST", "/v1/capabilities/email_sending", email, {"Idempotency-Key": key}))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in answers)
    if 409 in statuses:
        replayed = client.invoke("email_sending", email, idempotency_key=key)
        print(f"409 GW_IDEMPOTENCY_IN_FLIGHT, then retried: statuses {statuses}, the retry answers with the first send (replayed={replayed['replayed']})")
    else:
        print(f"statuses {statuses}: the second send waited for the first (delivery.inFlight: wait)")

    # 503: every provider of a read-only capability taken out (admin key), then put back. (A
    # capability that sends something answers 202 instead: the request waits in the outbox.)
    if admin_key:
        ops = GatewayClient(base, admin_key)
        providers = [p["name"] for p in client.get("/v1/capabilities/email_verification")["providers"]]
        for p in providers:
            ops.request("POST", f"/v1/providers/{p}/isolate")
        try:
            GatewayClient(base, client.api_key, retries=1, max_wait_s=0.5).invoke("email_verification", examples["email_verification"])
        except Unavailable as err:
            actions = [r["action"] for r in err.recommendations]
            print(f"503 {err.code} after retries; recommendation: {actions[0] if actions else 'none'}")
        for p in providers:
            ops.request("POST", f"/v1/providers/{p}/reset")

    # 429: past server.rateLimitPerMinute the gateway says when to come back.
    for _ in range(500):
        res = client.request("GET", "/v1/capabilities")
        if res.status == 429:
            print(f"429 {client._error(res).code}: Retry-After {res.headers.get('Retry-After')} s")
            break
    return 0


if __name__ == "__main__":
    sys.exit(demo())
