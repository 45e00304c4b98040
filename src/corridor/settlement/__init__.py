"""Settlement: a double-entry ledger in minor units, SRVA accounts, netting, export realisation and
ISO 20022 messages for the corridor's payments."""
