"""The Helm chart (deploy/helm/corpcare) rendered by ``helm template`` and every object it makes
validated against the Kubernetes API's own schemas (kubernetes-validate, strict: no unknown field),
with the default values and with a production-like values file.
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_validate import utils as schemas

from tests.system.deploy_tools import ROOT, helm

CHART = ROOT / "deploy" / "helm" / "corpcare"
PRODUCTION = CHART / "ci" / "production-values.yaml"
# The oldest Kubernetes the chart says it runs on (Chart.yaml's kubeVersion), and the newest the schemas know.
VERSIONS = ("1.25.0", schemas.latest_version())
CUSTOM_KINDS = {"ServiceMonitor"}  # a CRD's object: no schema in the API's


@pytest.fixture(scope="module")
def helm_binary() -> str:
    return helm()


def render(helm_binary: str, *arguments: str | Path) -> dict[str, dict[str, Any]]:
    """The chart's objects by kind (each kind is made once)."""
    out = subprocess.run(
        [helm_binary, "template", "shop", CHART, "--namespace", "corpcare", *arguments],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    objects = [document for document in yaml.safe_load_all(out) if document]
    kinds = [document["kind"] for document in objects]
    assert len(kinds) == len(set(kinds)), kinds
    return {document["kind"]: document for document in objects}


def validate_all(objects: dict[str, dict[str, Any]]) -> None:
    for kind, document in objects.items():
        if kind in CUSTOM_KINDS:
            continue
        for version in VERSIONS:
            try:
                schemas.validate(document, version, strict=True)
            except schemas.ValidationError as error:
                raise AssertionError(f"{kind} is not a valid {document['apiVersion']} for {version}: {error}") from None


def container(objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (only,) = objects["Deployment"]["spec"]["template"]["spec"]["containers"]
    return only


def env(objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {entry["name"]: entry.get("value", entry.get("valueFrom")) for entry in container(objects)["env"]}


def test_helm_lint_finds_nothing_to_fix_in_the_chart(helm_binary):
    linted = subprocess.run(
        [helm_binary, "lint", "--strict", CHART, "--values", PRODUCTION], capture_output=True, text=True, timeout=120
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert "0 chart(s) failed" in linted.stdout


def test_the_default_release_is_valid_kubernetes_with_probes_budget_autoscaler_and_no_root(helm_binary):
    objects = render(helm_binary)
    validate_all(objects)
    assert set(objects) == {
        "ServiceAccount", "Secret", "ConfigMap", "Service", "Deployment", "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
    }  # fmt: skip

    main = container(objects)
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert main["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert main["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert main["args"] == ["corpcare", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "1"]

    pod = objects["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert main["securityContext"]["readOnlyRootFilesystem"] is True
    assert main["securityContext"]["allowPrivilegeEscalation"] is False
    assert main["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    mounts = {mount["mountPath"] for mount in main["volumeMounts"]}
    assert mounts == {"/tmp", "/var/lib/corpcare/metrics", "/var/lib/corpcare/data"}
    config = objects["ConfigMap"]["data"]
    # One worker: no multiprocess mode, so /metrics keeps its process_* metrics (several: see below).
    assert "PROMETHEUS_MULTIPROC_DIR" not in config
    assert config["CORPCARE_ENV"] == "production"

    # Draining: the endpoint leaves the Service while preStop sleeps, then SIGTERM has the rest of
    # the grace period, which outlasts the server's longest request (30 s by default).
    assert main["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "5"]
    assert pod["terminationGracePeriodSeconds"] == 60

    # The HPA owns the count; the budget keeps all but one pod through a node drain.
    assert "replicas" not in objects["Deployment"]["spec"]
    hpa = objects["HorizontalPodAutoscaler"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "shop-corpcare"}
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert objects["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1
    pods = objects["Deployment"]["spec"]["selector"]["matchLabels"]
    assert (
        objects["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"]
        == objects["Service"]["spec"]["selector"]
        == pods
    )

    # No database given: the embedded demo, and a signing secret the chart made (never the public one).
    variables = env(objects)
    assert not {"CORPCARE_CRM_URL", "CORPCARE_BILLING_URL", "CORPCARE_STATE_URL", "CORPCARE_REDIS_URL"} & set(variables)
    assert variables["CORPCARE_JWT_SECRET"] == {"secretKeyRef": {"name": "shop-corpcare", "key": "jwt-secret"}}
    signing = base64.b64decode(objects["Secret"]["data"]["jwt-secret"]).decode()
    assert len(signing) == 48
    assert signing != "corpcare-development-secret-change-me"


def test_a_production_release_uses_external_databases_redis_traces_and_its_replica_counts(helm_binary):
    objects = render(helm_binary, "--values", PRODUCTION)
    validate_all(objects)
    assert "ServiceMonitor" in objects

    hpa = objects["HorizontalPodAutoscaler"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (4, 12)
    assert hpa["metrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 65}}}
    ]
    assert objects["PodDisruptionBudget"]["spec"] == {
        "minAvailable": 3,
        "selector": objects["PodDisruptionBudget"]["spec"]["selector"],
    }
    assert container(objects)["args"][-2:] == ["--workers", "2"]
    # Two workers: one /metrics adding both up, from files in the pod's in-memory directory.
    assert objects["ConfigMap"]["data"]["PROMETHEUS_MULTIPROC_DIR"] == "/var/lib/corpcare/metrics"
    template = objects["Deployment"]["spec"]["template"]["metadata"]["annotations"]
    assert {"checksum/config", "checksum/secret"} <= set(template)
    assert container(objects)["image"] == "telecom/corpcare:0.1.0"

    variables = env(objects)
    secret = objects["Secret"]["data"]
    for setting, key, url in (
        ("CORPCARE_CRM_URL", "crm-url", "postgresql+asyncpg://corpcare:crm-password@crm-replica.db:5432/crm"),
        ("CORPCARE_STATE_URL", "state-url", "postgresql+asyncpg://corpcare:state-password@postgres.db:5432/corpcare"),
        ("CORPCARE_REDIS_URL", "redis-url", "redis://redis-master.cache:6379/0"),
    ):
        assert variables[setting] == {"secretKeyRef": {"name": "shop-corpcare", "key": key}}
        assert base64.b64decode(secret[key]).decode() == url
    # Passwords stay in the Secret, out of the ConfigMap.
    assert "password" not in yaml.safe_dump(objects["ConfigMap"]) + yaml.safe_dump(objects["Deployment"])
    # The signing secret comes from the operator's own Secret; the chart stores none.
    assert variables["CORPCARE_JWT_SECRET"] == {"secretKeyRef": {"name": "corpcare-signing", "key": "jwt-secret"}}
    assert "jwt-secret" not in secret

    config = objects["ConfigMap"]["data"]
    assert config["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector.observability:4318"
    assert config["OTEL_TRACES_SAMPLER_ARG"] == "0.1"
    assert config["CORPCARE_PERSISTED_QUERIES"] == "safelist"

    monitor = objects["ServiceMonitor"]
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics"
    assert endpoint["port"] == "http"
    assert endpoint["bearerTokenSecret"] == {"name": "shop-corpcare", "key": "metrics-token"}
    assert variables["CORPCARE_METRICS_TOKEN"] == {"secretKeyRef": {"name": "shop-corpcare", "key": "metrics-token"}}


def test_without_autoscaling_the_deployment_keeps_the_replica_count_it_is_given(helm_binary):
    objects = render(helm_binary, "--set", "autoscaling.enabled=false", "--set", "replicaCount=5")
    validate_all(objects)
    assert "HorizontalPodAutoscaler" not in objects
    assert objects["Deployment"]["spec"]["replicas"] == 5


def test_a_chart_object_with_an_unknown_field_fails_validation(helm_binary):
    """The validation above is strict: a misspelt field is caught, not ignored."""
    objects = render(helm_binary)
    deployment = objects["Deployment"]
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/readyz"}}
    with pytest.raises(schemas.ValidationError):
        schemas.validate(deployment, VERSIONS[-1], strict=True)


def test_database_and_redis_urls_can_come_from_the_operators_own_secrets(helm_binary):
    objects = render(
        helm_binary,
        "--set",
        "database.existingSecret=corpcare-databases",
        "--set",
        "redis.existingSecret=corpcare-redis",
    )
    validate_all(objects)
    variables = env(objects)
    for setting, key in (("CORPCARE_CRM_URL", "crm-url"), ("CORPCARE_BILLING_URL", "billing-url"),
                         ("CORPCARE_STATE_URL", "state-url")):  # fmt: skip
        assert variables[setting] == {"secretKeyRef": {"name": "corpcare-databases", "key": key}}
    assert variables["CORPCARE_REDIS_URL"] == {"secretKeyRef": {"name": "corpcare-redis", "key": "redis-url"}}
    assert not {"crm-url", "billing-url", "state-url", "redis-url"} & set(objects["Secret"]["data"])
    # With databases of its own, a pod keeps only a token-sized data directory.
    (data,) = (
        volume for volume in objects["Deployment"]["spec"]["template"]["spec"]["volumes"] if volume["name"] == "data"
    )
    assert data["emptyDir"]["sizeLimit"] == "16Mi"
