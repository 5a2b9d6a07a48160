"""No input produces a 500: schemathesis generates requests for every operation of the
schema (bounded: a few examples each) and sends them as an administrator and as a
business user, through the whole WSGI stack."""

import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from facilities.history import change_context
from facilities.tokens import token_create
from tests.factories import CertificateFactory, CleanTechMeasureFactory, FindingFactory

# The schema as served at /api/v1/schema/, built without a request (no database needed).
_document = json.loads(
    json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder)
)
# Under pytest-xdist, schemathesis' per-operation items collapse into one that checks
# nothing (seen: a view raising ZeroDivisionError still "passed"). `make test` runs this
# module in a second, single-process pass; under a worker it is skipped, loudly.
pytestmark = [
    pytest.mark.single_process,
    pytest.mark.skipif(
        bool(os.environ.get("PYTEST_XDIST_WORKER")),
        reason="schemathesis runs only without xdist: `make test` runs it in its own pass",
    ),
]

schema = schemathesis.openapi.from_dict(_document)
schema.app = WSGIHandler()

# Uploads are fuzzed by the Excel tests with real workbooks; here they would only test
# multipart encoding.
schema = schema.exclude(path_regex=r"^/api/v1/imports/$")
# Random generation only (bounded by max_examples below): the coverage phase enumerates
# every boundary of every parameter, thousands of requests, minutes of the suite.
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture
def keep_test_connection():
    # Django closes the connection at the end of each WSGI request; the test's
    # transaction lives on it (Django's own test client disconnects the same handlers).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db, keep_test_connection, admin_user, business_owner, own_facility):
    with change_context(reason="test fixture"):
        CertificateFactory(facility=own_facility)
        CleanTechMeasureFactory(facility=own_facility)
        FindingFactory(inspection__facility=own_facility)
    return {
        role: token_create(user=user)[1]
        for role, user in (("admin", admin_user), ("business", business_owner))
    }


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_is_a_server_error(case, tokens):
    for key in tokens.values():
        response = case.call(headers={"Authorization": f"Token {key}"})
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} {case.query} {case.body!r}: "
            f"{response.status_code} {response.text[:500]}"
        )
