"""Residents' customer records: one protocol, three adapters, and the outbox that feeds them.

Policy section 2.2 asks that every communication be "recorded on their records on customer
management systems"; section 3.1 that "a note will also be added to their customer record".

- :mod:`.records`: what goes to a record (:class:`CrmRecord`), keyed for idempotency;
- :mod:`.protocol`: :class:`CustomerRecords`, the one boundary every CRM sits behind;
- :mod:`.embedded`: the default CRM, in the project's own database;
- :mod:`.dataverse`: Microsoft Dynamics 365 through the Dataverse Web API;
- :mod:`.webhook`: any CRM that takes signed JSON over HTTPS;
- :mod:`.memory`: an in-memory CRM for tests;
- :mod:`.errors`: the failures, sorted once into retriable and not;
- :mod:`.outbox`: entries kept in the store until the CRM has them, retried with backoff,
  dead letters for operators to see and send again.
"""

from trident_pipeline.crm.errors import CrmError, CrmNotPermitted, CrmRejected, CrmUnavailable
from trident_pipeline.crm.protocol import CustomerRecords, write_record
from trident_pipeline.crm.records import CrmRecord, CustomerAccount, Direction, RecordKind

__all__ = [
    "CrmError",
    "CrmNotPermitted",
    "CrmRecord",
    "CrmRejected",
    "CrmUnavailable",
    "CustomerAccount",
    "CustomerRecords",
    "Direction",
    "RecordKind",
    "write_record",
]
