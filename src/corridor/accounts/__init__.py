"""Web users: people who log in to a node's pages with a password (hashed with argon2), each with
one role and one party, their sessions and the lockout after repeated failures. Machines keep
using API keys."""
