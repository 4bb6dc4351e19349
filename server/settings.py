"""Configuration from ``CORPCARE_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.sessions import SessionTimes
from infra.fair_share import ShareLimits
from permissions.cost_allowances import CUSTOMER_COST_ALLOWANCE, ROLE_COST_ALLOWANCES, CostAllowance, CostAllowances
from permissions.roles import Role
from server.collector import THRESHOLDS

if TYPE_CHECKING:
    # Imported where they are built: the command line reads the settings without loading the
    # request context (strawberry), the admission middleware or the backends (SQLAlchemy).
    from request.context import QueryLimits
    from server.admission import AdmissionLimits
    from sources.backend import BackendLimits

DEV_SECRET = "corpcare-development-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CORPCARE_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    crm_url: str | None = Field(None, description="CRM database; default: SQLite in the data directory.")
    billing_url: str | None = None
    state_url: str | None = None
    redis_url: str | None = Field(
        None, description="Redis for the shared cache, cost allowances and events; default: in-process (one instance)."
    )
    redis_prefix: str = Field(
        "corpcare:", description="Start of every Redis key and channel: deployments sharing a Redis keep apart."
    )
    persisted_queries: Literal["off", "automatic", "safelist"] = Field(
        "automatic", description="Automatic persisted queries, only registered operations (safelist), or neither."
    )
    persisted_query_ttl_seconds: float = Field(30 * 86400, description="How long an automatic persisted query is kept.")

    usage_feed_per_second: float = Field(
        0.0, ge=0, description="Run the demo's usage feed inside the server, this many events a second (0: off)."
    )

    jwt_secret: str = DEV_SECRET
    dev_secret_off_loopback: bool = Field(
        False, description="Let 'corpcare serve' listen beyond loopback with the public development secret."
    )
    jwt_algorithms: list[str] = ["HS256"]
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwks_url: str | None = Field(None, description="Issuer's key set; enables RS256/ES256 tokens.")
    token_ttl_seconds: int = 8 * 3600
    oidc_issuer: str | None = Field(
        None, description="The operator's OpenID Connect provider: the portal signs in through it (code flow, PKCE)."
    )
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_login_claim: str = Field(
        "preferred_username", description="The ID token's claim that holds the portal user's login."
    )
    oidc_redirect_url: str | None = Field(
        None, description="Where the provider sends the browser back (…/auth/callback); default: this request's host."
    )
    session_idle_seconds: int = Field(
        30 * 60, gt=0, description="A portal sign-in ends after this long without a request."
    )
    session_absolute_seconds: int = Field(
        12 * 3600, gt=0, description="A portal sign-in ends this long after it began, however used."
    )
    principal_cache_seconds: float = 30.0

    default_page_size: int = 50
    max_page_size: int = 2000
    min_group_size: int = Field(
        5, ge=2, description="Fewest lines a report figure may stand for, for callers without line:read."
    )
    max_query_cost: int = Field(100_000, description="Estimated objects an operation may ask for.")
    max_query_depth: int = 15
    max_query_aliases: int = 30
    max_query_tokens: int = 10_000
    max_query_chars: int = Field(
        100_000,
        gt=0,
        description="Characters in a document sent as text, checked before it is parsed (registered ones exempt).",
    )
    max_query_directives: int = 50
    max_input_list: int = Field(100_000, description="Items in any one list of an operation's input.")
    cost_allowances: dict[Role, CostAllowance] = Field(
        default_factory=dict,
        description='Per role, over the defaults: {"ANALYST": {"maximum": 300000, "restore_rate": 15000}}.',
    )
    customer_cost_allowance: CostAllowance | None = Field(
        None, description=f"The cost allowance a customer's people share; default: {CUSTOMER_COST_ALLOWANCE}."
    )
    # The names these had before "budget" was kept for money: still read, the new names win.
    cost_budgets: dict[Role, CostAllowance] = Field(default_factory=dict, description="Old name of cost_allowances.")
    customer_cost_budget: CostAllowance | None = Field(None, description="Old name of customer_cost_allowance.")
    # A bulk selection of 100,000 ids is about 2.4 MB of JSON.
    max_body_bytes: int = Field(4_000_000, description="Largest request body accepted.")
    reader_body_bytes: int = Field(
        512_000,
        description="Largest request body of a caller who may not change lines (line:write): it has no bulk selection.",
    )
    refusal_burst: int = Field(20, ge=1, description="Refused requests a caller may send at once before it must wait.")
    refusal_rate: float = Field(2.0, gt=0, description="Refused requests a caller may send per second, sustained.")
    hsts_seconds: int | None = Field(None, description="Send HSTS for this long (only behind TLS).")
    body_read_timeout_seconds: float = Field(
        30.0, gt=0, description="Longest a client may take to send a request body (408 after)."
    )
    header_read_timeout_seconds: float = Field(
        10.0, gt=0, description="Longest a client may take to send a request's headers (408 and closed after)."
    )
    cors_origins: list[str] = Field(default_factory=list, description="Browser origins allowed to call the API.")

    request_timeout_seconds: float = Field(
        30.0, gt=0, description="Longest a GraphQL request may take from its arrival, queueing included (503 after)."
    )
    # Admission control of each process (server/admission.py).
    max_concurrent_requests: int = Field(
        8, ge=1, description="Requests executing at once per process; keep it under the pool size."
    )
    max_queued_requests: int = Field(32, ge=0, description="Requests waiting for their turn per process (503 beyond).")
    max_queue_wait_seconds: float = Field(
        5.0, gt=0, description="Longest a request may wait for its turn, from its arrival (503 as soon as expected)."
    )
    drain_seconds: int = Field(
        20, ge=1,
        description="On SIGTERM: once the socket has closed, how long requests in flight may take to finish "
        "(then they are cancelled). With the delay, it must fit Kubernetes' grace period (30 s by default).",
    )  # fmt: skip
    drain_delay_seconds: float = Field(
        0.0, ge=0,
        description="On SIGTERM: how long the process serves on with /readyz at 503 before its socket closes, "
        "for a load balancer to stop sending to it (about 5 in Kubernetes).",
    )  # fmt: skip
    worker_healthcheck: int = Field(
        60, ge=1, description="Seconds a `corpcare serve` worker may take to answer uvicorn's health check (and start)."
    )
    key_hold_seconds: float = Field(
        30.0,
        gt=0,
        description="A change renews the hold on its idempotency key and intent a third of this often; one "
        "not renewed for this long is taken to have stopped with its process, and the recovery pass settles it.",
    )
    backend_call_seconds: float = Field(10.0, description="Longest one backend call may take.")
    backend_breaker_failures: int = Field(5, description="Failed backend calls in a row that open its breaker.")
    backend_breaker_reset_seconds: float = Field(10.0, description="How long an open breaker refuses calls.")
    pool_size: int = Field(10, description="Connections kept per PostgreSQL backend (as many again on demand).")
    pool_timeout_seconds: float = Field(2.0, description="Wait for a free connection before answering 503.")
    # Fair share of each process between customers (infra/fair_share.py); counted per process.
    heavy_operation_cost: int = Field(
        10_000, ge=0, description="Estimated cost above which an operation is heavy (a large page or report)."
    )
    max_heavy_operations_per_customer: int = Field(
        2, ge=1, description="Heavy operations one customer may run at once per process (429 beyond)."
    )
    max_operations_per_customer: int = Field(
        16, ge=1, description="Operations one customer may run at once per process (429 beyond)."
    )
    fair_share_window_seconds: float = Field(
        10.0, gt=0, description="Window over which a customer's share of worker time is measured."
    )

    federation: bool = Field(
        False,
        description="Serve the schema as an Apollo Federation v2 subgraph: @key on Customer, OrgUnit and "
        "Subscriber, Query._entities and (outside production) Query._service (docs/federation.md).",
    )

    log_json: bool = Field(False, description="Structured JSON logs (on by default in production).")
    slow_operation_seconds: float = Field(1.0, description="Operations slower than this go to the slow log.")
    metrics_clients: str = Field(
        "",
        description="Client names (apollographql-client-name) the per-operation metrics label, comma-separated; "
        "others count as 'other'. Empty: the first 20 a process sees.",
    )
    metrics_token: str | None = Field(
        None, description="When set, /metrics needs 'Authorization: Bearer <it>'; production serves /metrics only then."
    )

    @property
    def known_clients(self) -> frozenset[str]:
        return frozenset(name.strip() for name in self.metrics_clients.split(",") if name.strip())

    bulk_worker: bool = Field(True, description="Work on bulk operations in this process.")
    bulk_lease_seconds: float = Field(30.0, description="How long a silent worker keeps an operation.")
    bulk_concurrency: int = Field(4, description="Lines of a bulk operation written at once (one transaction each).")
    bulk_duty: float = Field(
        0.5, gt=0, le=1,
        description="While requests are served, the most of the time bulk work takes (it rests after each chunk).",
    )  # fmt: skip

    gc_thresholds: tuple[int, int, int] = Field(
        THRESHOLDS, description="The garbage collector's generation thresholds (server/collector.py)."
    )
    gc_freeze_after: int = Field(
        100, ge=0,
        description="Freeze the caches the first requests filled once this many are answered (0: never).",
    )  # fmt: skip

    seed_subscribers: int = Field(2000, description="Lines generated on the first start of an empty database.")
    seed: int = 42

    @field_validator("cost_allowances", "cost_budgets", mode="before")
    @classmethod
    def _role_names(cls, value: Any) -> Any:
        # Roles as the API spells them (CUSTOMER_ADMIN) or as corpcare stores them (customer_admin).
        return {str(role).lower(): allowance for role, allowance in value.items()} if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.env == "production" and self.jwt_secret == DEV_SECRET and not self.jwks_url:
            raise ValueError("production needs CORPCARE_JWT_SECRET or CORPCARE_JWKS_URL")
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret):
            raise ValueError("CORPCARE_OIDC_ISSUER needs CORPCARE_OIDC_CLIENT_ID and CORPCARE_OIDC_CLIENT_SECRET")
        return self

    @property
    def development(self) -> bool:
        return self.env == "development"

    def _sqlite(self, name: str) -> str:
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{name}.db').resolve()}"

    @cached_property
    def urls(self) -> tuple[str, str, str]:
        """(CRM, billing, state) database URLs, with the embedded default filled in."""
        return (
            self.crm_url or self._sqlite("crm"),
            self.billing_url or self._sqlite("billing"),
            self.state_url or self._sqlite("state"),
        )

    @property
    def query_limits(self) -> QueryLimits:
        from request.context import QueryLimits

        return QueryLimits(
            self.max_query_cost, self.max_query_depth, self.max_query_aliases, self.max_query_tokens,
            self.max_query_directives, self.max_input_list,
        )  # fmt: skip

    @property
    def cost_allowances_in_force(self) -> CostAllowances:
        """Every role's cost allowance (the defaults, with the configured ones over them) and the customer's."""
        roles = {**ROLE_COST_ALLOWANCES, **self.cost_budgets, **self.cost_allowances}
        return CostAllowances(
            roles, self.customer_cost_allowance or self.customer_cost_budget or CUSTOMER_COST_ALLOWANCE
        )

    @property
    def admission_limits(self) -> AdmissionLimits:
        from server.admission import AdmissionLimits

        return AdmissionLimits(self.max_concurrent_requests, self.max_queued_requests, self.max_queue_wait_seconds)

    @property
    def backend_limits(self) -> BackendLimits:
        from sources.backend import BackendLimits

        return BackendLimits(
            self.backend_call_seconds, self.backend_breaker_failures, self.backend_breaker_reset_seconds
        )

    @property
    def share_limits(self) -> ShareLimits:
        return ShareLimits(
            self.heavy_operation_cost, self.max_heavy_operations_per_customer, self.max_operations_per_customer,
            self.fair_share_window_seconds, self.bulk_duty,
        )  # fmt: skip

    @property
    def session_times(self) -> SessionTimes:
        return SessionTimes(
            idle=timedelta(seconds=self.session_idle_seconds), absolute=timedelta(seconds=self.session_absolute_seconds)
        )

    @property
    def json_logs(self) -> bool:
        return self.log_json or self.env == "production"

    @property
    def bulk_lease(self) -> timedelta:
        return timedelta(seconds=self.bulk_lease_seconds)

    @property
    def embedded(self) -> bool:
        return any(url.startswith("sqlite") for url in self.urls)
