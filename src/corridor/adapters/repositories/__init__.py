"""SQL repositories: map domain objects onto the node's tables, one module per kind of record."""

from corridor.adapters.repositories.api_keys import SqlApiKeys
from corridor.adapters.repositories.common import INSERT, utc
from corridor.adapters.repositories.declarations import SqlDeclarations
from corridor.adapters.repositories.documents import SqlDocuments, target_hash
from corridor.adapters.repositories.inbox import SqlInbox, SqlRejections
from corridor.adapters.repositories.issuers import SqlIssuers, SqlRevocations
from corridor.adapters.repositories.keys import SqlKeys
from corridor.adapters.repositories.logistics_events import SqlEvents
from corridor.adapters.repositories.outbox import SqlOutbox
from corridor.adapters.repositories.traders import SqlMandates, SqlTraders

__all__ = [
    "INSERT",
    "SqlApiKeys",
    "SqlDeclarations",
    "SqlDocuments",
    "SqlEvents",
    "SqlInbox",
    "SqlIssuers",
    "SqlKeys",
    "SqlMandates",
    "SqlOutbox",
    "SqlRejections",
    "SqlRevocations",
    "SqlTraders",
    "target_hash",
    "utc",
]
