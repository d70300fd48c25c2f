"""Platform adapters: webhook parsing into TicketEvents (no network) and writers back to the platform."""
